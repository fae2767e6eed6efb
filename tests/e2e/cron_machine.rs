//! posta as a whole machine's sendmail, with the real programs that mail through it:
//! Debian's cron daemon running jobs of root and of `nobody` (no posta config of their
//! own), GNU mailutils' `mail` and PHP's `mail()` as other users, one
//! `/etc/posta/config.toml` with a group-readable `password_file`, `aliases` for the
//! local names and the sender policy. tests/support/cron_machine.sh builds that machine
//! inside a private mount namespace, so the host's /usr/sbin/sendmail is untouched.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::e2e::*;

/// The namespace's processes (cron among them) end with the test, pass or fail.
struct Machine {
    child: Child,
    stop: std::path::PathBuf,
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.stop, b"");
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Build the machine of tests/support/cron_machine.sh with `mode` (`--binary` or
/// `--deb`) and `artifact`; wait for what cron, mailutils and PHP mailed; check it.
/// Returns what the script said once stopped (its exit status and stderr).
fn run_machine(mode: &str, artifact: &Path, label: &str) -> (bool, String) {
    let work = tempfile::tempdir().unwrap();
    // Other users (nobody, www-data) run posta and read its files from here.
    std::fs::set_permissions(
        work.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let tok = token(label);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/cron_machine.sh");
    let child = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash"])
        .arg(&script)
        .arg(mode)
        .arg(artifact)
        .arg(work.path())
        .arg(&tok)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unshare (util-linux) runs");
    let mut machine = Machine {
        child,
        stop: work.path().join("stop"),
    };

    // root's job and what mailutils and PHP sent to `root`: the alias says carol.
    let root_job = wait_for_message(&env("POSTA_E2E_USER3"), &format!("cron-root-{tok}"));
    let mailutils = wait_for_message(&env("POSTA_E2E_USER3"), &format!("mailutils-{tok}"));
    let php = wait_for_message(&env("POSTA_E2E_USER3"), &format!("php-{tok}"));
    // nobody's job (cron's default recipient is the crontab's owner): bob, with its
    // 5,000-character line.
    let nobody_job = wait_for_message(&env("POSTA_E2E_USER2"), &format!("cron-nobody-{tok}"));

    let profile = env("POSTA_E2E_USER1");
    for (what, message) in [
        ("root's cron job", &root_job),
        ("nobody's cron job", &nobody_job),
        ("mailutils", &mailutils),
        ("php", &php),
    ] {
        let parsed = parse(message);
        assert_eq!(
            parsed["body"]["defects"],
            serde_json::json!([]),
            "{what}: {parsed}"
        );
        // from_header = "rewrite": cron's `From: root (Cron Daemon)` and mailutils'
        // root@hostname become the profile's address, which the provider requires.
        assert_eq!(
            parsed["from"][0]["addr"],
            profile.as_str(),
            "{what}: {parsed}"
        );
        // envelope_from = "profile": MAIL FROM was the login, whatever -f said.
        assert!(
            text(message).starts_with(&format!("Return-Path: <{profile}>")),
            "{what}: {}",
            header_block(message)
        );
    }
    let parsed = parse(&nobody_job);
    let body = parsed["body"]["text"].as_str().unwrap_or_default();
    assert!(
        body.contains(&format!("cron-nobody-{tok}\n{}\n", "x".repeat(5000))),
        "the long line reads back whole: {body:?}"
    );

    std::fs::write(&machine.stop, b"").unwrap();
    let mut stderr = String::new();
    if let Some(mut err) = machine.child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut stderr);
    }
    let status = machine.child.wait().unwrap();
    let log = std::fs::read_to_string(work.path().join("dpkg.log")).unwrap_or_default();
    (status.success(), format!("{stderr}\n{log}"))
}

#[test]
fn cron_mailutils_and_php_mail_through_the_system_config() {
    let (clean, said) = run_machine("--binary", Path::new(env!("CARGO_BIN_EXE_posta")), "cron");
    assert!(clean, "{said}");
}

/// The Debian package on a copy-on-write machine: `dpkg -i` replaces the machine's
/// MTA, cron's mail goes out through it, and `dpkg --purge` leaves none of its files.
#[test]
fn the_debian_package_becomes_the_machines_mailer_and_purges_cleanly() {
    let out_dir = tempfile::tempdir().unwrap();
    let built = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/build-deb.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_posta"), "--out"])
        .arg(out_dir.path())
        .env("POSTA_DEB_COMPRESS", "gzip")
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built.stderr));
    let deb = text(&built.stdout).trim().to_string();
    let (clean, said) = run_machine("--deb", Path::new(&deb), "deb");
    assert!(clean, "{said}");
}
