//! A token endpoint that fails: one that never answers, one that answers 500, one that
//! answers with a hostile error text. The send must end in bounded time with 75 (try
//! later), or be queued in sendmail mode; a provider's text never reaches the terminal
//! raw. A scripted HTTP server on loopback, since the real one will not misbehave on
//! demand (tests/e2e/oauth.rs has the real one).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::*;

/// A loopback "token endpoint" that reads each request and answers with `answer`, or
/// never answers when it is `None`. Runs until the test process ends.
fn token_endpoint(answer: Option<&'static str>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(20) {
            let mut stream = stream.unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            match answer {
                Some(a) => {
                    let _ = stream.write_all(a.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    port
}

/// A profile whose stored login has an expired access token (so a send must refresh)
/// and whose token endpoint is `port`; an SMTP server that is never reached.
fn setup(home: &Path, port: u16) {
    write_config(
        home,
        &format!(
            "[profiles.t]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"plain\"\n\
             user = \"jo@example.test\"\nfrom = \"jo@example.test\"\nauth = \"xoauth2\"\n\
             timeout = 2\noauth2_client_id = \"posta\"\n\
             oauth2_auth_url = \"http://127.0.0.1:{port}/auth\"\n\
             oauth2_token_url = \"http://127.0.0.1:{port}/token\"\n\
             oauth2_scopes = [\"mail\"]\ntoken_store = \"file\"\n",
            closed_port()
        ),
    );
    let dir = home.join("data/posta/oauth");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("t.json"),
        format!(
            "{{\"refresh\":\"the-refresh-token\",\"access\":\"old-access\",\"expires_at\":0,\
             \"scope\":\"mail\",\"client_id\":\"posta\",\"token_url\":\"http://127.0.0.1:{port}/token\"}}"
        ),
    )
    .unwrap();
}

fn send(home: &Path) -> std::process::Output {
    posta(home)
        .args([
            "-p",
            "t",
            "send",
            "--to",
            "bo@example.test",
            "-s",
            "x",
            "--body",
            "hi",
        ])
        .output()
        .unwrap()
}

#[test]
fn a_token_endpoint_that_never_answers_is_75_in_bounded_time() {
    let home = tempfile::tempdir().unwrap();
    setup(home.path(), token_endpoint(None));
    let started = Instant::now();
    let out = send(home.path());
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no answer in time"),
        "{}",
        text(&out.stderr)
    );
    // Bounded by the profile's timeout (2 s), not a hang; generous for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_token_endpoint_in_trouble_is_75_and_sendmail_mode_queues() {
    let home = tempfile::tempdir().unwrap();
    setup(
        home.path(),
        token_endpoint(Some(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!",
        )),
    );
    let out = send(home.path());
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("the-refresh-token"));

    let mut cmd = posta(home.path());
    cmd.args(["-p", "t", "sendmail", "-t"]);
    let out = run_with_input(
        cmd,
        b"From: jo@example.test\nTo: bo@example.test\nSubject: q\n\nhi\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let list = posta(home.path()).args(["queue", "list"]).output().unwrap();
    assert!(
        text(&list.stdout).contains("bo@example.test"),
        "{}",
        text(&list.stdout)
    );
}

#[test]
fn a_provider_error_is_said_in_words_without_its_escapes() {
    let home = tempfile::tempdir().unwrap();
    // A hostile description: an escape sequence, and the refresh token echoed back.
    let body = "{\"error\":\"invalid_grant\",\"error_description\":\"revoked\\u001b[2J by admin: the-refresh-token\"}";
    let answer: &'static str = Box::leak(
        format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    );
    setup(home.path(), token_endpoint(Some(answer)));
    let out = send(home.path());
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "{err}");
    assert!(err.contains("invalid_grant (revoked"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
    assert!(err.contains("posta auth login t"), "{err}");
    assert!(!err.contains("the-refresh-token"), "{err}");
}

/// A session of `posta batch` that outlives its access token: the server refuses the old
/// token at the next login, the renewal gives a new one, and the session opens with it.
#[test]
fn a_reused_session_logs_in_again_with_a_renewed_token() {
    use crate::support::scripted_server::{Config, Server};
    use posta::envelope::{Dsn, Envelope};
    use posta::secret::Secret;
    use posta::smtp::{
        AuthMechanism, Credentials, Payload, Renewal, ReusedSession, Security, Settings,
    };
    struct Bytes(&'static [u8]);
    impl Payload for Bytes {
        fn write_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
            out.write_all(self.0)
        }
    }
    // Each session accepts only the token "fresh-token".
    let config = || Config {
        password: "fresh-token".into(),
        ..Config::default()
    };
    let server = Server::start_sessions(vec![config(), config()]);
    let renewed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = renewed.clone();
    let settings = Settings {
        helo_name: "client.test".into(),
        timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        credentials: Some(Credentials {
            user: "jane".into(),
            secret: Secret::new("expired-token"),
            token: true,
            renew: Some(Renewal(std::sync::Arc::new(move |refused: &Secret| {
                assert_eq!(refused.expose(), "expired-token");
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Some(Secret::new("fresh-token"))
            }))),
        }),
        mechanism: AuthMechanism::Xoauth2,
        ..Settings::new("127.0.0.1", server.port(), Security::Plain)
    };
    let mut session = ReusedSession::open(&settings, None).expect("logged in the second time");
    let envelope = Envelope {
        from: "jane@example.org".into(),
        to: vec!["bob@example.org".into()],
        smtputf8: false,
    };
    let message = b"From: jane@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHi.\r\n";
    session
        .send(&envelope, &Dsn::default(), &mut Bytes(message))
        .unwrap();
    session.close();
    assert_eq!(renewed.load(std::sync::atomic::Ordering::SeqCst), 1);
    let sessions = server.finish_sessions();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[1].messages.len(), 1);
}

/// Discovery: no RFC 8414 metadata (a 404 page of HTML), then the OpenID metadata, whose
/// device endpoint is then asked (and refuses the client: 78, the provider's words).
#[test]
fn discovery_falls_back_to_openid_metadata() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let issuer = format!("http://127.0.0.1:{port}");
    let metadata = format!(
        "{{\"issuer\":\"{issuer}\",\"authorization_endpoint\":\"{issuer}/auth\",\
         \"token_endpoint\":\"{issuer}/token\",\"device_authorization_endpoint\":\"{issuer}/device\"}}"
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(10) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let (status, body) = if head.contains("oauth-authorization-server") {
                ("404 Not Found", "<html>nothing here</html>".to_string())
            } else if head.contains("openid-configuration") {
                ("200 OK", metadata.clone())
            } else {
                (
                    "400 Bad Request",
                    "{\"error\":\"invalid_client\",\"error_description\":\"no such client\"}"
                        .into(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[profiles.d]\nhost = \"smtp.example\"\noauth2_client_id = \"nobody\"\n\
             oauth2_issuer = \"{issuer}\"\noauth2_scopes = [\"mail\"]\ntoken_store = \"file\"\n"
        ),
    );
    let out = posta(home.path())
        .args(["auth", "login", "d", "--device"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(err.contains("invalid_client (no such client)"), "{err}");
}

/// The device grant: `slow_down` is not a failure (RFC 8628 section 3.5): the next poll
/// comes later and the login completes; the tokens are stored.
#[test]
fn the_device_grant_honours_slow_down() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let polls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = polls.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(10) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let (status, body) = if head.starts_with("POST /device") {
                (
                    "200 OK",
                    format!(
                        "{{\"device_code\":\"dc-1\",\"user_code\":\"ABCD-EFGH\",\
                         \"verification_uri\":\"http://127.0.0.1:{port}/verify\",\
                         \"interval\":1,\"expires_in\":60}}"
                    ),
                )
            } else if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                ("400 Bad Request", "{\"error\":\"slow_down\"}".to_string())
            } else {
                (
                    "200 OK",
                    "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":600,\
                     \"refresh_token\":\"rt-1\",\"scope\":\"mail\"}"
                        .to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[profiles.v]\nhost = \"smtp.example\"\noauth2_client_id = \"posta\"\n\
             oauth2_auth_url = \"http://127.0.0.1:{port}/auth\"\n\
             oauth2_token_url = \"http://127.0.0.1:{port}/token\"\n\
             oauth2_device_url = \"http://127.0.0.1:{port}/device\"\n\
             oauth2_scopes = [\"mail\"]\ntoken_store = \"file\"\n"
        ),
    );
    let out = posta(home.path())
        .args(["auth", "login", "v", "--device"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("ABCD-EFGH"), "{err}");
    assert_eq!(polls.load(std::sync::atomic::Ordering::SeqCst), 2);
    let stored = std::fs::read_to_string(home.path().join("data/posta/oauth/v.json")).unwrap();
    assert!(stored.contains("rt-1"));
    assert!(!err.contains("at-1") && !err.contains("rt-1"));
}

/// No login yet: `auth status` says so (77) with the command to run; `auth logout` has
/// nothing to forget (78); a send is 77 with the same command, before any connection.
#[test]
fn without_a_login_status_logout_and_send_say_what_to_run() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "[profiles.n]\nhost = \"127.0.0.1\"\nsecurity = \"plain\"\nuser = \"jo@example.test\"\n\
         from = \"jo@example.test\"\noauth2_client_id = \"posta\"\n\
         oauth2_token_url = \"https://idp.example/token\"\noauth2_scopes = [\"mail\"]\n\
         token_store = \"file\"\n",
    );
    let status = posta(home.path())
        .args(["auth", "status", "n"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(77));
    let said = format!("{}{}", text(&status.stdout), text(&status.stderr));
    assert!(
        said.contains("not logged in") && said.contains("posta auth login n"),
        "{said}"
    );
    let logout = posta(home.path())
        .args(["auth", "logout", "n"])
        .output()
        .unwrap();
    assert_eq!(logout.status.code(), Some(78), "{}", text(&logout.stderr));
    let send = send_profile(home.path(), "n");
    assert_eq!(send.status.code(), Some(77), "{}", text(&send.stderr));
    assert!(text(&send.stderr).contains("posta auth login n"));
}

fn send_profile(home: &Path, name: &str) -> std::process::Output {
    posta(home)
        .args([
            "-p",
            name,
            "send",
            "--to",
            "bo@example.test",
            "-s",
            "x",
            "--body",
            "hi",
        ])
        .output()
        .unwrap()
}
