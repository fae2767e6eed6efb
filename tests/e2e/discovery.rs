//! `posta profile add NAME --email ADDR` for domains no preset serves: RFC 6186 SRV
//! records served by a real DNS server (dnsmasq, Debian package dnsmasq-base) on
//! loopback, started here for the length of the test and killed at the end.
//! Needs dnsmasq, hence the e2e-tests feature (scripts/test.sh installs it).

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// dnsmasq on 127.0.0.1:port, killed on drop.
struct Dns {
    child: Child,
    port: u16,
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test zone. dnsmasq's --srv-host is NAME,TARGET,PORT,PRIORITY,WEIGHT; a bare
/// NAME is a "not offered" record (target ".").
const RECORDS: &[&str] = &[
    // Implicit TLS offered twice: priority 10 beats 5, then weight 50 beats 10.
    "_submissions._tcp.example.net,backup.example.net,465,20,100",
    "_submissions._tcp.example.net,light.example.net,465,10,10",
    "_submissions._tcp.example.net,mail.example.net,465,10,50",
    // Both offered: implicit TLS wins.
    "_submissions._tcp.both.example,tls.both.example,465",
    "_submission._tcp.both.example,starttls.both.example,587",
    // Implicit TLS explicitly not offered; STARTTLS on a non-standard port.
    "_submissions._tcp.example.org",
    "_submission._tcp.example.org,smtp.example.org,2525",
    // Neither offered.
    "_submissions._tcp.closed.example",
    "_submission._tcp.closed.example",
];

fn start_dns() -> Dns {
    // A dnsmasq that loses the race for its port (or stops right after binding) is
    // started again on another one: the suite runs tests side by side.
    for _ in 0..3 {
        if let Some(dns) = try_start_dns() {
            return dns;
        }
    }
    panic!("dnsmasq did not start (3 tries)");
}

/// dnsmasq on a free port, once it answers a query; `None` when it exited first.
fn try_start_dns() -> Option<Dns> {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new("dnsmasq");
    cmd.args([
        "--no-daemon",
        "--conf-file=/dev/null",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--pid-file",
        "--log-facility=/dev/null",
        // Authoritative for the test names: anything not listed is NXDOMAIN.
        "--local=/example/",
        "--local=/example.net/",
        "--local=/example.org/",
        "--local=/example.com/",
    ])
    .arg(format!("--port={port}"))
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    for r in RECORDS {
        cmd.arg(format!("--srv-host={r}"));
    }
    // Custom domains whose mail Google Workspace and Microsoft 365 host (the lower
    // preference wins: workspace.example's own MX comes second).
    cmd.args([
        "--mx-host=workspace.example,mx.workspace.example,20",
        "--mx-host=workspace.example,aspmx.l.google.com,1",
        "--mx-host=m365.example,m365-example.mail.protection.outlook.com,0",
    ]);
    let child = cmd
        .spawn()
        .expect("dnsmasq (Debian package dnsmasq-base) must be installed");
    let mut dns = Dns { child, port };
    // Ready when it answers: a query for a name it is authoritative for.
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    // ID 0x1234, RD, one question: "ready.example" A IN.
    let query: &[u8] =
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05ready\x07example\x00\x00\x01\x00\x01";
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut answer = [0u8; 512];
    while Instant::now() < deadline {
        if dns.child.try_wait().ok().flatten().is_some() {
            return None;
        }
        let _ = probe.send_to(query, ("127.0.0.1", port));
        if let Ok((n, _)) = probe.recv_from(&mut answer)
            && n >= 2
            && answer[..2] == query[..2]
        {
            return Some(dns);
        }
    }
    let _ = dns.child.kill();
    None
}

fn posta(home: &Path, dns_port: u16, args: &[&str]) -> (i32, String, String) {
    let mut cmd = crate::support::posta(home);
    cmd.args(args);
    cmd.env("POSTA_DNS_SERVER", format!("127.0.0.1:{dns_port}"));
    let out = cmd.output().unwrap();
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn profile(home: &Path, name: &str) -> toml::Table {
    let text = std::fs::read_to_string(crate::support::config_path(home)).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    doc["profiles"][name].as_table().unwrap().clone()
}

#[test]
fn srv_records_fill_host_port_and_security() {
    let dns = start_dns();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();

    for (name, email, host, port, security, record) in [
        (
            "net",
            "Jane <jane@example.net>",
            "mail.example.net",
            465,
            "tls",
            "_submissions._tcp.example.net",
        ),
        (
            "both",
            "jane@both.example",
            "tls.both.example",
            465,
            "tls",
            "_submissions._tcp.both.example",
        ),
        (
            "org",
            "jane@example.org",
            "smtp.example.org",
            2525,
            "starttls",
            "_submission._tcp.example.org",
        ),
    ] {
        let (code, out, err) = posta(
            h,
            dns.port,
            &["--json", "profile", "add", name, "--email", email],
        );
        assert_eq!(code, 0, "{name}: {out}{err}");
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["preset"], Value::Null, "{out}");
        assert_eq!(json["discovered"]["record"], record, "{out}");
        let p = profile(h, name);
        assert_eq!(p["host"].as_str(), Some(host), "{name}: {p:?}");
        assert_eq!(p["port"].as_integer(), Some(port), "{name}: {p:?}");
        assert_eq!(p["security"].as_str(), Some(security), "{name}: {p:?}");
        assert_eq!(p["from"].as_str(), Some(email), "{name}: {p:?}");
        assert!(p.get("preset").is_none(), "{p:?}");
    }

    // The human report says where the server came from.
    let (code, _, err) = posta(
        h,
        dns.port,
        &["profile", "add", "net2", "--email", "j@example.net"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("mail.example.net:465 (tls), found in DNS at _submissions._tcp.example.net"),
        "{err}"
    );

    // A preset domain never asks DNS; --server skips discovery too.
    let (code, out, err) = posta(
        h,
        dns.port,
        &["--json", "profile", "add", "y", "--email", "j@ya.ru"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"preset\":\"yandex\""), "{out}");
    let (code, _, err) = posta(
        h,
        dns.port,
        &[
            "profile",
            "add",
            "given",
            "--email",
            "j@closed.example",
            "--server",
            "relay.example:2525",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(profile(h, "given")["host"].as_str(), Some("relay.example"));
}

#[test]
fn nothing_found_names_what_was_tried_and_how_to_give_a_server() {
    let dns = start_dns();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();

    let (code, _, err) = posta(
        h,
        dns.port,
        &["profile", "add", "c", "--email", "jane@closed.example"],
    );
    assert_eq!(code, 64, "{err}");
    assert!(
        err.contains("_submissions._tcp.closed.example: not offered"),
        "{err}"
    );
    assert!(
        err.contains("_submission._tcp.closed.example: not offered"),
        "{err}"
    );
    assert!(err.contains("--server HOST[:PORT]"), "{err}");

    let (code, _, err) = posta(
        h,
        dns.port,
        &["profile", "add", "n", "--email", "jane@example.com"],
    );
    assert_eq!(code, 64, "{err}");
    assert!(
        err.contains("_submissions._tcp.example.com: no SRV record"),
        "{err}"
    );
    assert!(
        err.contains("_submission._tcp.example.com: no SRV record"),
        "{err}"
    );
    assert!(
        err.contains(&format!("asked 127.0.0.1:{}", dns.port)),
        "{err}"
    );

    // Nothing was written for the failures.
    assert!(!crate::support::config_path(h).exists());

    // A DNS server that does not answer: an error, bounded in time.
    drop(dns);
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let (code, _, err) = posta(
        h,
        port,
        &["profile", "add", "s", "--email", "jane@example.com"],
    );
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("did not answer"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// `profile add --email` for a custom domain whose MX is Google's or Microsoft's picks the
/// gmail or office365 preset (submission server and OAuth endpoints), and says how to
/// log in with OAuth.
#[test]
fn an_mx_at_google_or_microsoft_picks_their_preset() {
    let dns = start_dns();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for (name, email, preset, provider) in [
        ("ws", "jane@workspace.example", "gmail", "Google Workspace"),
        ("work", "jane@m365.example", "office365", "Microsoft 365"),
    ] {
        let (code, out, err) = posta(h, dns.port, &["profile", "add", name, "--email", email]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.contains(provider), "{err}");
        assert!(err.contains(&format!("posta auth login {name}")), "{err}");
        assert_eq!(profile(h, name)["preset"].as_str(), Some(preset));
    }
}
