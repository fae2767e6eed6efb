//! The posta binary against the scripted server, for what a real Postfix will not do
//! on demand: an OAuth2 token refused with a JSON challenge, servers without SMTPUTF8,
//! DSN or 8BITMIME — each seen from the command line (exit code, message, `--json`).

use std::path::Path;
use std::process::{Command, Output};

use crate::support::scripted_server::{Config, Record, Server, TlsMode};
use crate::support::{json, posta, run_with_input, text, write_config};

/// The scripted server's accepted user and password (or token).
const USER: &str = "jane";
const TOKEN: &str = "s3cret-Pa55";

/// A home whose profile "o" logs in to `server` over implicit TLS with a token from
/// `oauth_token_command`, and logs to `home/posta.log`.
fn oauth_home(server: &Server, token: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "default = \"o\"\n[profiles.o]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\n\
         ca_file = \"{}\"\nuser = \"{USER}\"\nfrom = \"jane@example.org\"\n\
         oauth_token_command = \"echo {token}\"\nlog_file = \"~/posta.log\"\n",
        server.port(),
        server.ca_file.display()
    );
    write_config(home.path(), &config);
    home
}

fn send_to(home: &Path, extra: &[&str]) -> Output {
    let mut cmd = posta(home);
    cmd.args(["send", "--to", "bob@example.org", "-s", "hi", "--body", "x"])
        .args(extra);
    cmd.output().unwrap()
}

/// `posta send` in clear to a scripted server without AUTH.
fn send_plain(server: &Server, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.arg("--json")
        .args([
            "send",
            "--from",
            "jane@example.org",
            "-s",
            "hi",
            "--body",
            "x",
        ])
        .args(["--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--security", "plain"])
        .args(args);
    cmd.output().unwrap()
}

#[test]
fn an_xoauth2_refusal_shows_the_providers_json_reason_through_send_json() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        extensions: vec!["AUTH PLAIN XOAUTH2".into()],
        ..Default::default()
    });
    let home = oauth_home(&server, "ya29.expired-token");
    let mut cmd: Command = posta(home.path());
    cmd.args(["--json", "-v", "send", "--to", "bob@example.org"])
        .args(["-s", "hi", "--body", "x"]);
    let out = cmd.output().unwrap();
    let record = server.finish();
    assert_eq!(out.status.code(), Some(77), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["status"], "failed");
    assert_eq!(v["stage"], "auth");
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("535 5.7.8"), "{error}");
    // The base64 challenge, decoded: the provider's reason, not a bare 535.
    assert!(error.contains(r#""status":"401""#), "{error}");
    assert!(
        error.contains(r#""scope":"https://mail.google.com/""#),
        "{error}"
    );
    assert_eq!(v["reply"]["enhanced"], "5.7.8");
    // A token picks the OAuth mechanism by itself; PLAIN was offered and not used.
    assert!(record.sent("AUTH XOAUTH2 "), "{:?}", record.commands());
    assert!(!record.sent("AUTH PLAIN"));
    assert!(!record.sent("MAIL"));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains("ya29.expired-token"), "{all}");
    let log = std::fs::read_to_string(home.path().join("posta.log")).unwrap();
    assert!(log.contains("exit=77") && !log.contains("ya29"), "{log}");
}

/// `posta send` (with `extra` flags first) through profile "r", which logs in to
/// `server` with a password the server does not take; what it said, and the server's
/// record.
fn send_with_a_refused_login(server: Server, extra: &[&str]) -> (Output, Record) {
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "default = \"r\"\n[profiles.r]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"plain\"\n\
         user = \"{USER}\"\nfrom = \"jane@example.org\"\npassword_env = \"R_PASSWORD\"\n",
        server.port()
    );
    write_config(home.path(), &config);
    let mut cmd = posta(home.path());
    cmd.env("R_PASSWORD", TOKEN).args(extra).args([
        "send",
        "--to",
        "bob@example.org",
        "-s",
        "hi",
        "--body",
        "x",
    ]);
    let out = cmd.output().unwrap();
    (out, server.finish())
}

/// A server that relays for this client without a login took the message (BDAT: it
/// went with the login, RFC 4954 §4) although the login was refused: sent, exit 0,
/// and the refused login said in `--json`; never sent twice.
#[test]
fn a_message_taken_without_the_refused_login_is_sent_with_a_warning() {
    let mut extensions = Config::default().extensions;
    extensions.push("CHUNKING".into());
    let server = Server::start(Config {
        password: "another-password".into(),
        extensions,
        ..Config::default()
    });
    let (out, record) = send_with_a_refused_login(server, &["--json"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(record.messages.len(), 1, "sent once");
    assert!(record.authenticated.is_none());
    let auth = record.line("AUTH PLAIN ").unwrap().read;
    assert_eq!(
        record.line("MAIL").unwrap().read,
        auth,
        "{:?}",
        record.lines
    );
    let v = json(&out);
    assert_eq!(v["status"], "sent");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("login was not accepted (535"),
        "{warnings}"
    );
    assert!(!stderr.contains(TOKEN) && !warnings.contains(TOKEN));
}

/// The same server without CHUNKING: its 354 after the refused login gets no message
/// (posta leaves), and the login is the error, 77.
#[test]
fn with_data_a_refused_login_sends_no_message_even_when_the_server_would_take_it() {
    let server = Server::start(Config {
        password: "another-password".into(),
        ..Config::default()
    });
    let (out, record) = send_with_a_refused_login(server, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "{stderr}");
    assert!(stderr.contains("535"), "{stderr}");
    assert!(record.messages.is_empty(), "{:?}", record.messages);
    assert!(
        !record.sent("QUIT"),
        "left without a word: {:?}",
        record.commands()
    );
}

#[test]
fn a_token_prefers_oauthbearer_when_both_are_offered() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        extensions: vec!["AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER".into()],
        ..Default::default()
    });
    let home = oauth_home(&server, TOKEN);
    let out = send_to(home.path(), &[]);
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(record.sent("AUTH OAUTHBEARER "), "{:?}", record.commands());
    assert_eq!(record.authenticated.as_deref(), Some(USER));
    assert_eq!(record.messages.len(), 1);
}

#[test]
fn a_token_with_no_oauth_mechanism_offered_sends_nothing() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        extensions: vec!["AUTH PLAIN LOGIN".into()],
        ..Default::default()
    });
    let home = oauth_home(&server, TOKEN);
    let out = send_to(home.path(), &[]);
    let record = server.finish();
    assert_eq!(out.status.code(), Some(77), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("neither AUTH OAUTHBEARER nor XOAUTH2"),
        "{}",
        text(&out.stderr)
    );
    assert!(!record.sent("AUTH"));
}

#[test]
fn without_smtputf8_a_utf8_local_part_is_65_and_an_idn_domain_goes_as_punycode() {
    let server = Server::start(Config::default());
    let out = send_plain(&server, &["--to", "josé@example.org"]);
    let record = server.finish();
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    let v = json(&out);
    assert!(
        v["error"].as_str().unwrap().contains("SMTPUTF8"),
        "{}",
        v["error"]
    );
    assert!(!record.sent("MAIL"), "{:?}", record.commands());

    let server = Server::start(Config::default());
    let out = send_plain(&server, &["--to", "bob@bücher.example"]);
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        record.line("RCPT").unwrap().text,
        "RCPT TO:<bob@xn--bcher-kva.example>"
    );
    assert!(!record.line("MAIL").unwrap().text.contains("SMTPUTF8"));
}

#[test]
fn without_dsn_the_request_is_a_warning_and_the_message_still_goes() {
    let server = Server::start(Config::default());
    let out = send_plain(
        &server,
        &[
            "--to",
            "bob@example.org",
            "--dsn-notify",
            "failure",
            "--dsn-return",
            "full",
        ],
    );
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning: the server does not offer DSN"),
        "{}",
        text(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["status"], "sent");
    assert!(v["warnings"][0].as_str().unwrap().contains("DSN"), "{v}");
    let mail = &record.line("MAIL").unwrap().text;
    assert!(!mail.contains("RET=") && !mail.contains("ENVID="), "{mail}");
    assert!(!record.line("RCPT").unwrap().text.contains("NOTIFY="));
    assert_eq!(record.messages.len(), 1);
}

#[test]
fn without_8bitmime_8bit_content_goes_with_a_warning_and_no_body_parameter() {
    let server = Server::start(Config {
        extensions: vec!["PIPELINING".into()],
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args([
        "sendmail",
        "--server",
        &format!("127.0.0.1:{}", server.port()),
    ])
    .args(["--security", "plain", "bob@example.org"]);
    let message = "From: jane@example.org\nSubject: Grüße\n\nÄpfel\n";
    let out = run_with_input(cmd, message.as_bytes());
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("8BITMIME"),
        "{}",
        text(&out.stderr)
    );
    assert!(!record.line("MAIL").unwrap().text.contains("BODY="));
    assert_eq!(record.messages.len(), 1);
}

/// `posta probe` of a scripted server on 127.0.0.1, with `args`.
fn probe(server: &Server, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["probe", "--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--timeout", "5"])
        .args(args);
    cmd.output().unwrap()
}

#[test]
fn probe_without_starttls_shows_what_is_offered_and_fails_76() {
    let server = Server::start(Config::default());
    let out = probe(
        &server,
        &["--security", "starttls", "--ehlo", "client.test"],
    );
    let record = server.finish();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(76), "{stdout}{stderr}");
    assert!(stdout.contains("greeting    220 "), "{stdout}");
    assert!(
        stdout.contains("AUTH        PLAIN LOGIN XOAUTH2"),
        "{stdout}"
    );
    assert!(stdout.contains("STARTTLS no"), "{stdout}");
    assert!(stdout.contains("STARTTLS not offered"), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        "posta: error: STARTTLS: the server does not offer STARTTLS, so posta will not \
         send through it with --security starttls (use --security tls for port 465, or \
         --security plain to send in clear)"
    );
    // Nothing but EHLO, and a polite QUIT.
    assert_eq!(record.commands(), ["EHLO client.test", "QUIT"]);

    // --json: one object, with what the server offers and the failure.
    let server = Server::start(Config::default());
    let out = probe(&server, &["--json", "--security", "starttls"]);
    server.finish();
    assert_eq!(out.status.code(), Some(76), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["status"], "failed");
    assert_eq!(v["exit_code"], 76);
    assert_eq!(v["stage"], "start_tls");
    assert_eq!(v["transient"], false);
    assert_eq!(v["security"], "plain");
    assert_eq!(v["greeting"]["code"], 220);
    assert_eq!(
        v["capabilities"]["auth"],
        serde_json::json!(["PLAIN", "LOGIN", "XOAUTH2"])
    );
    assert_eq!(v["capabilities"]["starttls"], false);
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("does not offer STARTTLS"), "{error}");
    assert!(!error.contains("nothing was sent"), "{error}");
}

const INSECURE_WARNING: &str = "--insecure: the server certificate is not checked";

#[test]
fn probe_insecure_warns_like_send_and_lists_it_in_json() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        ..Default::default()
    });
    let out = probe(&server, &["--security", "tls", "--insecure"]);
    server.finish();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("posta: warning: {INSECURE_WARNING}")),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("NO: --insecure skipped the checks"));

    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        ..Default::default()
    });
    let out = probe(&server, &["--json", "--security", "tls", "--insecure"]);
    server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["status"], "ok");
    let warnings = v["warnings"].as_array().expect("a warnings array");
    assert_eq!(warnings.len(), 1, "{v}");
    assert!(
        warnings[0].as_str().unwrap().starts_with(INSECURE_WARNING),
        "{v}"
    );
    assert_eq!(v["certificate"]["verified"], false);
}

#[test]
fn probe_with_login_options_says_it_does_not_log_in() {
    let server = Server::start(Config::default());
    let out = probe(
        &server,
        &[
            "--json",
            "--security",
            "plain",
            "--auth",
            "plain",
            "--user",
            USER,
        ],
    );
    let record = server.finish();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let expected = "probe does not log in, so --user and --auth are not used";
    assert!(
        stderr.contains(&format!("posta: warning: {expected}")),
        "{stderr}"
    );
    let v = json(&out);
    assert!(
        v["warnings"][0].as_str().unwrap().starts_with(expected),
        "{v}"
    );
    assert!(!record.sent("AUTH"), "{:?}", record.commands());

    // Without login options, no such warning.
    let server = Server::start(Config::default());
    let out = probe(&server, &["--json", "--security", "plain"]);
    server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["warnings"], serde_json::json!([]));
    assert!(!text(&out.stderr).contains("warning"));
}
