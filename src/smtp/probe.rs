//! `posta probe` and `profile test`: connect, EHLO (and STARTTLS as asked), show what
//! the server offers and its certificate, and, for a test, log in; no message.

use super::session::{self, Session};
use super::transcript::Log;
use super::wire::{SocketWire, Wire};
use super::{
    Capabilities, CertificateInfo, Reply, Settings, SmtpError, SmtpErrorKind, Transcript, dial,
};

/// What `posta probe` shows about a server.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProbeReport {
    /// "host:port"
    pub server: String,
    pub greeting: Reply,
    /// The capabilities as finally offered (after STARTTLS, when used).
    pub capabilities: Capabilities,
    /// As in [`Outcome::security`].
    pub security: String,
    /// The server's leaf certificate, when TLS was used.
    pub certificate: Option<CertificateInfo>,
    /// Whether the server asked for a client certificate in the handshake; `None`
    /// without TLS, or when the TLS backend cannot tell (native-tls).
    pub client_certificate_requested: Option<bool>,
}

/// Why [`probe`] failed. The server may still have shown what it offers: when
/// STARTTLS was required but not offered, `offered` is the greeting and the
/// capabilities it gave in clear (the session then ended with QUIT).
#[derive(Debug)]
pub struct ProbeError {
    pub error: SmtpError,
    pub offered: Option<Box<ProbeReport>>,
}

impl From<SmtpError> for ProbeError {
    fn from(error: SmtpError) -> Self {
        ProbeError {
            error,
            offered: None,
        }
    }
}

/// Connect, say EHLO (and STARTTLS as the settings ask), report, and QUIT.
/// No credentials are sent.
pub fn probe(
    settings: &Settings,
    transcript: Option<&mut Transcript<'_>>,
) -> Result<ProbeReport, ProbeError> {
    session::validate_settings(settings)?;
    let wire = SocketWire::open(settings, Log::new(transcript))?;
    probe_over(wire, settings)
}

/// [`probe`] once connected.
pub(crate) fn probe_over(wire: impl Wire, settings: &Settings) -> Result<ProbeReport, ProbeError> {
    let mut session = Session::greet(wire, settings)?;
    let result = session.hello(settings);
    // What the server offers is what a probe is for; that it cannot be had with the
    // security asked for is the failure the caller reports along with it.
    let offered = match &result {
        Err(e) if matches!(e.kind, SmtpErrorKind::StartTlsUnavailable) => {
            Some(Box::new(report_of(&session, settings)))
        }
        _ => None,
    };
    let result = result.map(|()| report_of(&session, settings));
    session
        .close(result)
        .map_err(|error| ProbeError { error, offered })
}

/// Like [`probe`], and also authenticate with the settings' credentials when there
/// are some: what `posta profile test` does. Sends no message.
pub fn check_login(
    settings: &Settings,
    transcript: Option<&mut Transcript<'_>>,
) -> Result<ProbeReport, SmtpError> {
    session::validate_settings(settings)?;
    let wire = SocketWire::open(settings, Log::new(transcript))?;
    check_login_over(wire, settings)
}

/// [`check_login`] once connected.
fn check_login_over(wire: impl Wire, settings: &Settings) -> Result<ProbeReport, SmtpError> {
    let mut session = Session::greet(wire, settings)?;
    let result = session.hello(settings).and_then(|()| {
        if let Some(creds) = &settings.credentials {
            session.authenticate(settings, creds)?;
        }
        Ok(report_of(&session, settings))
    });
    session.close(result)
}

/// What the session has learnt so far: greeting, capabilities, security, certificate.
fn report_of(session: &Session<impl Wire>, settings: &Settings) -> ProbeReport {
    ProbeReport {
        server: dial::host_port(&settings.host, settings.port),
        greeting: session.greeting.clone(),
        capabilities: session.caps.clone(),
        security: session.security_label(),
        certificate: session
            .peer_certificate()
            .map(|der| CertificateInfo::from_der(&der)),
        client_certificate_requested: session.client_certificate_requested(),
    }
}
