//! One session of the scripted server: the dialogue, command by command, with the
//! test's rules first; STARTTLS and implicit TLS, AUTH, DATA and BDAT (`session/bdat.rs`),
//! recorded.

use super::*;

/// Serve one connection as `config` says; what the client sent.
pub(super) fn serve(tcp: TcpStream, tls_config: Arc<ServerConfig>, config: Config) -> Record {
    let mut record = Record::default();
    let mut session = ServerSession {
        stream: Stream::Plain(tcp),
        buf: Vec::new(),
        reads: 0,
        tls_config,
        config,
        record: &mut record,
        recipients: 0,
        chunked: Vec::new(),
    };
    if let Err(e) = session.run() {
        session.record.error = Some(e.to_string());
    }
    record
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
    /// The BDAT chunks of the message so far (`session/bdat.rs`).
    chunked: Vec<u8>,
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
            "MAIL" | "RSET" => {
                self.recipients = 0;
                self.chunked.clear();
            }
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
            "BDAT" if self.config.extensions.iter().any(|e| e == "CHUNKING") => {
                return self.receive_chunk(line);
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
        let Some((exchange, challenge)) = super::super::scram_server::challenge(first) else {
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

mod bdat;
