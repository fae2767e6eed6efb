//! The mail server's side of the end-to-end suite (tests/e2e): its environment (from
//! scripts/mailserver.sh via scripts/test.sh), and waiting for delivery into the
//! Maildirs. Also brings the shared helpers of tests/support (the hermetic `posta`,
//! Python's `email` parser, …) into scope, so that an e2e module needs one `use`.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

pub use crate::support::*;

/// A variable printed by `scripts/mailserver.sh start`; the suite cannot run without it.
pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the suite with scripts/test.sh (it starts the mail server)")
    })
}

pub fn ca() -> String {
    env("POSTA_E2E_CA")
}

pub fn port(name: &str) -> String {
    env(&format!("POSTA_E2E_{name}_PORT"))
}

/// A unique token for a subject, so parallel tests find their own messages.
pub fn token(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{label}-{}-{nanos}", std::process::id())
}

/// posta exited 0; else fail showing its output.
pub fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "posta failed ({:?}):\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The Maildir `new/` of a local user at example.test.
pub fn maildir(user: &str) -> PathBuf {
    let local = user.split('@').next().unwrap();
    PathBuf::from(env("POSTA_E2E_MAILDIR_ROOT"))
        .join(local)
        .join("new")
}

/// Wait (at most 20 s) until `user` has a message containing `needle`; return its bytes.
pub fn wait_for_message(user: &str, needle: &str) -> Vec<u8> {
    let messages = wait_for_messages(user, needle, 1);
    messages.into_iter().next().unwrap()
}

/// Wait (at most 20 s) until `user` has `count` messages containing `needle`.
pub fn wait_for_messages(user: &str, needle: &str, count: usize) -> Vec<Vec<u8>> {
    let dir = maildir(user);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut found: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let bytes = std::fs::read(e.path()).ok()?;
                        contains(&bytes, needle.as_bytes()).then(|| (e.path(), bytes))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= count {
            found.sort_by(|a, b| a.0.cmp(&b.0));
            return found.into_iter().map(|(_, b)| b).collect();
        }
        assert!(
            Instant::now() < deadline,
            "{user}: {} of {count} message(s) with {needle:?} arrived in {} within 20 s; see {}",
            found.len(),
            dir.display(),
            env("POSTA_E2E_POSTFIX_LOG")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// No message containing `needle` reached `user` (checked after the others arrived).
pub fn assert_no_message(user: &str, needle: &str) {
    let dir = maildir(user);
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.filter_map(|e| e.ok()) {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{user} got {}",
                e.path().display()
            );
        }
    }
}

/// The part of a delivered message after Postfix's own Received/Return-Path lines.
pub fn header_block(message: &[u8]) -> String {
    let t = text(message);
    let end = t.find("\n\n").unwrap_or(t.len());
    t[..end].to_string()
}
