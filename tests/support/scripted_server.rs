//! The in-process SMTP server of the tests: one connection on 127.0.0.1 (or several,
//! [`Server::start_sessions`]), plain, STARTTLS or implicit TLS with a CA made at test
//! time, replies scripted per test, and a record of every line the client sent. For
//! what no SMTP server would say, [`raw`] hands the connection to the test as it is.
//!
//! Everything is bounded: accept waits at most [`LIMIT`], every read has that time
//! limit, and the command loop stops after [`MAX_COMMANDS`]. One session's dialogue is
//! in `scripted_server/session.rs`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use sha2::{Digest, Sha256};

pub const LIMIT: Duration = Duration::from_secs(10);
const MAX_COMMANDS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Off,
    StartTls,
    Implicit,
}

/// The server's certificate: the ordinary case, and the ones people get wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    /// Issued by the test CA (which is what `Server::ca_file` holds).
    SignedByCa,
    /// Self-signed, CA:FALSE; `Server::ca_file` holds it.
    SelfSigned,
    /// Self-signed, CA:TRUE, as `openssl req -x509` makes by default; `Server::ca_file`
    /// holds it.
    SelfSignedCa,
    /// Issued by the test CA, valid in 2020 only.
    Expired,
}

/// What the server does when a rule matches.
#[derive(Debug, Clone)]
pub enum Action {
    /// Send these reply lines (separated by "\r\n"; the final CRLF is added).
    Reply(String),
    /// Close the connection without a word.
    Drop,
    /// Say nothing more, read until the client leaves (or [`LIMIT`]).
    Hang,
    /// Send these reply lines, then close the connection.
    ReplyAndClose(String),
    /// Close the connection without a word once the session has received this many
    /// messages; before that, the ordinary reply.
    DropAfter(usize),
    /// Wait, then do the action (a slow server).
    Delay(Duration, Box<Action>),
}

pub struct Config {
    pub tls: TlsMode,
    /// EHLO keywords; STARTTLS is added before TLS when `tls` is `StartTls`.
    pub extensions: Vec<String>,
    /// Names in the server certificate.
    pub cert_names: Vec<String>,
    pub cert: CertKind,
    /// (prefix of a client line, case-insensitive) → action; first match wins.
    /// Special keys: "GREETING" (on connect) and "." (after the end of data).
    pub rules: Vec<(String, Action)>,
    /// Accepted user and password (or OAuth token).
    pub user: String,
    pub password: String,
    /// Bytes sent right after "220 ready" to STARTTLS, in the same write, in clear.
    pub inject_after_starttls: Option<String>,
    /// AUTH SCRAM-SHA-256 ends with a wrong server signature (support/scram_server.rs).
    pub forge_scram_signature: bool,
    /// AUTH PLAIN ignores an initial response: it asks for the response with a 334
    /// and takes the next line as it (an old server's way).
    pub plain_asks_again: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tls: TlsMode::Off,
            extensions: vec![
                "PIPELINING".into(),
                "8BITMIME".into(),
                "ENHANCEDSTATUSCODES".into(),
                "AUTH PLAIN LOGIN XOAUTH2".into(),
            ],
            cert_names: vec!["localhost".into(), "127.0.0.1".into()],
            cert: CertKind::SignedByCa,
            rules: Vec::new(),
            user: "jane".into(),
            password: "s3cret-Pa55".into(),
            inject_after_starttls: None,
            forge_scram_signature: false,
            plain_asks_again: false,
        }
    }
}

impl Config {
    pub fn on(mut self, prefix: &str, action: Action) -> Self {
        self.rules.push((prefix.to_owned(), action));
        self
    }
    pub fn reply(self, prefix: &str, reply: &str) -> Self {
        self.on(prefix, Action::Reply(reply.to_owned()))
    }
}

/// One line the client sent.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// Sent inside TLS.
    pub tls: bool,
    /// Which `read` call delivered its last byte: lines sent in one write share it.
    pub read: usize,
}

#[derive(Debug, Default)]
pub struct Record {
    /// Command lines (and AUTH continuation lines), not message content.
    pub lines: Vec<Line>,
    /// Each message as received, after removing dot-stuffing (CRLF kept).
    pub messages: Vec<Vec<u8>>,
    /// Each message's DATA bytes exactly as on the wire, terminator included.
    pub raw_data: Vec<Vec<u8>>,
    /// The user the server authenticated, if any.
    pub authenticated: Option<String>,
    /// Why the session ended early, if it did (I/O or TLS errors on our side).
    pub error: Option<String>,
}

impl Record {
    pub fn commands(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.text.clone()).collect()
    }
    pub fn sent(&self, prefix: &str) -> bool {
        self.lines.iter().any(|l| {
            l.text
                .to_ascii_uppercase()
                .starts_with(&prefix.to_ascii_uppercase())
        })
    }
    pub fn line(&self, prefix: &str) -> Option<&Line> {
        self.lines.iter().find(|l| {
            l.text
                .to_ascii_uppercase()
                .starts_with(&prefix.to_ascii_uppercase())
        })
    }
}

/// A test certificate authority.
pub struct TestCa {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCa { cert, key }
    }

    pub fn pem(&self) -> String {
        self.cert.pem()
    }
}

pub struct Server {
    pub addr: SocketAddr,
    /// The certificate to trust, as a PEM file for `TlsSettings::ca_file`: the CA, or
    /// the self-signed certificate itself.
    pub ca_file: PathBuf,
    /// SHA-256 of the leaf certificate, for pinning.
    pub leaf_sha256: [u8; 32],
    handle: Option<JoinHandle<Vec<Record>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start(config: Config) -> Server {
        Server::start_sessions(vec![config])
    }

    /// One session per config, in the order the client connects; each runs in its own
    /// thread, so sessions may overlap (`batch --connections`). The certificate is made
    /// from the first config. Accepting stops at the first wait over [`LIMIT`].
    pub fn start_sessions(sessions: Vec<Config>) -> Server {
        let config = &sessions[0];
        let ca = TestCa::new("posta test CA");
        let leaf_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(config.cert_names.clone()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "scripted server");
        let (leaf, trusted) = match config.cert {
            CertKind::SignedByCa => (
                params.signed_by(&leaf_key, &ca.cert, &ca.key).unwrap(),
                None,
            ),
            CertKind::Expired => {
                params.not_before = rcgen::date_time_ymd(2020, 1, 1);
                params.not_after = rcgen::date_time_ymd(2020, 12, 31);
                (
                    params.signed_by(&leaf_key, &ca.cert, &ca.key).unwrap(),
                    None,
                )
            }
            CertKind::SelfSigned | CertKind::SelfSignedCa => {
                params.is_ca = if config.cert == CertKind::SelfSignedCa {
                    IsCa::Ca(BasicConstraints::Unconstrained)
                } else {
                    IsCa::ExplicitNoCa
                };
                let leaf = params.self_signed(&leaf_key).unwrap();
                let pem = leaf.pem();
                (leaf, Some(pem))
            }
        };
        let leaf_sha256: [u8; 32] = Sha256::digest(leaf.der()).into();
        let chain = match trusted {
            None => vec![leaf.der().clone(), ca.cert.der().clone()],
            Some(_) => vec![leaf.der().clone()],
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let tls_config = Arc::new(
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .unwrap(),
        );

        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, trusted.unwrap_or_else(|| ca.pem())).unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            let mut running = Vec::new();
            for config in sessions {
                let tcp = match accept(&listener) {
                    Ok(tcp) => tcp,
                    Err(e) => {
                        let error = Some(format!("accept: {e}"));
                        running.push(std::thread::spawn(move || Record {
                            error,
                            ..Record::default()
                        }));
                        break;
                    }
                };
                let tls_config = tls_config.clone();
                running.push(std::thread::spawn(move || {
                    session::serve(tcp, tls_config, config)
                }));
            }
            running
                .into_iter()
                .map(|t| t.join().expect("server session panicked"))
                .collect()
        });
        Server {
            addr,
            ca_file,
            leaf_sha256,
            handle: Some(handle),
            _dir: dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Wait for the session to end and return what the client sent.
    pub fn finish(self) -> Record {
        self.finish_sessions().remove(0)
    }

    /// Wait for every session to end; what the client sent in each, in the order it
    /// connected.
    pub fn finish_sessions(mut self) -> Vec<Record> {
        self.handle
            .take()
            .unwrap()
            .join()
            .expect("server thread panicked")
    }
}

/// A server for what no SMTP server would say: the one connection on 127.0.0.1,
/// with [`LIMIT`] on reads and writes, handed to `script` as it is. Returns the port;
/// `script` never runs if nobody connects within [`LIMIT`].
pub fn raw(script: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok(tcp) = accept(&listener) {
            script(tcp);
        }
    });
    port
}

fn accept(listener: &TcpListener) -> io::Result<TcpStream> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + LIMIT;
    loop {
        match listener.accept() {
            Ok((tcp, _)) => {
                tcp.set_nonblocking(false)?;
                tcp.set_read_timeout(Some(LIMIT))?;
                tcp.set_write_timeout(Some(LIMIT))?;
                return Ok(tcp);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "nobody connected"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e),
        }
    }
}

mod session;
