//! The in-process SMTP server of the tests: one connection on 127.0.0.1 (or several,
//! [`Server::start_sessions`]), plain, STARTTLS or implicit TLS with a CA made at test
//! time, replies scripted per test, and a record of every line the client sent. For
//! what no SMTP server would say, [`raw`] hands the connection to the test as it is.
//!
//! Everything is bounded: accept waits at most [`LIMIT`], every read has that time
//! limit, and the command loop stops after [`MAX_COMMANDS`].

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
                    let mut record = Record::default();
                    let mut session = ServerSession {
                        stream: Stream::Plain(tcp),
                        buf: Vec::new(),
                        reads: 0,
                        tls_config,
                        config,
                        record: &mut record,
                        recipients: 0,
                    };
                    if let Err(e) = session.run() {
                        session.record.error = Some(e.to_string());
                    }
                    record
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

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
    Gone,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
            Stream::Gone => Ok(0),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            Stream::Gone => Err(io::ErrorKind::NotConnected.into()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            Stream::Gone => Ok(()),
        }
    }
}

enum Flow {
    Continue,
    Stop,
}

struct ServerSession<'r> {
    stream: Stream,
    buf: Vec<u8>,
    reads: usize,
    tls_config: Arc<ServerConfig>,
    config: Config,
    record: &'r mut Record,
    /// Recipients accepted in the current transaction: without one, DATA is refused
    /// (as RFC 2920 §3.1 asks, and Postfix does), unless a rule says otherwise.
    recipients: usize,
}

impl ServerSession<'_> {
    fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    fn run(&mut self) -> io::Result<()> {
        if self.config.tls == TlsMode::Implicit {
            self.start_tls()?;
        }
        match self.rule("GREETING") {
            Some(action) => {
                if let Flow::Stop = self.act(&action)? {
                    return Ok(());
                }
            }
            None => self.send("220 scripted.test ESMTP ready")?,
        }
        for _ in 0..MAX_COMMANDS {
            let Some(text) = self.next_command()? else {
                return Ok(());
            };
            let rule = self.rule(&text);
            self.track_transaction(&text, rule.as_ref());
            let flow = match rule {
                Some(Action::DropAfter(n)) if self.record.messages.len() < n => {
                    self.default_reply(&text)?
                }
                Some(action) => {
                    let flow = self.act(&action)?;
                    // A scripted 354 still has to be followed by the message.
                    if matches!(&action, Action::Reply(r) if r.starts_with("354")) {
                        self.receive_message()?
                    } else {
                        flow
                    }
                }
                None => self.default_reply(&text)?,
            };
            if let Flow::Stop = flow {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Count the recipients accepted since MAIL (or RSET, or the last message).
    fn track_transaction(&mut self, line: &str, rule: Option<&Action>) {
        fn accepts(action: Option<&Action>) -> bool {
            match action {
                None | Some(Action::DropAfter(_)) => true,
                Some(Action::Reply(r)) => r.starts_with('2'),
                Some(Action::Delay(_, action)) => accepts(Some(action)),
                Some(_) => false,
            }
        }
        let upper = line.to_ascii_uppercase();
        match upper.split(' ').next().unwrap_or("") {
            "MAIL" | "RSET" => self.recipients = 0,
            "RCPT" if accepts(rule) => self.recipients += 1,
            _ => {}
        }
    }

    fn rule(&self, line: &str) -> Option<Action> {
        let upper = line.to_ascii_uppercase();
        self.config
            .rules
            .iter()
            .find(|(prefix, _)| {
                if prefix == "." || prefix == "GREETING" {
                    line == prefix
                } else {
                    upper.starts_with(&prefix.to_ascii_uppercase())
                }
            })
            .map(|(_, action)| action.clone())
    }

    fn act(&mut self, action: &Action) -> io::Result<Flow> {
        match action {
            Action::Reply(text) => {
                self.send(text)?;
                Ok(Flow::Continue)
            }
            Action::Drop | Action::DropAfter(_) => {
                self.stream = Stream::Gone;
                Ok(Flow::Stop)
            }
            Action::ReplyAndClose(text) => {
                self.send(text)?;
                self.stream = Stream::Gone;
                Ok(Flow::Stop)
            }
            Action::Delay(pause, action) => {
                std::thread::sleep(*pause);
                self.act(action)
            }
            Action::Hang => {
                // Read and ignore until the client gives up (or the time limit).
                let deadline = Instant::now() + LIMIT;
                let mut sink = [0u8; 4096];
                while Instant::now() < deadline {
                    match self.stream.read(&mut sink) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                Ok(Flow::Stop)
            }
        }
    }

    fn default_reply(&mut self, line: &str) -> io::Result<Flow> {
        let upper = line.to_ascii_uppercase();
        let verb = upper.split(' ').next().unwrap_or("");
        match verb {
            "EHLO" => {
                let mut lines = vec!["250-scripted.test greets you".to_owned()];
                let mut keywords = self.config.extensions.clone();
                if self.config.tls == TlsMode::StartTls && !self.is_tls() {
                    keywords.push("STARTTLS".into());
                }
                let n = keywords.len();
                for (i, k) in keywords.into_iter().enumerate() {
                    lines.push(format!("250{}{k}", if i + 1 == n { ' ' } else { '-' }));
                }
                if n == 0 {
                    lines[0] = "250 scripted.test greets you".into();
                }
                self.send(&lines.join("\r\n"))?;
            }
            "HELO" => self.send("250 scripted.test")?,
            "STARTTLS" if self.config.tls == TlsMode::StartTls && !self.is_tls() => {
                let mut reply = "220 2.0.0 ready for TLS\r\n".to_owned();
                if let Some(extra) = &self.config.inject_after_starttls {
                    reply.push_str(extra);
                }
                self.write_raw(reply.as_bytes())?;
                assert!(self.buf.is_empty(), "client sent bytes before TLS began");
                self.start_tls()?;
            }
            "AUTH" => self.auth(line)?,
            "MAIL" | "RCPT" | "RSET" | "NOOP" => self.send("250 2.0.0 ok")?,
            "DATA" if self.recipients == 0 => {
                self.send("554 5.5.1 Error: no valid recipients")?;
            }
            "DATA" => {
                self.recipients = 0;
                self.send("354 go ahead")?;
                return self.receive_message();
            }
            "QUIT" => {
                self.send("221 2.0.0 bye")?;
                return Ok(Flow::Stop);
            }
            _ => self.send("502 5.5.2 unknown command")?,
        }
        Ok(Flow::Continue)
    }

    fn receive_message(&mut self) -> io::Result<Flow> {
        let mut raw = Vec::new();
        let mut message = Vec::new();
        loop {
            let Some((line, _)) = self.read_line()? else {
                self.record.raw_data.push(raw);
                return Ok(Flow::Stop);
            };
            raw.extend(&line);
            if line == b".\r\n" {
                break;
            }
            message.extend(line.strip_prefix(b".").unwrap_or(&line));
        }
        self.record.raw_data.push(raw);
        self.record.messages.push(message);
        match self.rule(".") {
            Some(action) => self.act(&action),
            None => {
                self.send("250 2.0.0 queued as 42")?;
                Ok(Flow::Continue)
            }
        }
    }

    fn auth(&mut self, line: &str) -> io::Result<()> {
        let mut words = line.split(' ').skip(1);
        let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
        let initial = words.next().map(str::to_owned);
        let decode = |s: &str| {
            B64.decode(s.trim())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        let (user, secret) = match mechanism.as_str() {
            "PLAIN" => {
                let response = match initial {
                    Some(r) if !self.config.plain_asks_again => r,
                    _ => {
                        self.send("334 ")?;
                        self.continuation()?
                    }
                };
                let decoded = decode(&response);
                let mut parts = decoded.split('\0').skip(1);
                (
                    parts.next().unwrap_or("").to_owned(),
                    parts.next().unwrap_or("").to_owned(),
                )
            }
            "LOGIN" => {
                self.send("334 VXNlcm5hbWU6")?;
                let user = decode(&self.continuation()?);
                self.send("334 UGFzc3dvcmQ6")?;
                (user, decode(&self.continuation()?))
            }
            "XOAUTH2" | "OAUTHBEARER" => {
                let decoded = decode(initial.as_deref().unwrap_or(""));
                let field = |name: &str| {
                    decoded
                        .split(['\x01', ','])
                        .find_map(|f| f.strip_prefix(name))
                        .unwrap_or("")
                        .to_owned()
                };
                let user = if mechanism == "XOAUTH2" {
                    field("user=")
                } else {
                    field("a=")
                };
                let token = field("auth=Bearer ");
                if user != self.config.user || token != self.config.password {
                    let json =
                        r#"{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
                    self.send(&format!("334 {}", B64.encode(json)))?;
                    self.continuation()?;
                    return self.send("535 5.7.8 Username and Password not accepted");
                }
                (user, token)
            }
            "SCRAM-SHA-256" => return self.scram(initial.as_deref().unwrap_or("")),
            _ => return self.send("504 5.5.4 unrecognized authentication type"),
        };
        if user == self.config.user && secret == self.config.password {
            self.record.authenticated = Some(user);
            self.send("235 2.7.0 Authentication successful")
        } else {
            self.send("535 5.7.8 Authentication credentials invalid")
        }
    }

    /// RFC 5802 §5 with the client's first message given; a client that does not
    /// accept the server's signature cancels with "*" (RFC 4954 §4).
    fn scram(&mut self, first: &str) -> io::Result<()> {
        let Some((exchange, challenge)) = super::scram_server::challenge(first) else {
            return self.send("501 5.5.2 bad SCRAM message");
        };
        self.send(&format!("334 {challenge}"))?;
        let proof = self.continuation()?;
        let password = self.config.password.clone();
        let forge = self.config.forge_scram_signature;
        if exchange.user() != self.config.user {
            return self.send("535 5.7.8 Authentication credentials invalid");
        }
        let Some(last) = exchange.verify(&proof, &password, forge) else {
            return self.send("535 5.7.8 Authentication credentials invalid");
        };
        self.send(&format!("334 {last}"))?;
        if self.continuation()? == "*" {
            return self.send("501 5.7.0 Authentication aborted");
        }
        self.record.authenticated = Some(exchange.user().to_owned());
        self.send("235 2.7.0 Authentication successful")
    }

    /// The next command line (or AUTH continuation), recorded; None at the end.
    fn next_command(&mut self) -> io::Result<Option<String>> {
        let Some((raw, read)) = self.read_line()? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&raw)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        let tls = self.is_tls();
        self.record.lines.push(Line {
            text: text.clone(),
            tls,
            read,
        });
        Ok(Some(text))
    }

    fn continuation(&mut self) -> io::Result<String> {
        self.next_command()?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "client left in AUTH"))
    }

    fn start_tls(&mut self) -> io::Result<()> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return Err(io::Error::other("TLS twice"));
        };
        let mut conn = ServerConnection::new(self.tls_config.clone())
            .map_err(|e| io::Error::other(e.to_string()))?;
        let mut tcp = tcp;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        self.stream = Stream::Tls(Box::new(StreamOwned::new(conn, tcp)));
        Ok(())
    }

    fn send(&mut self, reply: &str) -> io::Result<()> {
        self.write_raw(format!("{reply}\r\n").as_bytes())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// A raw line including its "\n", or None at end of stream. Lines longer than
    /// 1 MiB end the session (an error), so a broken client cannot fill memory.
    fn read_line(&mut self) -> io::Result<Option<(Vec<u8>, usize)>> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=pos).collect();
                return Ok(Some((line, self.reads)));
            }
            if self.buf.len() > 1 << 20 {
                return Err(io::Error::other("line too long"));
            }
            let mut chunk = [0u8; 64 * 1024];
            let n = match self.stream.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(None);
            }
            self.reads += 1;
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}
