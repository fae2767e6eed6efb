//! Hostile input from this machine (issue 18, items 2, 7, 9 and 12): a planted
//! `config.toml.tmp`, queue entries and directories that are not the user's or are
//! damaged, recorded connection values weaker than the profile, and core dumps.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::support::{config_path, posta, text, write_config};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn profile_add_never_writes_through_a_planted_config_tmp() {
    // A symlink named config.toml.tmp: the rewrite must not follow it.
    let home = tempfile::tempdir().unwrap();
    let config = write_config(home.path(), "[profiles.relay]\nhost = \"smtp.example.com\"\n");
    let victim = home.path().join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let planted = config.with_extension("toml.tmp");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let out = posta(home.path())
        .args(["profile", "add", "y", "--email", "j@yandex.ru"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(&config).unwrap();
    assert!(meta.file_type().is_file(), "config.toml is a regular file");
    assert_eq!(meta.mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&config).unwrap().contains("[profiles.y]"));

    // A world-writable file of that name: its mode must not become the config's.
    let home = tempfile::tempdir().unwrap();
    let config = write_config(home.path(), "[profiles.relay]\nhost = \"smtp.example.com\"\n");
    let planted = config.with_extension("toml.tmp");
    std::fs::write(&planted, "").unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = posta(home.path())
        .args(["profile", "add", "y", "--email", "j@yandex.ru"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(mode(&config_path(home.path())), 0o600);
    let owner = std::fs::metadata(&config).unwrap().uid();
    assert_eq!(owner, std::fs::metadata(home.path()).unwrap().uid());
}

/// posta as a user other than root (a non-dumpable process's /proc files belong to
/// root, which root cannot tell apart): itself when the tests run as a user, else
/// through `setpriv` as nobody.
fn posta_as_a_user(home: &Path) -> std::process::Command {
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let mut cmd = if me == 0 {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        c.arg(env!("CARGO_BIN_EXE_posta"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_posta"))
    };
    crate::support::hermetic(&mut cmd, home);
    cmd
}

#[test]
#[cfg(target_os = "linux")]
fn posta_cannot_be_dumped_or_read_by_the_user_while_it_may_hold_a_secret() {
    // The password command runs while posta holds no secret yet but is about to: it
    // reports who owns posta's /proc/PID/status (root once PR_SET_DUMPABLE is 0) and
    // whether posta's memory map can be read by the same user.
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = posta_as_a_user(home.path())
        .args([
            "send",
            "--server",
            &format!("127.0.0.1:{}", crate::support::closed_port()),
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
            "-s",
            "x",
            "--body",
            "x",
            "--password-command",
            "echo \"owner=$(stat -c %u /proc/$PPID/status) maps=$(cat /proc/$PPID/maps >/dev/null 2>&1 && echo readable || echo refused)\" >&2; exit 1",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(err.contains("owner=0 maps=refused"), "{err}");
}
