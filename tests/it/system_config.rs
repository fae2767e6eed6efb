//! The system-wide config (`/etc/posta/config.toml`, here `$POSTA_SYSTEM_CONFIG`): what a
//! user without a config of their own (a cron job of any user, PHP as `www-data`) sends
//! through, trusted only when no one else could have written it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::scripted_server::{Config, Server};
use crate::support::{posta, run_with_input, text, write_config};

fn system_config(home: &Path, port: u16) -> PathBuf {
    let path = home.join("etc/posta/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!(
            "default = \"relay\"\n[profiles.relay]\nhost = \"127.0.0.1\"\nport = {port}\n\
             security = \"plain\"\nfrom = \"server@example.org\"\ntimeout = 5\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    path
}

const CRON_OUTPUT: &[u8] = b"To: root@example.org\nSubject: Cron <root@host> job\n\nall done\n";

#[test]
fn a_user_without_a_config_sends_through_the_system_one() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    system_config(home.path(), server.port());
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(cmd, CRON_OUTPUT);
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    assert!(
        record.sent("MAIL FROM:<server@example.org>"),
        "{:?}",
        record.commands()
    );

    // profile list and show say which file they read.
    let system = home.path().join("etc/posta/config.toml");
    let out = posta(home.path())
        .args(["profile", "list"])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains(&format!("(from {})", system.display())),
        "{}",
        text(&out.stdout)
    );
    let out = posta(home.path())
        .args(["--json", "profile", "show", "relay"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"], system.display().to_string(), "{v}");
}

#[test]
fn the_users_own_config_wins_over_the_system_one() {
    let home = tempfile::tempdir().unwrap();
    let system = Server::start(Config::default());
    let own = Server::start(Config::default());
    system_config(home.path(), system.port());
    write_config(
        home.path(),
        &format!(
            "default = \"mine\"\n[profiles.mine]\nhost = \"127.0.0.1\"\nport = {}\n\
             security = \"plain\"\nfrom = \"me@example.org\"\n",
            own.port()
        ),
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(cmd, CRON_OUTPUT);
    let own = own.finish();
    drop(system);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(own.messages.len(), 1);
}

/// A system-wide config others may write is not used; sendmail mode keeps the message
/// in the queue meanwhile (it is not the message's fault) and says why.
#[test]
fn a_system_config_others_may_write_is_not_used_and_the_message_waits() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let path = system_config(home.path(), server.port());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(cmd, CRON_OUTPUT);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("queued as "), "{stderr}");
    assert!(
        stderr.contains("the system-wide config is not trusted"),
        "{stderr}"
    );
    assert!(stderr.contains("chmod go-w"), "{stderr}");

    // `send` has a person to tell: it refuses.
    let out = posta(home.path())
        .args([
            "send",
            "--to",
            "a@example.org",
            "--subject",
            "s",
            "--body",
            "b",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", text(&out.stderr));

    // Fixed, the next flush sends it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = posta(home.path())
        .args(["queue", "flush"])
        .output()
        .unwrap();
    let record = server.finish();
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert_eq!(record.messages.len(), 1, "{said}");
}

/// cron of a user on a machine with no config at all yet: the output waits in that
/// user's queue (exit 0, one line), and once the administrator writes the system
/// config, a flush sends it with that config's aliases and sender policy applied.
#[test]
fn with_no_config_at_all_the_message_waits_for_one() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-f", "root@host.local"]);
    let out = run_with_input(
        cmd,
        b"To: root\nFrom: root (Cron Daemon)\nSubject: Cron <root@host> job\n\nall done\n",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("queued as "), "{stderr}");
    assert!(stderr.contains("posta queue flush"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let server = Server::start(Config::default());
    let path = system_config(home.path(), server.port());
    let aliases = home.path().join("aliases");
    std::fs::write(&aliases, "root: ops@example.org\n").unwrap();
    let mut config = std::fs::read_to_string(&path).unwrap();
    config.push_str(&format!(
        "aliases = \"{}\"\nenvelope_from = \"profile\"\n",
        aliases.display()
    ));
    std::fs::write(&path, config).unwrap();
    let out = posta(home.path())
        .args(["queue", "flush"])
        .output()
        .unwrap();
    let record = server.finish();
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(record.sent("MAIL FROM:<server@example.org>"), "{said}");
    assert!(
        record.sent("RCPT TO:<ops@example.org>"),
        "{:?}",
        record.commands()
    );
    assert!(!record.sent("RCPT TO:<root>"), "{:?}", record.commands());
    let delivered = text(&record.messages[0]);
    assert!(delivered.contains("all done"), "{delivered}");
    // The header's From is the account's too, as sendmail mode would have made it (no
    // provider takes root's): the queued file was not rewritten, the header is.
    let froms: Vec<&str> = delivered
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("from:"))
        .collect();
    assert_eq!(froms.len(), 1, "{delivered}");
    assert!(froms[0].contains("server@example.org"), "{delivered}");
    assert!(
        delivered.contains("Subject: Cron <root@host> job"),
        "{delivered}"
    );
}

/// cron mails a job's output to its owner (`root`): the profile's aliases file says
/// where that goes; a local name it does not know is refused before connecting.
#[test]
fn local_recipients_go_where_the_aliases_file_says() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let aliases = home.path().join("aliases");
    std::fs::write(&aliases, "root: ops@example.org, admin@example.org\n").unwrap();
    write_config(
        home.path(),
        &format!(
            "default = \"relay\"\n[profiles.relay]\nhost = \"127.0.0.1\"\nport = {}\n\
             security = \"plain\"\nfrom = \"server@example.org\"\naliases = \"{}\"\n",
            server.port(),
            aliases.display()
        ),
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(
        cmd,
        b"To: root\nSubject: Cron <root@host> job\n\nall done\n",
    );
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        record.sent("RCPT TO:<ops@example.org>"),
        "{:?}",
        record.commands()
    );
    assert!(
        record.sent("RCPT TO:<admin@example.org>"),
        "{:?}",
        record.commands()
    );
    assert!(!record.sent("RCPT TO:<root>"), "{:?}", record.commands());

    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "www-data"]);
    let out = run_with_input(cmd, b"Subject: x\n\ny\n");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("www-data is a local name"), "{stderr}");
}

/// A system-wide profile's password in a `password_file` the members of a group may
/// read (0640); one everybody may read is refused (78).
#[test]
fn a_shared_profile_reads_its_password_from_a_group_readable_file() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let secret = home.path().join("etc/posta/relay.password");
    std::fs::create_dir_all(secret.parent().unwrap()).unwrap();
    std::fs::write(&secret, "s3cret-Pa55\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
    let path = home.path().join("etc/posta/config.toml");
    std::fs::write(
        &path,
        format!(
            "default = \"relay\"\n[profiles.relay]\nhost = \"127.0.0.1\"\nport = {}\n\
             security = \"plain\"\nuser = \"jane\"\nfrom = \"server@example.org\"\n\
             password_file = \"relay.password\"\n",
            server.port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(cmd, CRON_OUTPUT);
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    assert!(record.sent("AUTH"), "{:?}", record.commands());

    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "--queue", "never", "-t"]);
    let out = run_with_input(cmd, CRON_OUTPUT);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("readable or writable by others"),
        "{stderr}"
    );
}
