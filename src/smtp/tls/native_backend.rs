//! The native-tls backend (OpenSSL on Linux, Secure Transport, SChannel).
//!
//! native-tls cannot tell the negotiated protocol version or cipher suite, so
//! `describe` says only which backend was used.

use native_tls::{Certificate, HandshakeError, Identity, TlsConnector};

use super::{
    Deadlined, TlsStream, bad_signature, ca_used_as_server_certificate, client_cert, expired,
    invalid_ca_file, invalid_certificate, not_valid_for, not_valid_yet, pin, read_ca_file,
    unknown_issuer,
};
use crate::model::Fingerprint;
use crate::smtp::TlsSettings;
use crate::smtp::error::SmtpErrorKind;

pub(super) const NAME: &str = "native-tls";

impl TlsStream for native_tls::TlsStream<Deadlined> {
    fn describe(&self) -> String {
        "TLS (native-tls)".to_owned()
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        // The inherent method of native_tls::TlsStream, not this trait's.
        native_tls::TlsStream::peer_certificate(self)
            .ok()
            .flatten()
            .and_then(|c| c.to_der().ok())
    }
}

/// OpenSSL's verification messages ("certificate verify failed … (IP address
/// mismatch)") translated into the words the rustls backend uses; anything else is
/// passed on as the library said it.
fn describe(e: &native_tls::Error, host: &str, with_ca_file: bool) -> String {
    let text = e.to_string();
    let has = |s: &str| text.contains(s);
    if has("hostname mismatch") || has("IP address mismatch") {
        not_valid_for(host, &[])
    } else if has("unable to get local issuer")
        || has("self-signed certificate")
        || has("self signed certificate")
        || has("unable to get issuer")
    {
        unknown_issuer(with_ca_file)
    } else if has("certificate signature failure") {
        bad_signature(with_ca_file)
    } else if has("invalid CA certificate") || has("unsuitable certificate purpose") {
        ca_used_as_server_certificate()
    } else if has("certificate has expired") {
        expired(None)
    } else if has("certificate is not yet valid") {
        not_valid_yet(None)
    } else if has("certificate verify failed") {
        invalid_certificate(&text)
    } else {
        // The library's text may quote what the server sent.
        crate::model::text::for_terminal(&text).into_owned()
    }
}

/// The connector, and the pins to check after the handshake. native-tls has no way to
/// resume a session: each handshake is a full one.
#[derive(Clone)]
pub(super) struct Client {
    connector: TlsConnector,
    pins: Vec<Fingerprint>,
    /// Verifying against `--ca-file` rather than the system's roots (for the messages).
    with_ca_file: bool,
}

pub(super) fn prepare(settings: &TlsSettings) -> Result<Client, SmtpErrorKind> {
    let tls = |e: native_tls::Error| SmtpErrorKind::Tls(e.to_string());
    let mut builder = TlsConnector::builder();
    if let Some(path) = &settings.ca_file {
        builder.disable_built_in_roots(true);
        for der in read_ca_file(path)? {
            let cert = Certificate::from_der(&der).map_err(|e| {
                invalid_ca_file(path, format!("a certificate in it cannot be used: {e}"))
            })?;
            builder.add_root_certificate(cert);
        }
    }
    if let Some(files) = &settings.client_cert {
        let id = client_cert::load(files)?;
        // native-tls takes PKCS#8 only; OpenSSL converts a traditional key.
        if !client_cert::is_pkcs8(&id.key_pem) {
            return Err(SmtpErrorKind::ClientCertInvalid {
                path: files.key.clone(),
                why: "the native-tls build takes a PKCS#8 key (\"-----BEGIN PRIVATE \
                      KEY-----\"): convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY \
                      -out KEY.p8`"
                    .into(),
            });
        }
        let identity = Identity::from_pkcs8(&id.chain_pem, &id.key_pem).map_err(|e| {
            SmtpErrorKind::ClientCertInvalid {
                path: files.key.clone(),
                why: format!("the key cannot be used with the certificate ({e})"),
            }
        })?;
        builder.identity(identity);
    }
    if !settings.pins.is_empty() || settings.insecure {
        // The pin is checked below, after the handshake.
        builder.danger_accept_invalid_certs(true);
        builder.danger_accept_invalid_hostnames(true);
    }
    Ok(Client {
        connector: builder.build().map_err(tls)?,
        pins: settings.pins.clone(),
        with_ca_file: settings.ca_file.is_some(),
    })
}

pub(super) fn handshake(
    client: &Client,
    host: &str,
    tcp: Deadlined,
) -> Result<Box<dyn TlsStream>, SmtpErrorKind> {
    let mut stream = match client.connector.connect(host, tcp) {
        Ok(stream) => stream,
        Err(HandshakeError::Failure(e)) => {
            return Err(SmtpErrorKind::Tls(describe(&e, host, client.with_ca_file)));
        }
        // A blocking socket only "would block" when its read timeout expires, and
        // the handshake's deadline says the same when it passes.
        Err(HandshakeError::WouldBlock(_)) => return Err(SmtpErrorKind::Timeout),
    };
    stream.get_mut().finish().map_err(SmtpErrorKind::Io)?;
    if !client.pins.is_empty() {
        let der = TlsStream::peer_certificate(&stream).ok_or_else(|| {
            SmtpErrorKind::Tls("the server sent no certificate to compare with the pin".into())
        })?;
        pin::check(&der, &client.pins).map_err(SmtpErrorKind::Tls)?;
    }
    Ok(Box::new(stream))
}

/// native-tls does not say whether the server asked for a client certificate.
pub(super) fn certificate_requested(_client: &Client) -> Option<bool> {
    None
}
