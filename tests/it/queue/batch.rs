//! `posta batch` and the queue: only temporary refusals queued, a profile's rate kept,
//! a profile whose password cannot be had left out.

use super::*;

/// `posta batch --queue`: a message refused for now (451 at RCPT) goes to the queue,
/// one refused for good (550) does not, the others are sent; `queue flush` later sends
/// the queued one through the same profile.
#[test]
fn batch_queues_only_the_temporarily_refused_message() {
    let home = tempfile::tempdir().unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    for (i, to) in ["bob", "later", "nobody", "carol"].iter().enumerate() {
        std::fs::write(
            outbox.join(format!("m{i}.eml")),
            format!("From: jane@example.org\nTo: {to}@example.org\nSubject: n{i}\n\nbody\n"),
        )
        .unwrap();
    }
    let server = Server::start(
        Config::default()
            .reply("RCPT TO:<later@", "451 4.3.0 try again later")
            .reply("RCPT TO:<nobody@", "550 5.1.1 no such user"),
    );
    config_with(home.path(), server.port(), "");
    let out = posta(home.path())
        .args(["--json", "batch", "--queue", "on-temporary-failure"])
        .arg(&outbox)
        .output()
        .unwrap();
    let record = server.finish();
    let stdout = text(&out.stdout);
    // The first failure decides the exit code: the 451, queued (75).
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let status = |source: &str| {
        lines
            .iter()
            .find(|l| l["source"].as_str().is_some_and(|s| s.ends_with(source)))
            .map(|l| l["status"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    assert_eq!(status("m0.eml"), "sent", "{stdout}");
    assert_eq!(status("m1.eml"), "queued", "{stdout}");
    assert_eq!(status("m2.eml"), "failed", "{stdout}");
    assert_eq!(status("m3.eml"), "sent", "{stdout}");
    let summary = lines.last().unwrap();
    assert_eq!(
        (summary["sent"].as_u64(), summary["queued"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(record.messages.len(), 2);

    let queued = list(home.path());
    let entries = queued["queued"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "only the 451: {queued}");
    assert_eq!(entries[0]["profile"], "t");
    assert!(entries[0]["last_error"].as_str().unwrap().contains("451"));

    // Now the server takes it: flush sends it through profile t.
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "");
    let out = posta(home.path())
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    assert!(queued_ids(home.path()).is_empty());
}

/// A profile's `rate` paces `posta batch` through it: 5 messages at 10 a second take
/// at least the 4 gaps between their starts.
#[test]
fn batch_keeps_to_the_profile_rate() {
    let home = tempfile::tempdir().unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    for i in 0..5 {
        std::fs::write(
            outbox.join(format!("m{i}.eml")),
            format!("From: jane@example.org\nTo: bob@example.org\nSubject: n{i}\n\nbody\n"),
        )
        .unwrap();
    }
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "rate = \"10/s\"\n");
    let started = std::time::Instant::now();
    let out = posta(home.path())
        .arg("batch")
        .arg(&outbox)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 5);
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
}

/// `posta -p bad,t batch`: a profile whose password command fails drops out with a
/// warning and the other sends everything (the whole batch used to stop).
#[test]
fn batch_leaves_out_a_profile_whose_password_cannot_be_had() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let path = config_with(home.path(), server.port(), "");
    let mut text_config = std::fs::read_to_string(&path).unwrap();
    text_config.push_str(
        "[profiles.bad]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\n\
         user = \"jane\"\npassword_command = \"echo locked >&2; exit 1\"\n",
    );
    std::fs::write(&path, text_config).unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    for i in 1..=2 {
        std::fs::write(
            outbox.join(format!("{i}.eml")),
            format!("From: jane@example.org\nTo: bob@example.org\nSubject: {i}\n\nx\n"),
        )
        .unwrap();
    }
    let out = posta(home.path())
        .args(["-p", "bad,t", "batch"])
        .arg(&outbox)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("profile bad left out"), "{err}");
    assert!(err.contains("locked"), "{err}");
    assert_eq!(server.finish().messages.len(), 2);

    // Alone, the same profile's failure is the batch's: 78, nothing sent.
    let out = posta(home.path())
        .args(["-p", "bad", "batch"])
        .arg(&outbox)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", text(&out.stderr));
}
