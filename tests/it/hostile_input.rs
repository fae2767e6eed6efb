//! Hostile input from files and cells (issue 18): a mail-merge cell that tries to add
//! recipients, the obsolete `Name : value` header spelling, special files (FIFOs,
//! devices) where a regular file belongs, and `--json send --dry-run`'s one object.
//! Nothing here needs a server: a message that gets through is queued for a port on
//! loopback where nobody listens, and the queue says what it would have been sent to.

use std::path::Path;
use std::process::Output;

use crate::support::{closed_port, json, json_lines, posta, run_with_input, text};

/// The queued entries (`queue list --json`) as (recipients, headers) pairs.
fn queued(home: &Path) -> Vec<(Vec<String>, String)> {
    let out = posta(home)
        .args(["--json", "queue", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = json(&out);
    list["queued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let id = e["id"].as_str().unwrap();
            let show = posta(home)
                .args(["--json", "queue", "show", id])
                .output()
                .unwrap();
            let to = e["envelope"]["to"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            (to, json(&show)["headers"].as_str().unwrap().to_string())
        })
        .collect()
}

/// `posta --json batch ARGS` to a closed port, queueing what gets through.
fn batch(home: &Path, args: &[&Path]) -> Output {
    let mut cmd = posta(home);
    cmd.args(["--json", "batch", "--security", "plain", "--timeout", "5"])
        .args(["--queue", "on-temporary-failure"])
        .args(["--server", &format!("127.0.0.1:{}", closed_port())]);
    for a in args {
        cmd.arg(a);
    }
    cmd.output().unwrap()
}

/// Item 1: with the README's own template, a name cell stays one display name and an
/// email cell must be one address; no row reaches eve.
#[test]
fn a_merge_cell_cannot_add_a_recipient() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let template = dir.join("invite.eml");
    std::fs::write(
        &template,
        "From: Jane <jane@example.com>\nTo: \"{{name}}\" <{{email}}>\n\
         Subject: Your seat, {{name}}\n\nDear {{name}}, your seat is {{seat}}.\n",
    )
    .unwrap();
    let data = dir.join("guests.csv");
    std::fs::write(
        &data,
        "name,email,seat\n\
         Carol,\"carol@x>, <eve@evil.test\",2\n\
         Dan,\"dan@example.org, eve@evil.test\",3\n\
         \"Bob\"\", eve@evil.test, \"\"x\",bob@example.org,1\n\
         \"Zoë\"\", <eve@evil.test>, \"\"\",zoe@example.org,4\n",
    )
    .unwrap();
    let out = batch(
        dir,
        &[
            Path::new("--template"),
            &template,
            Path::new("--data"),
            &data,
        ],
    );
    let stderr = text(&out.stderr);
    let lines = json_lines(&out);
    let status_of = |row: u32| {
        let name = format!("{}:{row}", data.display());
        lines
            .iter()
            .find(|l| l["source"] == name.as_str())
            .unwrap_or_else(|| panic!("no line for {name}: {lines:?}"))
            .clone()
    };
    // The address cells that are not one address: 65, named (and the first failure
    // is the exit code).
    for row in [2, 3] {
        let line = status_of(row);
        assert_eq!(line["status"], "failed", "{line}");
        assert_eq!(line["exit_code"], 65, "{line}");
        assert!(
            line["error"].as_str().unwrap().contains("\"email\""),
            "{line}"
        );
    }
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    // The hostile names went as names: one recipient each, never eve.
    let queued = queued(dir);
    assert_eq!(queued.len(), 2, "{queued:?}\n{stderr}");
    let mut to: Vec<String> = queued.iter().flat_map(|(to, _)| to.clone()).collect();
    to.sort();
    assert_eq!(to, ["bob@example.org", "zoe@example.org"], "{stderr}");
    let bob = &queued
        .iter()
        .find(|(to, _)| to[0] == "bob@example.org")
        .unwrap()
        .1;
    assert!(
        bob.contains(r#"To: "Bob\", eve@evil.test, \"x" <bob@example.org>"#),
        "{bob}"
    );
}

const OBSOLETE: &str = "From: jane@example.com\nTo: bob@example.org\nBCC : audit@example.org\n\
                        Subject\t: obsolete\nX-Later: kept\n\nbody\n";

/// Item 10: `BCC : x` (white space before the colon) is a header: its address is a
/// recipient, the field is removed, and the headers after it stay headers.
fn assert_obsolete_bcc_read(home: &Path) {
    let queued = queued(home);
    assert_eq!(queued.len(), 1, "{queued:?}");
    let (to, headers) = &queued[0];
    assert_eq!(to, &["bob@example.org", "audit@example.org"], "{headers}");
    assert!(!headers.to_ascii_lowercase().contains("audit"), "{headers}");
    assert!(headers.contains("Subject: obsolete\n"), "{headers}");
    assert!(headers.contains("X-Later: kept"), "{headers}");
}

#[test]
fn sendmail_t_reads_the_obsolete_bcc_spelling_as_a_header_and_removes_it() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "--security", "plain", "--timeout", "5", "-t"])
        .args(["--server", &format!("127.0.0.1:{}", closed_port())]);
    let out = run_with_input(cmd, OBSOLETE.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_obsolete_bcc_read(home.path());
}

#[test]
fn batch_reads_the_obsolete_bcc_spelling_in_maildir_and_merge_templates() {
    let home = tempfile::tempdir().unwrap();
    let maildir = home.path().join("Maildir");
    std::fs::create_dir_all(maildir.join("new")).unwrap();
    std::fs::create_dir_all(maildir.join("cur")).unwrap();
    std::fs::write(maildir.join("new/1"), OBSOLETE).unwrap();
    let out = batch(home.path(), &[&maildir]);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert_obsolete_bcc_read(home.path());

    let home = tempfile::tempdir().unwrap();
    let template = home.path().join("t.eml");
    std::fs::write(&template, OBSOLETE.replace("audit@", "{{who}}@")).unwrap();
    let data = home.path().join("d.csv");
    std::fs::write(&data, "who\naudit\n").unwrap();
    let out = batch(
        home.path(),
        &[
            Path::new("--template"),
            &template,
            Path::new("--data"),
            &data,
        ],
    );
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert_obsolete_bcc_read(home.path());
}

/// Item 11: with `--json`, stdout of `send --dry-run` is one JSON object: the message
/// inside it as base64 when small, else described and left out (never the bytes and
/// the object one after the other).
#[test]
fn json_dry_run_prints_one_object_with_the_message_inside_or_left_out() {
    use base64::Engine as _;
    let home = tempfile::tempdir().unwrap();
    let dry_run = |extra: &[&str]| {
        posta(home.path())
            .args(["--json", "send", "--dry-run", "--from", "jane@example.com"])
            .args(["--to", "bob@example.org", "-s", "hi", "--body", "hello"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = dry_run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["status"], "dry-run", "{v}");
    let message = base64::engine::general_purpose::STANDARD
        .decode(v["message_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(v["size"], message.len(), "{v}");
    let parsed = crate::support::parse(&message);
    assert_eq!(parsed["subject"], "hi", "{parsed}");

    // Over the bound: described, not included, and still one object.
    let big = home.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 1 << 20]).unwrap();
    let out = dry_run(&["-a", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert!(v["message_base64"].is_null(), "{v}");
    assert!(v["size"].as_u64().unwrap() > 1 << 20, "{v}");
    assert!(
        v["message_omitted"]
            .as_str()
            .unwrap()
            .contains("without --json"),
        "{v}"
    );
}

/// Run `cmd`, but for at most 20 s: a posta that hangs (on a FIFO, say) is killed and
/// reported as hung rather than holding the suite for ever.
fn bounded(mut cmd: std::process::Command) -> Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("posta hung (killed after 20 s): {}", text(&out.stderr));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// Exit `code` and a stderr that names `path` and says what it is.
fn refused_as(out: &Output, code: i32, path: &Path, what: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    assert!(stderr.contains(what), "{stderr}");
}

/// Item 8: a FIFO (or a device) where posta expects a file is refused at once — 66 for
/// a message part, a CA file or a batch source, 78 for a config — instead of hanging
/// for ever (or, for `-c /dev/zero`, reading until memory runs out).
#[test]
fn special_files_are_refused_instead_of_hanging() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("fifo");
    mkfifo(&fifo);
    let fifo_s = fifo.to_str().unwrap();
    let dry_run = |extra: &[&str]| {
        let mut cmd = posta(home.path());
        cmd.args(["send", "--dry-run", "--from", "jane@example.com"])
            .args(["--to", "bob@example.org", "-s", "s"])
            .args(extra);
        bounded(cmd)
    };
    for flags in [
        vec!["--body", "x", "-a", fifo_s],
        vec!["--html", "<img src=\"cid:fifo\">", "--inline", fifo_s],
        vec!["--body-file", fifo_s],
        vec!["--html-file", fifo_s],
    ] {
        let out = dry_run(&flags);
        refused_as(&out, 66, &fifo, "FIFO");
        assert!(out.stdout.is_empty(), "{flags:?}");
    }
    let out = dry_run(&["--body", "x", "-a", "/dev/zero"]);
    refused_as(&out, 66, Path::new("/dev/zero"), "character device");

    // A CA file (a sibling: read before connecting), then config files: -c, for
    // sending and for editing.
    for (ca, what) in [
        (fifo.as_path(), "FIFO"),
        (Path::new("/dev/zero"), "character device"),
    ] {
        let mut cmd = posta(home.path());
        cmd.args(["send", "--security", "tls", "--ca-file"])
            .arg(ca)
            .args(["--server", &format!("127.0.0.1:{}", closed_port())])
            .args([
                "--from",
                "jane@example.com",
                "--to",
                "bob@example.org",
                "--body",
                "x",
            ]);
        refused_as(&bounded(cmd), 66, ca, what);
    }
    let zero = Path::new("/dev/zero");
    for config in [&fifo, zero] {
        let mut cmd = posta(home.path());
        cmd.arg("-c").arg(config);
        cmd.args(["send", "--dry-run", "--from", "jane@example.com"])
            .args(["--to", "bob@example.org", "--body", "x"]);
        let what = if config == zero {
            "character device"
        } else {
            "FIFO"
        };
        refused_as(&bounded(cmd), 78, config, what);
        let mut cmd = posta(home.path());
        cmd.arg("-c").arg(config).args(["profile", "remove", "x"]);
        refused_as(&bounded(cmd), 78, config, what);
    }

    // Batch sources, merge templates and their data.
    let good = home.path().join("good.eml");
    std::fs::write(&good, "To: {{e}}\n\nx\n").unwrap();
    let csv = home.path().join("d.csv");
    std::fs::write(&csv, "e\nb@example.org\n").unwrap();
    for args in [
        vec![fifo.as_path()],
        vec![Path::new("--template"), &fifo, Path::new("--data"), &csv],
        vec![Path::new("--template"), &good, Path::new("--data"), &fifo],
    ] {
        let mut cmd = posta(home.path());
        cmd.args(["batch", "--security", "plain"])
            .args(["--server", &format!("127.0.0.1:{}", closed_port())])
            .args(&args);
        refused_as(&bounded(cmd), 66, &fifo, "FIFO");
    }
}

/// Item 8: a config file is at most 1 MiB; a larger one is refused (78) before it is read.
#[test]
fn a_config_over_one_mib_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("big.toml");
    // A valid config (posta before the cap used it), padded with comments.
    let mut toml = String::from("default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\n");
    while toml.len() <= 1 << 20 {
        toml.push_str("# padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&config, &toml).unwrap();
    let mut cmd = posta(home.path());
    cmd.arg("-c").arg(&config).args(["send", "--dry-run"]);
    cmd.args([
        "--from",
        "jane@example.com",
        "--to",
        "b@example.org",
        "--body",
        "x",
    ]);
    refused_as(&bounded(cmd), 78, &config, "larger than 1024 KiB");
}

/// A sibling of item 8: a profile's `log_file` that is a FIFO nobody reads held posta
/// for ever after the attempt (opening it for writing waited for a reader). Now the
/// log line is given up with a warning and the outcome stands.
#[test]
fn a_log_file_fifo_nobody_reads_is_a_warning_not_a_hang() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("log.fifo");
    mkfifo(&fifo);
    crate::support::write_config(
        home.path(),
        &format!(
            "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {}\n\
             security = \"plain\"\nlog_file = \"{}\"\n",
            closed_port(),
            fifo.display()
        ),
    );
    let mut cmd = posta(home.path());
    cmd.args([
        "send",
        "--from",
        "jane@example.com",
        "--to",
        "bob@example.org",
    ])
    .args(["--body", "x"]);
    let out = bounded(cmd);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    assert!(
        stderr.contains("FIFO (named pipe) that nobody is reading"),
        "{stderr}"
    );
}
