//! scripts/install-sendmail.sh makes the binary answer as sendmail, without clobbering
//! another MTA's sendmail unless told to.

use std::path::Path;
use std::process::Command;

fn install(prefix: &Path, extra: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-sendmail.sh"))
        .args([
            "--posta",
            env!("CARGO_BIN_EXE_posta"),
            "--prefix",
            prefix.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn links_both_paths_and_the_link_runs_sendmail_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = install(dir.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for link in [
        "usr/sbin/sendmail",
        "usr/lib/sendmail",
        "usr/bin/mailq",
        "usr/bin/newaliases",
    ] {
        let target = std::fs::canonicalize(dir.path().join(link)).unwrap();
        assert_eq!(
            target,
            std::fs::canonicalize(env!("CARGO_BIN_EXE_posta")).unwrap()
        );
    }
    // Invoked as sendmail, the binary speaks sendmail: -bd is refused with 64 and a
    // one-line message prefixed with the program name.
    let out = Command::new(dir.path().join("usr/sbin/sendmail"))
        .arg("-bd")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("sendmail: -bd"));
    // Running it again is harmless.
    assert!(install(dir.path(), &[]).status.success());
}

#[test]
fn an_existing_sendmail_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let sbin = dir.path().join("usr/sbin");
    std::fs::create_dir_all(&sbin).unwrap();
    std::fs::write(sbin.join("sendmail"), "#!/bin/sh\n").unwrap();
    let out = install(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(73));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert!(install(dir.path(), &["--force"]).status.success());
    assert!(sbin.join("sendmail.before-posta").exists());
    assert!(
        std::fs::symlink_metadata(sbin.join("sendmail"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
