//! sendmail mode's sender policy: cron and mailx send as `root@hostname`, which a
//! provider that checks the sender refuses. The profile decides: `envelope_from =
//! "profile"`, `from_header = "rewrite"`; an added From carries the profile's display
//! name; the provider's own rule is checked before connecting, as `send` checks it.

use crate::support::scripted_server::{Config, Server};
use crate::support::{closed_port, parse, posta, run_with_input, text, write_config};

const MAILX: &[u8] = b"From: root@host.example\nTo: ops@example.org\nSubject: disk\n\nfull\n";

fn profile(home: &std::path::Path, port: u16, extra: &str) {
    write_config(
        home,
        &format!(
            "default = \"relay\"\n[profiles.relay]\nhost = \"127.0.0.1\"\nport = {port}\n\
             security = \"plain\"\nfrom = \"Jane Doe <jane@example.org>\"\ntimeout = 5\n{extra}"
        ),
    );
}

#[test]
fn envelope_from_profile_and_from_header_rewrite_make_the_sender_the_profiles() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    profile(
        home.path(),
        server.port(),
        "envelope_from = \"profile\"\nfrom_header = \"rewrite\"\n",
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-f", "root@host.example"]);
    let out = run_with_input(cmd, MAILX);
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        record.sent("MAIL FROM:<jane@example.org>"),
        "{:?}",
        record.commands()
    );
    let message = parse(&record.messages[0]);
    assert_eq!(message["from"][0]["addr"], "jane@example.org", "{message}");
    assert_eq!(message["from"][0]["name"], "Jane Doe", "{message}");
    assert_eq!(
        message["header_names"].to_string().matches("From").count(),
        1
    );
}

#[test]
fn by_default_the_given_sender_stays_and_an_added_from_has_the_profiles_name() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start_sessions(vec![Config::default(), Config::default()]);
    profile(home.path(), server.port(), "");
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-f", "root@host.example"]);
    let out = run_with_input(cmd, MAILX);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "ops@example.org"]);
    let out = run_with_input(cmd, b"Subject: no from\n\nx\n");
    let record = server.finish_sessions();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(record[0].sent("MAIL FROM:<root@host.example>"));
    let first = parse(&record[0].messages[0]);
    assert_eq!(first["from"][0]["addr"], "root@host.example", "{first}");
    let added = parse(&record[1].messages[0]);
    assert_eq!(added["from"][0]["name"], "Jane Doe", "{added}");
    assert_eq!(added["from"][0]["addr"], "jane@example.org", "{added}");
}

#[test]
fn a_provider_that_takes_only_the_login_as_sender_is_checked_before_connecting() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "default = \"y\"\n[profiles.y]\npreset = \"yandex\"\nuser = \"jane@yandex.ru\"\n\
             from = \"jane@yandex.ru\"\nhost = \"127.0.0.1\"\nport = {}\n",
            closed_port()
        ),
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-f", "root@host.example"]);
    let out = run_with_input(cmd, MAILX);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(
        stderr.contains("Yandex refuses a From address other than the login"),
        "{stderr}"
    );
}

/// GNU mailutils' `mail` passes `-f root@<this host>` and cron writes `From: root (Cron
/// Daemon)`: a local user's sender, which no provider takes, becomes the profile's
/// address even with the default policy (`envelope_from = "auto"`, `from_header = "add"`).
#[test]
fn a_local_users_sender_becomes_the_profiles_address_by_default() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    profile(home.path(), server.port(), "");
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-v", "-f", &format!("root@{host}")]);
    let out = run_with_input(
        cmd,
        b"From: root (Cron Daemon)\nTo: ops@example.org\nSubject: Cron job\n\nout\n",
    );
    let record = server.finish();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        record.sent("MAIL FROM:<jane@example.org>"),
        "{:?}",
        record.commands()
    );
    assert!(stderr.contains("the local sender"), "{stderr}");
    let message = parse(&record.messages[0]);
    assert_eq!(message["from"][0]["addr"], "jane@example.org", "{message}");
    assert!(!message.to_string().contains("Cron Daemon"), "{message}");
}
