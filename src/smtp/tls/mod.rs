//! TLS behind one small interface, so that the backend is a Cargo feature:
//! `rustls` (default, ring + the system roots) or `native-tls` (the platform's
//! library). With both on, rustls is used.

use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use super::TlsSettings;
use super::error::SmtpErrorKind;
use super::socket::Socket;

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!("posta needs a TLS backend: enable the `rustls` or the `native-tls` feature");

mod client_cert;
mod pin;
pub use pin::spki_pin;

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
    /// The handshake resumed an earlier session (only rustls can tell, and do it).
    fn resumed(&self) -> bool {
        false
    }
}

/// Which library does the TLS, for `--version` and `probe`.
pub const BACKEND: &str = backend::NAME;

/// A TLS client set up as the settings say, CA file read, ready for handshakes.
/// Made before the TCP connection is opened, so that a CA file that is missing or
/// holds no certificate is reported without contacting the server, by every command.
/// A clone shares what resumes sessions (with rustls): `batch` keeps one per
/// connection, so that a reconnect resumes the TLS session of the one before.
#[derive(Clone)]
pub(crate) struct TlsClient(backend::Client);

/// Read the CA file (or the system's roots) and set up verification.
pub(crate) fn prepare(settings: &TlsSettings) -> Result<TlsClient, SmtpErrorKind> {
    backend::prepare(settings).map(TlsClient)
}

impl TlsClient {
    /// Handshake over `tcp` as a client of `host`, all of it by `deadline`.
    pub(crate) fn handshake(
        &self,
        host: &str,
        tcp: Socket,
        deadline: Instant,
    ) -> Result<Box<dyn TlsStream>, SmtpErrorKind> {
        backend::handshake(&self.0, host, Deadlined::new(tcp, deadline))
    }

    /// Whether the server of the last handshake asked for a client certificate;
    /// `None` when the backend cannot tell.
    pub(crate) fn certificate_requested(&self) -> Option<bool> {
        backend::certificate_requested(&self.0)
    }
}

/// The socket under a handshake. The per-read time limit alone lets a server that
/// sends its handshake a byte at a time hold the client for ever (each byte comes in
/// time); here every read and write is cut to the time left before the deadline, and
/// once it has passed, fails as a timeout does (`WouldBlock`, which both backends
/// report as one). [`Deadlined::finish`] gives the socket its own limits back.
#[derive(Debug)]
pub(crate) struct Deadlined {
    tcp: Socket,
    deadline: Option<Instant>,
    /// The socket's read and write limits before the handshake.
    limits: (Option<Duration>, Option<Duration>),
}

impl Deadlined {
    fn new(tcp: Socket, deadline: Instant) -> Deadlined {
        let limits = (
            tcp.read_timeout().ok().flatten(),
            tcp.write_timeout().ok().flatten(),
        );
        Deadlined {
            tcp,
            deadline: Some(deadline),
            limits,
        }
    }

    /// Handshake over: no deadline, and the socket's limits as they were.
    fn finish(&mut self) -> io::Result<()> {
        if self.deadline.take().is_some() {
            self.tcp.set_read_timeout(self.limits.0)?;
            self.tcp.set_write_timeout(self.limits.1)?;
        }
        Ok(())
    }

    #[cfg(feature = "rustls")]
    fn into_inner(mut self) -> io::Result<Socket> {
        self.finish()?;
        Ok(self.tcp)
    }

    /// Cut the next read's or write's limit to the time left.
    fn bound(&self, set: fn(&Socket, Option<Duration>) -> io::Result<()>) -> io::Result<()> {
        let Some(deadline) = self.deadline else {
            return Ok(());
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "the TLS handshake did not finish in time",
            ));
        }
        set(&self.tcp, Some(left))
    }
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.bound(Socket::set_read_timeout)?;
        self.tcp.read(buf)
    }
}

impl Write for Deadlined {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bound(Socket::set_write_timeout)?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// The largest CA file read: Mozilla's whole bundle is about 200 KiB.
const MAX_CA_FILE: u64 = 16 << 20;

/// The CA certificates of a PEM file (all of them, in order). A regular file only: a
/// FIFO would hang and a device like /dev/zero be read until memory runs out.
fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, SmtpErrorKind> {
    use rustls_pki_types::pem::Error;
    let fail = |e: Error| match e {
        Error::Io(error) => SmtpErrorKind::CaFileUnreadable {
            path: path.to_owned(),
            error,
        },
        other => invalid_ca_file(path, format!("it is not valid PEM ({other})")),
    };
    let unreadable = |error| SmtpErrorKind::CaFileUnreadable {
        path: path.to_owned(),
        error,
    };
    let file = crate::regular_file::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.len() > MAX_CA_FILE {
        return Err(invalid_ca_file(
            path,
            format!("it is larger than {} MiB", MAX_CA_FILE >> 20),
        ));
    }
    let certs = CertificateDer::pem_reader_iter(std::io::Read::take(file, MAX_CA_FILE))
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    if certs.is_empty() {
        return Err(invalid_ca_file(
            path,
            "it holds no certificate (a PEM \"-----BEGIN CERTIFICATE-----\" block)".into(),
        ));
    }
    Ok(certs)
}

fn invalid_ca_file(path: &Path, why: String) -> SmtpErrorKind {
    SmtpErrorKind::CaFileInvalid {
        path: path.to_owned(),
        why,
    }
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

// The same words for the same problem, whichever backend found it: what is wrong
// with the server's certificate, then what the user can do about it.

/// The way out for a certificate the user has reason to trust, and what it costs: the
/// checks that failed are the ones that tell the real server from someone on the path
/// (a hotel network, a corporate proxy, an attacker) who answers in its place, so the
/// fingerprint to pin must come from somewhere that path does not reach.
const PIN: &str = "only if you expect this certificate (a self-signed server of your own), \
     run `posta probe` to see its SHA-256 fingerprint, compare it with the one the \
     server's administrator gives you by another channel (on the server: `openssl x509 \
     -noout -fingerprint -sha256 -in CERT`), and only if they match pin it with \
     --tls-fingerprint <SHA-256>; a pin trusts exactly that certificate and skips the CA \
     and name checks, so pinning what an intercepting network shows trusts the \
     interceptor";

fn not_valid_for(host: &str, presented: &[String]) -> String {
    // The names are the certificate's, that is the server's: shown escaped.
    let names = if presented.is_empty() {
        String::new()
    } else {
        format!(
            " (it is for {})",
            crate::model::text::for_terminal(&presented.join(", "))
        )
    };
    format!(
        "the certificate is not valid for host {host}{names}: connect with a name it lists, \
         or {PIN}"
    )
}

/// Self-signed, or signed by a private CA that is not in the trusted set.
fn unknown_issuer(with_ca_file: bool) -> String {
    if with_ca_file {
        format!(
            "the server's certificate is not signed by a CA in the --ca-file: give the CA \
             that issued it, or {PIN}"
        )
    } else {
        format!(
            "the server's certificate is not signed by a CA this system trusts (it is \
             self-signed, or from a private CA): pass the issuing CA with --ca-file, or {PIN}"
        )
    }
}

/// A trusted CA has the name the certificate gives as its issuer, but not the key that
/// signed it: a self-signed certificate that reuses a CA's name, or the wrong CA file.
fn bad_signature(with_ca_file: bool) -> String {
    let trusted = if with_ca_file {
        "the CA in the --ca-file"
    } else {
        "a CA this system trusts"
    };
    format!(
        "the server's certificate names {trusted} as its issuer, but its signature does \
         not verify with that CA's key (it is self-signed, or signed by another CA of the \
         same name): pass the CA that really issued it with --ca-file, or {PIN}"
    )
}

/// `openssl req -x509` makes a CA:TRUE certificate by default, the usual self-signed
/// home-server setup; TLS libraries refuse a CA certificate as the server's own.
fn ca_used_as_server_certificate() -> String {
    format!(
        "the server's certificate is a CA certificate (CA:TRUE, as `openssl req -x509` \
         makes by default), which TLS refuses as a server's own even with --ca-file: {PIN}, \
         or give the server a certificate signed by that CA"
    )
}

/// `when`: the certificate's date, if the backend tells it.
fn expired(when: Option<String>) -> String {
    let when = when.map(|w| format!(" on {w}")).unwrap_or_default();
    format!(
        "the server's certificate expired{when}: it must be renewed on the server; until \
         then, to connect anyway, {PIN}"
    )
}

fn not_valid_yet(when: Option<String>) -> String {
    let when = when.map(|w| format!(" until {w}")).unwrap_or_default();
    format!(
        "the server's certificate is not valid{when}: check this machine's clock; to \
         connect anyway, {PIN}"
    )
}

/// Anything else wrong with the certificate; `what` is the library's word for it.
fn invalid_certificate(what: &str) -> String {
    let what = crate::model::text::for_terminal(what);
    format!("the server's certificate was refused ({what}): if you trust it, {PIN}")
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
        use crate::smtp::{SmtpError, Stage};
        let message = |kind| SmtpError::new(Stage::Connect, kind).to_string();
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        match read_ca_file(&missing) {
            Err(kind @ SmtpErrorKind::CaFileUnreadable { .. }) => assert_eq!(
                message(kind),
                format!(
                    "cannot read the CA file {}: no such file or directory",
                    missing.display()
                )
            ),
            other => panic!("{other:?}"),
        }
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        match read_ca_file(&empty) {
            Err(kind @ SmtpErrorKind::CaFileInvalid { .. }) => {
                let text = message(kind);
                assert!(
                    text.contains("empty.pem: it holds no certificate"),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
        let broken = dir.path().join("broken.pem");
        std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap();
        match read_ca_file(&broken) {
            Err(kind @ SmtpErrorKind::CaFileInvalid { .. }) => {
                let text = message(kind);
                assert!(text.contains("broken.pem: it is not valid PEM"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
}
