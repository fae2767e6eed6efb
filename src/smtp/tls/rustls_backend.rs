//! The rustls backend: ring for crypto, the system's roots (or `--ca-file`).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, Error, RootCertStore,
    SignatureScheme, StreamOwned,
};

use super::{
    Deadlined, TlsStream, bad_signature, ca_used_as_server_certificate, client_cert, expired,
    invalid_ca_file, invalid_certificate, not_valid_for, not_valid_yet, pin, read_ca_file,
    unknown_issuer,
};
use crate::model::Fingerprint;
use crate::smtp::TlsSettings;
use crate::smtp::dial::io_kind;
use crate::smtp::error::SmtpErrorKind;
use crate::smtp::socket::Socket;

pub(super) const NAME: &str = "rustls";

impl TlsStream for StreamOwned<ClientConnection, Socket> {
    fn describe(&self) -> String {
        let conn = &self.conn;
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
            Some(other) => format!("{other:?}"),
            None => "TLS".to_owned(),
        };
        match conn.negotiated_cipher_suite() {
            Some(suite) => format!("{version} {:?}", suite.suite()),
            None => version,
        }
    }

    fn resumed(&self) -> bool {
        self.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.conn
            .peer_certificates()
            .and_then(|certs| certs.first())
            .map(|c| c.to_vec())
    }
}

/// Cloned, it shares the configuration and with it rustls's session store (256
/// sessions in memory, TLS 1.3 tickets and TLS 1.2 ids): a handshake made with a clone
/// resumes a session an earlier one got, one round trip and the certificate check
/// fewer.
#[derive(Clone)]
pub(super) struct Client {
    config: Arc<ClientConfig>,
    /// Sees whether the server asks for a client certificate, and answers with ours.
    client_auth: Arc<ClientAuth>,
    /// Verifying against `--ca-file` rather than the system's roots (for the messages).
    with_ca_file: bool,
}

pub(super) fn prepare(settings: &TlsSettings) -> Result<Client, SmtpErrorKind> {
    // An explicit provider rather than the process default: nothing else in the
    // program has to install one, and the choice (ring) is made here.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SmtpErrorKind::Tls(e.to_string()))?;
    let client_auth = Arc::new(ClientAuth {
        key: match &settings.client_cert {
            Some(files) => {
                let id = client_cert::load(files)?;
                let key = CertifiedKey::from_der(id.chain, id.key, &provider).map_err(|e| {
                    SmtpErrorKind::ClientCertInvalid {
                        path: files.key.clone(),
                        why: format!("the key cannot be used with the certificate ({e})"),
                    }
                })?;
                Some(Arc::new(key))
            }
            None => None,
        },
        asked: AtomicBool::new(false),
    });
    let config = if !settings.pins.is_empty() || settings.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinOrNothing {
                pins: settings.pins.clone(),
                provider,
            }))
            .with_client_cert_resolver(client_auth.clone())
    } else {
        builder
            .with_root_certificates(roots(settings)?)
            .with_client_cert_resolver(client_auth.clone())
    };
    Ok(Client {
        config: Arc::new(config),
        client_auth,
        with_ca_file: settings.ca_file.is_some(),
    })
}

pub(super) fn handshake(
    client: &Client,
    host: &str,
    mut tcp: Deadlined,
) -> Result<Box<dyn TlsStream>, SmtpErrorKind> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| SmtpErrorKind::Tls(format!("{host:?} is not a valid TLS server name")))?;
    let mut conn = ClientConnection::new(client.config.clone(), name)
        .map_err(|e| SmtpErrorKind::Tls(describe(&e, host, client.with_ca_file)))?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            return Err(handshake_error(e, host, client.with_ca_file));
        }
    }
    let tcp = tcp.into_inner().map_err(SmtpErrorKind::Io)?;
    Ok(Box::new(StreamOwned::new(conn, tcp)))
}

pub(super) fn certificate_requested(client: &Client) -> Option<bool> {
    Some(client.client_auth.asked.load(Ordering::Relaxed))
}

/// Answers a server's CertificateRequest (RFC 8446 §4.3.2) with the client
/// certificate, if there is one that can sign as the server asks, and remembers that
/// it was asked (for `probe`). Without a certificate it answers with none, as
/// `with_no_client_auth` does.
#[derive(Debug)]
struct ClientAuth {
    key: Option<Arc<CertifiedKey>>,
    asked: AtomicBool,
}

impl ResolvesClientCert for ClientAuth {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        let key = self.key.as_ref()?;
        key.key
            .choose_scheme(schemes)
            .is_some()
            .then(|| key.clone())
    }

    /// True even without a certificate, so that a TLS 1.2 handshake keeps what it
    /// needs to answer a request, and `resolve` is asked.
    fn has_certs(&self) -> bool {
        true
    }
}

fn roots(settings: &TlsSettings) -> Result<RootCertStore, SmtpErrorKind> {
    let mut store = RootCertStore::empty();
    match &settings.ca_file {
        Some(path) => {
            for cert in read_ca_file(path)? {
                store.add(cert).map_err(|e| {
                    invalid_ca_file(path, format!("a certificate in it cannot be used: {e}"))
                })?;
            }
        }
        None => {
            // Unreadable individual certificates are skipped, as browsers do; only
            // having none at all is an error.
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(SmtpErrorKind::Tls(
                    "no trusted root certificates found on this system \
                     (install ca-certificates, or use --ca-file)"
                        .into(),
                ));
            }
        }
    }
    Ok(store)
}

fn handshake_error(e: io::Error, host: &str, with_ca_file: bool) -> SmtpErrorKind {
    if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        return SmtpErrorKind::Tls(describe(tls, host, with_ca_file));
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            SmtpErrorKind::Tls("the server closed the connection during the handshake".into())
        }
        _ => io_kind(e),
    }
}

/// rustls's messages name the library's concepts (and some are only its Debug text,
/// "Other(OtherError(CaUsedAsEndEntity))"); these name the user's problem and the way out.
fn describe(e: &Error, host: &str, with_ca_file: bool) -> String {
    use CertificateError::*;
    match e {
        Error::InvalidCertificate(cert) => match cert {
            NotValidForName => not_valid_for(host, &[]),
            NotValidForNameContext { presented, .. } => not_valid_for(host, presented),
            UnknownIssuer => unknown_issuer(with_ca_file),
            BadSignature => bad_signature(with_ca_file),
            Expired => expired(None),
            ExpiredContext { not_after, .. } => expired(Some(date(not_after))),
            NotValidYet => not_valid_yet(None),
            NotValidYetContext { not_before, .. } => not_valid_yet(Some(date(not_before))),
            Revoked => "the server's certificate has been revoked by its CA".into(),
            InvalidPurpose | InvalidPurposeContext { .. } => {
                invalid_certificate("it is not meant for a TLS server (extended key usage)")
            }
            Other(other) => match other.0.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => ca_used_as_server_certificate(),
                Some(webpki::Error::EndEntityUsedAsCa) => invalid_certificate(
                    "a certificate in its chain that is not a CA signed the next one",
                ),
                Some(inner) => invalid_certificate(&format!("{inner:?}")),
                None => invalid_certificate(&other.to_string()),
            },
            other => invalid_certificate(&format!("{other:?}")),
        },
        Error::General(why) => crate::model::text::for_terminal(why).into_owned(),
        Error::AlertReceived(alert) => format!("the server refused the handshake ({alert:?})"),
        other => crate::model::text::for_terminal(&other.to_string()).into_owned(),
    }
}

/// "2024-01-31 12:00 UTC"
fn date(t: &UnixTime) -> String {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| format!("{} seconds after 1970", t.as_secs()))
}

/// For `--tls-fingerprint` (accept exactly that leaf, like msmtp's tls_fingerprint:
/// no chain, no name) and `--insecure` (accept anything). Handshake signatures are
/// still checked, so the server must hold the key of the certificate it shows.
#[derive(Debug)]
struct PinOrNothing {
    /// Empty with --insecure.
    pins: Vec<Fingerprint>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinOrNothing {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.pins.is_empty() {
            return Ok(ServerCertVerified::assertion());
        }
        pin::check(end_entity, &self.pins)
            .map(|()| ServerCertVerified::assertion())
            .map_err(Error::General)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
