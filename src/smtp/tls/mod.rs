//! TLS behind one small interface, so that the backend is a Cargo feature:
//! `rustls` (default, ring + the system roots) or `native-tls` (the platform's
//! library). With both on, rustls is used.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use super::TlsSettings;
use super::error::SmtpErrorKind;

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!("posta needs a TLS backend: enable the `rustls` or the `native-tls` feature");

#[cfg(feature = "rustls")]
mod rustls_backend;
#[cfg(feature = "rustls")]
use rustls_backend as backend;

#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
mod native_backend;
#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
use native_backend as backend;

/// An established TLS session over the SMTP connection's socket.
pub(crate) trait TlsStream: Read + Write + Send {
    /// Protocol version and cipher suite, e.g. "TLSv1.3 TLS13_AES_256_GCM_SHA384",
    /// as far as the backend can tell.
    fn describe(&self) -> String;
    /// The server's leaf certificate (DER).
    fn peer_certificate(&self) -> Option<Vec<u8>>;
}

/// Which library does the TLS, for `--version` and `probe`.
pub const BACKEND: &str = backend::NAME;

/// Handshake over `tcp` as a client of `host`, verifying as `settings` say.
pub(crate) fn handshake(
    settings: &TlsSettings,
    host: &str,
    tcp: TcpStream,
) -> Result<Box<dyn TlsStream>, SmtpErrorKind> {
    backend::handshake(settings, host, tcp)
}

/// The CA certificates of a PEM file (all of them, in order).
fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, SmtpErrorKind> {
    let fail = |why: String| SmtpErrorKind::Tls(format!("CA file {}: {why}", path.display()));
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| fail(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("no certificates found in it".into()));
    }
    Ok(certs)
}

/// SHA-256 of a certificate, as pinned with `--tls-fingerprint`.
pub(crate) fn fingerprint(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// "AB:CD:…", the way openssl and msmtp print fingerprints.
pub fn format_fingerprint(fp: &[u8]) -> String {
    fp.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The same words for the same problem, whichever backend found it.
fn not_valid_for(host: &str) -> String {
    format!("certificate is not valid for host {host}")
}

const UNKNOWN_ISSUER: &str = "unknown issuer: the certificate is not signed by a trusted CA \
     (use --ca-file for a private CA, or --tls-fingerprint to pin it)";

/// The error for a pinned certificate that does not match.
fn pin_mismatch(expected: &[u8; 32], actual: &[u8; 32]) -> String {
    format!(
        "the certificate's SHA-256 fingerprint is {}, not the pinned {}",
        format_fingerprint(actual),
        format_fingerprint(expected)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_format() {
        assert_eq!(format_fingerprint(&[0xab, 0x01, 0xff]), "AB:01:FF");
        // SHA-256 of the empty string, a well-known value.
        assert!(format_fingerprint(&fingerprint(b"")).starts_with("E3:B0:C4:42:98:FC:1C:14"));
    }

    #[test]
    fn ca_file_errors_are_readable() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        match read_ca_file(&missing) {
            Err(SmtpErrorKind::Tls(why)) => assert!(why.contains("missing.pem"), "{why}"),
            other => panic!("{other:?}"),
        }
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        match read_ca_file(&empty) {
            Err(SmtpErrorKind::Tls(why)) => assert!(why.contains("no certificates"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
