//! Every AUTH mechanism with every secret source, through the binary at `-vv`, with a
//! `log_file`: the password or token (raw, or in any base64 form a mechanism sends)
//! must appear in no stdout, stderr, transcript, log file or process argument list.
//! (The keyring source has its own test in tests/e2e/keyring.rs.) A message queued after a
//! failed attempt must not carry the secret into the spool either.

use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::scripted_server::{Config, Server, TlsMode};
use crate::support::{posta, text};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

const USER: &str = "jane";

#[derive(Debug, Clone, Copy)]
enum Source {
    EnvPosta,
    FlagCommand,
    ConfigCommand,
    ConfigEnv,
    ConfigLiteral,
    ConfigOauthCommand,
    FlagOauthCommand,
}

const PASSWORD_SOURCES: [Source; 5] = [
    Source::EnvPosta,
    Source::FlagCommand,
    Source::ConfigCommand,
    Source::ConfigEnv,
    Source::ConfigLiteral,
];
const TOKEN_SOURCES: [Source; 2] = [Source::ConfigOauthCommand, Source::FlagOauthCommand];

/// Every form of `secret` a mechanism might put on the wire.
fn forms(secret: &str) -> Vec<String> {
    let mut v = vec![
        secret.to_string(),
        B64.encode(secret),
        B64.encode(format!("\0{USER}\0{secret}")),
        B64.encode(format!("{USER}\0{USER}\0{secret}")),
        B64.encode(format!("user={USER}\x01auth=Bearer {secret}\x01\x01")),
        B64.encode(format!("n,a={USER},\x01auth=Bearer {secret}\x01\x01")),
    ];
    // A secret in the middle of a longer base64 string shows as its inner 3-byte groups
    // in one of three alignments; look for a long run of each.
    for shift in 0..3 {
        let padded = format!("{}{secret}", "x".repeat(shift));
        let enc = B64.encode(&padded);
        let start = shift.div_ceil(3) * 4;
        let end = enc.len().saturating_sub(4);
        if end > start + 8 {
            v.push(enc[start..end].to_string());
        }
    }
    v
}

/// Watch every process's argument list while posta runs; report any holding `secret`.
fn watch_argv(secret: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            if let Ok(dir) = std::fs::read_dir("/proc") {
                for entry in dir.flatten() {
                    if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
                        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                        if cmdline.contains(&secret) && !seen.contains(&cmdline) {
                            seen.push(cmdline);
                        }
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        seen
    })
}

fn sweep_one(mechanism: &str, source: Source) {
    let secret = format!("Sw33p-{mechanism}-{source:?}-{}", std::process::id());
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        extensions: vec!["AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER".into()],
        password: secret.clone(),
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let secret_file = home.path().join("secret.txt");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let cat = format!("cat {}", secret_file.display());
    let mut profile = format!(
        "default = \"s\"\n[profiles.s]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\n\
         ca_file = \"{}\"\nuser = \"{USER}\"\nfrom = \"jane@example.org\"\n\
         log_file = \"~/posta.log\"\nauth = \"{mechanism}\"\n",
        server.port(),
        server.ca_file.display()
    );
    match source {
        Source::ConfigCommand => profile.push_str(&format!("password_command = \"{cat}\"\n")),
        Source::ConfigEnv => profile.push_str("password_env = \"SWEEP_SECRET\"\n"),
        Source::ConfigLiteral => profile.push_str(&format!("password = \"{secret}\"\n")),
        Source::ConfigOauthCommand => {
            profile.push_str(&format!("oauth_token_command = \"{cat}\"\n"))
        }
        _ => {}
    }
    crate::support::write_config(home.path(), &profile);

    let mut cmd: Command = posta(home.path());
    cmd.args(["-vv", "send", "--to", "bob@example.org", "-s", "sweep"])
        .args(["--body", "x"]);
    match source {
        Source::EnvPosta => {
            cmd.env("POSTA_PASSWORD", &secret);
        }
        Source::ConfigEnv => {
            cmd.env("SWEEP_SECRET", &secret);
        }
        Source::FlagCommand => {
            cmd.args(["--password-command", &cat]);
        }
        Source::FlagOauthCommand => {
            cmd.args(["--oauth-token-command", &cat]);
        }
        _ => {}
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_argv(secret.clone(), stop.clone());
    let start = Instant::now();
    let out: Output = cmd.output().unwrap();
    stop.store(true, Ordering::SeqCst);
    let argv_hits = watcher.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(20));

    let what = format!("{mechanism} with {source:?}");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{what}: {stdout}{stderr}");
    assert!(
        stderr.contains("AUTH"),
        "{what}: no -vv transcript: {stderr}"
    );
    let log = std::fs::read_to_string(home.path().join("posta.log")).unwrap_or_default();
    assert!(!log.is_empty(), "{what}: log_file not written");
    for form in forms(&secret) {
        for (place, content) in [("stdout", &stdout), ("stderr", &stderr), ("log", &log)] {
            assert!(
                !content.contains(&form),
                "{what}: {form:?} appears in {place}:\n{content}"
            );
        }
    }
    assert!(argv_hits.is_empty(), "{what}: in argv: {argv_hits:?}");
    let record = server.finish();
    assert_eq!(record.authenticated.as_deref(), Some(USER), "{what}");
    assert_eq!(record.messages.len(), 1, "{what}");
}

#[test]
fn passwords_from_every_source_with_plain_and_login_never_leak() {
    for mechanism in ["plain", "login"] {
        for source in PASSWORD_SOURCES {
            sweep_one(mechanism, source);
        }
    }
}

#[test]
fn tokens_from_every_source_with_xoauth2_and_oauthbearer_never_leak() {
    for mechanism in ["xoauth2", "oauthbearer"] {
        for source in TOKEN_SOURCES {
            sweep_one(mechanism, source);
        }
    }
}

#[test]
fn the_sweep_would_see_a_leak() {
    // The checks above are only worth something if they can fail.
    let secret = "Sw33p-canary";
    let line = format!("AUTH PLAIN {}", B64.encode(format!("\0{USER}\0{secret}")));
    assert!(forms(secret).iter().any(|f| line.contains(f.as_str())));
    let embedded = B64.encode(format!("prefix {secret} suffix"));
    assert!(
        forms(secret)
            .iter()
            .skip(6)
            .any(|f| embedded.contains(f.as_str()))
    );
}

/// Queue a message (the server is down) with the password from the environment and from
/// `--password-command`, then search every file of the spool for the secret in any form.
#[test]
fn a_queued_message_carries_no_secret() {
    let home = tempfile::tempdir().unwrap();
    let secret = "queue-secret-Zq7w9";
    // A port nobody listens on: bind, note the port, close.
    let port = crate::support::closed_port();
    for via_command in [false, true] {
        let mut cmd = posta(home.path());
        cmd.args([
            "-vv",
            "send",
            "--server",
            &format!("127.0.0.1:{port}"),
            "--security",
            "plain",
            "--user",
            USER,
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
            "-s",
            "queued",
            "--body",
            "x",
            "--queue",
            "on-temporary-failure",
            "--timeout",
            "2",
        ]);
        if via_command {
            cmd.args(["--password-command", &format!("printf %s {secret}")]);
        } else {
            cmd.env("POSTA_PASSWORD", secret);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("queued as"),
            "{}",
            text(&out.stderr)
        );
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        for form in forms(secret) {
            assert!(!all.contains(&form), "secret in output");
        }
    }
    let spool = home.path().join("data/posta/queue");
    let mut files = 0;
    let mut stack = vec![spool.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            for form in forms(secret) {
                assert!(
                    !crate::support::contains(&bytes, form.as_bytes()),
                    "secret in {}",
                    path.display()
                );
            }
            assert!(
                !crate::support::contains(&bytes, b"printf %s"),
                "password command in {}",
                path.display()
            );
        }
    }
    assert!(
        files >= 4,
        "expected two queued entries in {}, found {files} files",
        spool.display()
    );
}

// ------------------------------------------------ a server that echoes the secret

/// A server that answers AUTH by quoting what it was sent, base64 and decoded
/// (`535 … you said UzNjcmV0UFc= = S3cretPW`); with an OAuth mechanism it first sends
/// the token back inside its base64 error challenge. No real server is this careless,
/// hence the scripted one.
fn echoing_server(code: &'static str) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    crate::support::scripted_server::raw(move |mut tcp| {
        let mut reader = BufReader::new(tcp.try_clone().unwrap());
        let put = |tcp: &mut std::net::TcpStream, s: &str| {
            tcp.write_all(format!("{s}\r\n").as_bytes()).is_ok()
        };
        let decoded = |b64: &str| {
            let bytes = B64.decode(b64.trim()).unwrap_or_default();
            String::from_utf8_lossy(&bytes).replace(['\0', '\x01'], " ")
        };
        put(&mut tcp, "220 echo.example ESMTP");
        let mut line = String::new();
        // Bounded: a client that is done sends QUIT or goes; LIMIT ends reads.
        for _ in 0..20 {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end().to_string();
            let words: Vec<&str> = l.split(' ').collect();
            let reply = match words[0].to_ascii_uppercase().as_str() {
                "EHLO" => "250-echo.example\r\n250 AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER".into(),
                "AUTH" if words.get(1) == Some(&"LOGIN") => {
                    let mut sent = Vec::new();
                    for prompt in ["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"] {
                        put(&mut tcp, prompt);
                        line.clear();
                        let _ = reader.read_line(&mut line);
                        sent.push(line.trim_end().to_string());
                    }
                    format!("535 5.7.8 you said {} = {}", sent[1], decoded(&sent[1]))
                }
                "AUTH" => {
                    let b64 = words.get(2).copied().unwrap_or("");
                    if words[1] != "PLAIN" {
                        // The OAuth error challenge, with the token in it.
                        let json = format!("{{\"status\":\"401\",\"got\":\"{}\"}}", decoded(b64));
                        put(&mut tcp, &format!("334 {}", B64.encode(json)));
                        line.clear();
                        let _ = reader.read_line(&mut line);
                    }
                    format!("{code} you said {b64} = {}", decoded(b64))
                }
                "QUIT" => {
                    put(&mut tcp, "221 bye");
                    return;
                }
                _ => "250 ok".into(),
            };
            if !put(&mut tcp, &reply) {
                return;
            }
        }
    })
}

#[test]
fn a_secret_the_server_echoes_is_redacted_from_every_output() {
    let secret = "S3cretPW-echoed";
    for mechanism in ["plain", "login", "xoauth2", "oauthbearer"] {
        let port = echoing_server("535 5.7.8");
        let home = tempfile::tempdir().unwrap();
        crate::support::write_config(
            home.path(),
            &format!(
                "default = \"e\"\n[profiles.e]\nhost = \"127.0.0.1\"\nport = {port}\n\
                 security = \"plain\"\nuser = \"{USER}\"\nfrom = \"jane@example.org\"\n\
                 log_file = \"~/posta.log\"\nauth = \"{mechanism}\"\n"
            ),
        );
        let mut cmd = posta(home.path());
        cmd.args(["--json", "-vv", "send", "--to", "bob@example.org"])
            .args(["-s", "echo", "--body", "x", "--timeout", "5"]);
        if mechanism.contains("oauth") {
            cmd.args(["--oauth-token-command", &format!("echo {secret}")]);
        } else {
            cmd.env("POSTA_PASSWORD", secret);
        }
        let out = cmd.output().unwrap();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        let log = std::fs::read_to_string(home.path().join("posta.log")).unwrap_or_default();
        let what = format!("{mechanism}: {stdout}{stderr}\nlog: {log}");
        assert_eq!(out.status.code(), Some(77), "{what}");
        // The echo was seen, and shown without the secret.
        assert!(stderr.contains("you said (redacted) = "), "{what}");
        assert!(stdout.contains("you said (redacted)"), "{what}");
        assert!(log.contains("you said (redacted)"), "{what}");
        for form in forms(secret) {
            for (place, content) in [("stdout", &stdout), ("stderr", &stderr), ("log", &log)] {
                assert!(
                    !content.contains(&form),
                    "{mechanism}: {form:?} appears in {place}:\n{content}"
                );
            }
        }
    }
}

#[test]
fn a_secret_echoed_in_a_temporary_refusal_is_not_queued() {
    let secret = "S3cretPW-queued";
    let port = echoing_server("454 4.7.0");
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .env("POSTA_PASSWORD", secret)
        .args(["send", "--server", &format!("127.0.0.1:{port}")])
        .args(["--security", "plain", "--user", USER, "--auth", "plain"])
        .args(["--from", "jane@example.org", "--to", "bob@example.org"])
        .args(["-s", "x", "--body", "x", "--timeout", "5"])
        .args(["--queue", "on-temporary-failure"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    assert!(stderr.contains("you said (redacted)"), "{stderr}");
    let mut stack = vec![home.path().join("data/posta/queue")];
    let mut seen = String::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            seen.push_str(&String::from_utf8_lossy(&bytes));
            for form in forms(secret) {
                assert!(
                    !crate::support::contains(&bytes, form.as_bytes()),
                    "{form:?} in {}",
                    path.display()
                );
            }
        }
    }
    assert!(
        seen.contains("you said (redacted)"),
        "the queue kept: {seen}"
    );
}

#[test]
fn a_failing_password_command_does_not_show_the_secret_it_echoed() {
    let home = tempfile::tempdir().unwrap();
    let secret = "S3cretPW-cmd";
    let out = posta(home.path())
        .args([
            "send",
            "--server",
            &format!("127.0.0.1:{}", crate::support::closed_port()),
        ])
        .args([
            "--security",
            "plain",
            "--user",
            USER,
            "--from",
            "jane@example.org",
        ])
        .args(["--to", "bob@example.org", "-s", "x", "--body", "x"])
        .args([
            "--password-command",
            &format!("echo {secret}; echo \"vault: token {secret} expired\" >&2; exit 3"),
        ])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("vault: token (redacted) expired"),
        "{stderr}"
    );
    assert!(!stderr.contains(secret), "{stderr}");
}
