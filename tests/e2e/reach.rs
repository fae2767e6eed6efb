//! Reaching servers beyond a plain TCP connection (issue 19), against real peers:
//! Dovecot's LMTP server on a Unix socket (one reply per recipient after the message;
//! Bob's mailbox is over quota, so he is refused then, temporarily), and danted's
//! SOCKS5 proxies in front of Postfix (one open, one with the username method).

use std::path::Path;
use std::process::Command;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const CAROL: &str = "carol@example.test";

fn lmtp() -> String {
    format!("unix:{}", env("POSTA_E2E_LMTP_SOCKET"))
}

fn over_quota() -> String {
    env("POSTA_E2E_LMTP_OVER_QUOTA")
}

/// `posta --json send` over LMTP on the rig's Unix socket, from Carol.
fn send_lmtp(home: &Path, subject: &str, to: &[&str]) -> Command {
    let mut cmd = posta(home);
    let server = lmtp();
    cmd.args(["--json", "send", "--server", &server, "--protocol", "lmtp"])
        .args(["--from", CAROL, "-s", subject, "--body", "over LMTP"]);
    for rcpt in to {
        cmd.args(["--to", rcpt]);
    }
    cmd
}

/// Postfix's smtpd on a Unix socket: plain by default, and AUTH in clear allowed as to
/// loopback (nobody else is on the path).
#[test]
fn smtp_over_a_unix_socket_logs_in_without_tls_as_to_loopback() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("unix-smtp");
    let server = format!("unix:{}", env("POSTA_E2E_SMTP_SOCKET"));
    let out = posta(home.path())
        .env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
        .args(["--json", "send", "--server", &server, "--user", ALICE])
        .args([
            "--from", ALICE, "--to", CAROL, "-s", &subject, "--body", "local",
        ])
        .output()
        .unwrap();
    ok(&out);
    let report = json(&out);
    assert_eq!(report["security"], "plain", "{report}");
    assert_eq!(report["server"], server.as_str());
    let delivered = wait_for_message(CAROL, &subject);
    assert!(header_block(&delivered).contains("with ESMTPA"));
}

#[test]
fn lmtp_over_a_unix_socket_delivers_to_each_recipient_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("lmtp-all");
    let out = send_lmtp(home.path(), &subject, &[ALICE, CAROL])
        .output()
        .unwrap();
    ok(&out);
    let report = json(&out);
    assert_eq!(report["status"], "sent", "{report}");
    assert_eq!(report["security"], "plain", "{report}");
    assert_eq!(report["server"], lmtp());
    let accepted = report["accepted"].as_array().unwrap();
    assert_eq!(accepted.len(), 2, "{report}");
    for (entry, who) in accepted.iter().zip([ALICE, CAROL]) {
        assert_eq!(entry["address"], who);
        // Dovecot's delivery reply, not the RCPT's.
        assert_eq!(entry["reply"]["code"], 250);
        assert!(
            entry["reply"]["lines"][0]
                .as_str()
                .unwrap()
                .contains("Saved"),
            "{entry}"
        );
    }
    wait_for_message(ALICE, &subject);
    wait_for_message(CAROL, &subject);
}

#[test]
fn lmtp_partial_delivery_is_reported_recipient_by_recipient() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("lmtp-partly");
    let bob = over_quota();
    // The socket and the protocol from a profile this time, with a log file.
    let log = home.path().join("posta.log");
    write_config(
        home.path(),
        &format!(
            "[profiles.local]\nhost = \"{}\"\nprotocol = \"lmtp\"\nlog_file = \"{}\"\n",
            lmtp(),
            log.display()
        ),
    );
    let out = posta(home.path())
        .args([
            "--json", "-p", "local", "send", "--from", CAROL, "-s", &subject,
        ])
        .args(["--body", "over LMTP", "--to", ALICE, "--to", &bob])
        .output()
        .unwrap();
    // Only a temporary refusal: send's exit code for "not sent (to all) yet".
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["status"], "partly", "{report}");
    assert_eq!(report["accepted"][0]["address"], ALICE);
    assert_eq!(report["refused"][0]["address"], bob.as_str());
    assert_eq!(report["refused"][0]["reply"]["code"], 452, "{report}");
    assert_eq!(report["exit_code"], 75);
    // send does not queue unless asked: nothing queued.
    assert!(report["queued"].is_null(), "{report}");
    wait_for_message(ALICE, &subject);
    assert_no_message(&bob, &subject);
    let line = std::fs::read_to_string(&log).unwrap();
    assert!(line.contains(" status=partly "), "{line}");
    assert!(
        line.contains(&format!("refused=\"{bob} 452 4.2.2 ")),
        "{line}"
    );
    assert!(line.trim_end().ends_with("exit=75"), "{line}");
}

#[test]
fn lmtp_partial_delivery_in_sendmail_mode_queues_only_the_refused_recipient() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("lmtp-sendmail");
    let bob = over_quota();
    let server = lmtp();
    let mut sendmail = posta(home.path());
    sendmail
        .args(["sendmail", "--server", &server, "--protocol", "lmtp"])
        .args(["-f", CAROL, ALICE, &bob]);
    let raw = format!("From: {CAROL}\nTo: {ALICE}, {bob}\nSubject: {subject}\n\nhi\n");
    let out = run_with_input(sendmail, raw.as_bytes());
    // sendmail's convention: what is safe in the queue is success; the line says so.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    wait_for_message(ALICE, &subject);
    let list = posta(home.path())
        .args(["queue", "list", "--json"])
        .output()
        .unwrap();
    ok(&list);
    let queued = json(&list)["queued"].as_array().unwrap().clone();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(
        queued[0]["envelope"]["to"],
        serde_json::json!([bob]),
        "{queued:?}"
    );
}

#[test]
fn lmtp_every_recipient_refused_temporarily_is_queued_by_the_usual_policy() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("lmtp-none");
    let bob = over_quota();
    let out = send_lmtp(home.path(), &subject, &[&bob])
        .args(["--queue", "on-temporary-failure"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["status"], "queued", "{report}");
    assert_eq!(report["stage"], "end_of_data", "{report}");
    assert!(
        report["reason"].as_str().unwrap().contains("452"),
        "{report}"
    );
}

#[test]
fn smtp_to_an_lmtp_socket_says_to_use_protocol_lmtp() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["send", "--server", &lmtp(), "--from", CAROL, "--to", ALICE])
        .args(["-s", "x", "--body", "y"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("add --protocol lmtp"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lmtp_recipient_unknown_at_rcpt_sends_nothing() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("lmtp-unknown");
    let unknown = env("POSTA_E2E_UNKNOWN_RCPT");
    let out = send_lmtp(home.path(), &subject, &[ALICE, &unknown])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(67), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        report["refused"][0]["address"],
        unknown.as_str(),
        "{report}"
    );
    // The check comes after the delivery for the others would have.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_no_message(ALICE, &subject);
}

/// `posta send` from Alice to Carol through a SOCKS5 proxy `proxy`, to `server`.
fn send_proxied(home: &Path, server: &str, proxy: &str, subject: &str) -> Command {
    let mut cmd = posta(home);
    cmd.args(["send", "--server", server, "--proxy", proxy])
        .args([
            "--from",
            ALICE,
            "--to",
            CAROL,
            "-s",
            subject,
            "--body",
            "via SOCKS",
        ]);
    cmd
}

fn socks(port_name: &str, scheme: &str, user: &str) -> String {
    format!("{scheme}://{user}127.0.0.1:{}", port(port_name))
}

#[test]
fn socks5h_proxy_resolves_the_name_and_reaches_postfix_with_starttls_and_auth() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("socks5h");
    let server = format!("localhost:{}", port("SUBMISSION"));
    let out = send_proxied(
        home.path(),
        &server,
        &socks("SOCKS", "socks5h", ""),
        &subject,
    )
    .env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
    .args(["--ca-file", &ca(), "--user", ALICE, "-v"])
    .output()
    .unwrap();
    ok(&out);
    let transcript = stderr(&out);
    assert!(
        transcript.contains(&format!("through socks5h://127.0.0.1:{}", port("SOCKS"))),
        "{transcript}"
    );
    let delivered = wait_for_message(CAROL, &subject);
    assert!(header_block(&delivered).contains("with ESMTPSA"));
}

#[test]
fn socks5_proxy_with_a_login_from_a_secret_source() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("socks5-login");
    let server = format!("127.0.0.1:{}", port("PLAIN"));
    let user = format!("{}@", env("POSTA_E2E_SOCKS_USER"));
    let proxy = socks("SOCKS_AUTH", "socks5", &user);
    let out = send_proxied(home.path(), &server, &proxy, &subject)
        .env("POSTA_PROXY_PASSWORD", env("POSTA_E2E_SOCKS_PASS"))
        .args(["--security", "plain"])
        .output()
        .unwrap();
    ok(&out);
    wait_for_message(CAROL, &subject);

    // A wrong password: the proxy's refusal in words, 77, and the password nowhere.
    let out = send_proxied(home.path(), &server, &proxy, &token("socks5-wrong"))
        .env("POSTA_PROXY_PASSWORD", "not-the-password")
        .args(["--security", "plain", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let all = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(
        all.contains("the proxy refused the user name and password"),
        "{all}"
    );
    assert!(!all.contains("not-the-password"), "{all}");

    // No login at all: the proxy takes no method offered, said with what to do.
    let open = socks("SOCKS_AUTH", "socks5", "");
    let out = send_proxied(home.path(), &server, &open, &token("socks5-none"))
        .args(["--security", "plain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the proxy wants a login"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn through_a_proxy_localhost_is_not_loopback_so_no_password_in_clear() {
    let home = tempfile::tempdir().unwrap();
    let server = format!("localhost:{}", port("PLAIN"));
    let out = send_proxied(home.path(), &server, &socks("SOCKS", "socks5h", ""), "x")
        .env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
        .args(["--security", "plain", "--user", ALICE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(stderr(&out).contains("without TLS"), "{}", stderr(&out));
}

/// A queued message flushed to an LMTP server that delivers it to some recipients
/// only: the entry stays for the others alone, so nobody gets it twice.
#[test]
fn lmtp_flush_of_a_partial_delivery_keeps_the_entry_for_the_refused_only() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("lmtp-flush");
    let bob = over_quota();
    let profile = |host: &str| {
        format!(
            "[profiles.local]\nhost = \"unix:{host}\"\nprotocol = \"lmtp\"\nqueue = \"on-temporary-failure\"\n"
        )
    };
    // The socket is not there yet: queued for both.
    let missing = home.path().join("no-lmtp-here");
    write_config(home.path(), &profile(&missing.display().to_string()));
    let out = posta(home.path())
        .args([
            "-p", "local", "send", "--from", CAROL, "-s", &subject, "--body", "x",
        ])
        .args(["--to", ALICE, "--to", &bob])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(stderr(&out).contains("queued as"), "{}", stderr(&out));

    // Now it is: the flush delivers to Alice, and Bob's mailbox is still full.
    write_config(home.path(), &profile(&env("POSTA_E2E_LMTP_SOCKET")));
    let out = posta(home.path())
        .args(["--json", "queue", "flush", "--all"])
        .output()
        .unwrap();
    let report = json(&out);
    let deferred = report["deferred"].as_array().unwrap();
    assert_eq!(deferred.len(), 1, "{report}");
    assert_eq!(
        deferred[0]["refused"][0]["address"],
        bob.as_str(),
        "{report}"
    );
    wait_for_message(ALICE, &subject);

    // What waits is for Bob alone.
    let list = posta(home.path())
        .args(["queue", "list", "--json"])
        .output()
        .unwrap();
    let queued = json(&list)["queued"].as_array().unwrap().clone();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(
        queued[0]["envelope"]["to"],
        serde_json::json!([bob]),
        "{queued:?}"
    );
}

/// `posta batch` over one LMTP session: a message for Alice alone is sent, one for
/// Alice and Bob (over quota) is delivered to Alice only and said so, and the session
/// carries on to the next.
#[test]
fn lmtp_batch_reports_a_partial_delivery_and_carries_on() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tag = token("lmtp-batch");
    let bob = over_quota();
    let message = |to: &str, n: u32| format!("From: {CAROL}\nTo: {to}\nSubject: {tag} n{n}\n\nx\n");
    std::fs::write(dir.path().join("1.eml"), message(ALICE, 1)).unwrap();
    std::fs::write(
        dir.path().join("2.eml"),
        message(&format!("{ALICE}, {bob}"), 2),
    )
    .unwrap();
    std::fs::write(dir.path().join("3.eml"), message(ALICE, 3)).unwrap();
    let out = posta(home.path())
        .args(["--json", "batch", "--server", &lmtp(), "--protocol", "lmtp"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let lines = json_lines(&out);
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses[..3], ["sent", "partly", "sent"], "{lines:?}");
    assert_eq!(lines[1]["refused"][0]["address"], bob.as_str(), "{lines:?}");
    assert_eq!(lines[1]["accepted"][0]["address"], ALICE, "{lines:?}");
    wait_for_messages(ALICE, &tag, 3);
    assert_no_message(&bob, &tag);
}
