//! The queue through the real binary, without Postfix: temporary failures (a closed
//! port, 4xx at RCPT and at end of data from the scripted server) are queued, permanent
//! ones are not; flush sends the exact queued bytes, moves refusals and expired entries
//! to failed/; kill -9 while queueing never leaves a half-written entry.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::scripted_server::{Action, Config, Server};
use crate::support::{closed_port, json, posta, run_with_input, text, usage_file, write_config};
use serde_json::Value;

fn queue_dir(home: &Path) -> PathBuf {
    home.join("data/posta/queue")
}

fn send(home: &Path, port: u16, extra: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.args([
        "send",
        "--server",
        &format!("127.0.0.1:{port}"),
        "--security",
        "plain",
        "--timeout",
        "5",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
        "-s",
        "queued",
        "--body",
        "Hello from the queue.",
    ]);
    cmd.args(extra);
    cmd
}

fn sendmail(home: &Path, port: u16, extra: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.args([
        "sendmail",
        "--server",
        &format!("127.0.0.1:{port}"),
        "--security",
        "plain",
        "--timeout",
        "5",
        "-f",
        "jane@example.org",
    ]);
    cmd.args(extra);
    cmd.arg("bob@example.org");
    cmd
}

const RAW: &[u8] =
    b"From: jane@example.org\nTo: bob@example.org\nSubject: raw\n\nline 1\n.dot line\n";

fn list(home: &Path) -> Value {
    let out = posta(home)
        .args(["queue", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    json(&out)
}

fn queued_ids(home: &Path) -> Vec<String> {
    list(home)["queued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn config(home: &Path, port: u16) -> PathBuf {
    config_with(home, port, "")
}

/// The profile `t` (the default) to 127.0.0.1:`port`, plus `extra` lines.
fn config_with(home: &Path, port: u16, extra: &str) -> PathBuf {
    write_config(
        home,
        &format!(
            "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\ntimeout = 5\nqueue = \"on-temporary-failure\"\n{extra}"
        ),
    )
}

mod basics;
mod batch;
mod daily_limit;
mod interrupted;
mod sendmail_mode;
mod unattended;
