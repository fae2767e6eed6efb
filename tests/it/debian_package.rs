//! The Debian package `scripts/build-deb.sh` builds: its control fields (it provides and
//! replaces the machine's mail-transport-agent, as msmtp-mta does), what it installs,
//! and that it removes cleanly — installed with dpkg into a root of its own, so the
//! machine's own mailer (the suite's Postfix) is left alone.

use std::path::Path;
use std::process::Command;

use crate::support::text;

fn dpkg(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args(["--force-not-root", "--force-depends"])
        .args(args)
        .output()
        .expect("dpkg (Debian) is needed for this test")
}

#[test]
fn the_package_installs_the_sendmail_names_and_removes_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/build-deb.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_posta"), "--out"])
        .arg(dir.path())
        .env("POSTA_DEB_COMPRESS", "gzip")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let deb = text(&out.stdout).trim().to_string();
    assert!(deb.ends_with(".deb"), "{deb}");

    let field = |name: &str| {
        let out = Command::new("dpkg-deb")
            .args(["--field", &deb, name])
            .output()
            .unwrap();
        text(&out.stdout).trim().to_string()
    };
    assert_eq!(field("Package"), "posta");
    for relation in ["Provides", "Conflicts", "Replaces"] {
        assert_eq!(field(relation), "mail-transport-agent", "{relation}");
    }

    let root = dir.path().join("root");
    for d in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in ["var/lib/dpkg/status", "var/lib/dpkg/available"] {
        std::fs::write(root.join(f), "").unwrap();
    }
    let out = dpkg(&root, &["-i", &deb]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let installed = root.join("usr/bin/posta");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert!(
        text(&version.stdout).starts_with("posta "),
        "{}",
        text(&version.stdout)
    );
    for (link, target) in [
        ("usr/sbin/sendmail", "/usr/bin/posta"),
        ("usr/lib/sendmail", "/usr/bin/posta"),
        ("usr/bin/mailq", "posta"),
        ("usr/bin/newaliases", "posta"),
    ] {
        let read = std::fs::read_link(root.join(link)).unwrap();
        assert_eq!(read, Path::new(target), "{link}");
    }
    for file in [
        "etc/posta/config.toml.example",
        "usr/share/man/man1/posta-sendmail.1.gz",
        "usr/share/bash-completion/completions/posta",
        "usr/lib/systemd/user/posta-queue.timer",
        "usr/lib/systemd/system/posta.service",
        "usr/lib/systemd/system/posta.socket",
        "usr/share/man/man1/posta-serve.1.gz",
    ] {
        assert!(root.join(file).is_file(), "{file} not installed");
    }

    // Removed: only the conffile stays; purged: nothing of posta's is left.
    let out = dpkg(&root, &["-r", "posta"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!installed.exists());
    assert!(root.join("etc/posta/config.toml.example").exists());
    let out = dpkg(&root, &["-P", "posta"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let left: Vec<_> = walk(&root)
        .into_iter()
        .filter(|p| !p.starts_with(root.join("var/lib/dpkg")))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Every file and link under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
