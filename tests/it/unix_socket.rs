//! The transport over a Unix socket: the scripted server behind a relay from a Unix
//! socket, so that STARTTLS, implicit TLS and AUTH run over `Socket::Unix` exactly as
//! over TCP (the certificate checked for "localhost", the socket's own name).

use std::io::{self, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::time::Duration;

use crate::support::scripted_server::{Config, Server, TlsMode};
use posta::envelope::{Dsn, Envelope};
use posta::smtp::{Credentials, Payload, Security, Settings, TlsSettings};

struct Bytes(&'static [u8]);

impl Payload for Bytes {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.0)
    }
}

/// A Unix socket in a fresh directory whose one connection is relayed to `port` on
/// loopback, both ways, until either side closes.
fn relay_to(port: u16) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smtp");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let (unix, _) = listener.accept().unwrap();
        let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (mut unix_in, mut tcp_out) = (unix.try_clone().unwrap(), tcp.try_clone().unwrap());
        let up = std::thread::spawn(move || {
            let _ = io::copy(&mut unix_in, &mut tcp_out);
            let _ = tcp_out.shutdown(std::net::Shutdown::Write);
        });
        let (mut tcp_in, mut unix_out) = (tcp, unix);
        let _ = io::copy(&mut tcp_in, &mut unix_out);
        let _ = unix_out.shutdown(std::net::Shutdown::Write);
        let _ = up.join();
    });
    (dir, path)
}

fn settings(path: &std::path::Path, security: Security, server: &Server) -> Settings {
    Settings {
        tls: TlsSettings {
            ca_file: Some(server.ca_file.clone()),
            ..Default::default()
        },
        helo_name: "client.test".into(),
        timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        credentials: Some(Credentials::password("jane", "s3cret-Pa55")),
        ..Settings::new(format!("unix:{}", path.display()), 25, security)
    }
}

fn envelope() -> Envelope {
    Envelope {
        from: "jane@example.org".into(),
        to: vec!["bob@example.org".into()],
        smtputf8: false,
    }
}

#[test]
fn tls_runs_over_a_unix_socket_when_asked_and_is_checked_for_localhost() {
    for (mode, security, label) in [
        (TlsMode::StartTls, Security::StartTls, "starttls "),
        (TlsMode::Implicit, Security::Tls, "tls "),
    ] {
        let server = Server::start(Config {
            tls: mode,
            ..Default::default()
        });
        let (_dir, path) = relay_to(server.port());
        let s = settings(&path, security, &server);
        let outcome = posta::smtp::submit(
            &s,
            &envelope(),
            &Dsn::default(),
            &mut Bytes(b"Subject: x\r\n\r\ny\r\n"),
            None,
        )
        .unwrap();
        assert!(outcome.security.starts_with(label), "{}", outcome.security);
        assert_eq!(outcome.server, s.host);
        let record = server.finish();
        assert_eq!(record.authenticated.as_deref(), Some("jane"));
        assert_eq!(record.messages.len(), 1);
    }
}

#[test]
fn a_password_crosses_a_plain_unix_socket_as_it_crosses_loopback() {
    let server = Server::start(Config::default());
    let (_dir, path) = relay_to(server.port());
    let s = settings(&path, Security::Plain, &server);
    let outcome = posta::smtp::submit(
        &s,
        &envelope(),
        &Dsn::default(),
        &mut Bytes(b"Subject: x\r\n\r\ny\r\n"),
        None,
    )
    .unwrap();
    assert_eq!(outcome.security, "plain");
    assert_eq!(server.finish().authenticated.as_deref(), Some("jane"));
}
