//! Nothing half-done: kill -9 while queueing leaves no half-written entry, a SIGTERM in
//! the middle of sendmail mode's session leaves the message queued, and a message sent
//! or refused for good leaves no copy behind.

use super::*;

/// xorshift: reproducible "random" delays; the seed is printed on failure.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1
}

#[test]
fn kill_9_while_queueing_never_leaves_a_half_written_entry() {
    let home = tempfile::tempdir().unwrap();
    // Big enough that spooling and queueing take a few milliseconds.
    let mut input = b"From: jane@example.org\nTo: bob@example.org\nSubject: big\n\n".to_vec();
    for i in 0..40_000 {
        input.extend(format!("line {i} of the message body, some text to fill it\n").bytes());
    }
    let s = seed();
    let mut rng = Rng(s);
    let port = closed_port();
    // Kill anywhere in the life of a run: from before it reads to after it is done.
    let started = std::time::Instant::now();
    let out = run_with_input(sendmail(home.path(), port, &[]), &input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let span = (started.elapsed().as_micros() as u64 * 5 / 4).max(1000);
    let (mut completed, mut killed) = (1, 0);
    for _ in 0..30 {
        let mut cmd = sendmail(home.path(), port, &[]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.clone();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&data);
        });
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        writer.join().unwrap();
        if status.success() {
            completed += 1;
        } else {
            killed += 1;
        }
    }
    let entries = list(home.path())["queued"].as_array().unwrap().clone();
    let mut expected = Vec::new();
    for line in text(&input).lines() {
        expected.extend(line.as_bytes());
        expected.extend(b"\r\n");
    }
    // Every entry the list shows is whole: its bytes are the message (plus the
    // Date and Message-ID headers sendmail mode adds), its size matches.
    for e in &entries {
        let id = e["id"].as_str().unwrap();
        let bytes = std::fs::read(queue_dir(home.path()).join(id).join("message")).unwrap();
        assert_eq!(bytes.len() as u64, e["size"].as_u64().unwrap(), "seed {s}");
        assert!(
            bytes.ends_with(&expected[expected.len() - 2000..]),
            "seed {s}: {id} is cut short"
        );
    }
    assert!(
        entries.len() >= completed,
        "seed {s}: {completed} said queued, {} in the queue",
        entries.len()
    );
    // Whatever a killed process left is not an entry: only .tmp-* directories.
    for e in std::fs::read_dir(queue_dir(home.path())).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let dir = queue_dir(home.path()).join(&name);
        assert!(
            name == "failed" || name.starts_with(".tmp-") || dir.join("meta.json").exists(),
            "seed {s}: {name} is neither an entry nor a temp dir"
        );
    }
    eprintln!(
        "seed {s}: {completed} completed, {killed} killed, {} entries, runs of {span} µs",
        entries.len()
    );
    assert!(
        killed > 0 && completed > 0,
        "seed {s}: the delays missed: {completed} completed, {killed} killed"
    );
}

/// sendmail mode puts the message in the queue before its session: a SIGTERM in the
/// middle of it (a systemd stop, a cron timeout) leaves it there, marked as an
/// interrupted attempt, and `queue flush` delivers it.
#[test]
fn sendmail_killed_in_the_middle_of_its_session_leaves_the_message_in_the_queue() {
    use std::io::Write as _;
    let home = tempfile::tempdir().unwrap();
    let stalls = Server::start(Config::default().on("DATA", Action::Hang));
    config(home.path(), stalls.port());
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(RAW).unwrap();
    // Held before the session starts; then wait until the session is under way.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while queued_ids(home.path()).is_empty() {
        assert!(std::time::Instant::now() < deadline, "nothing queued");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by the signal");
    drop(stalls);

    let entries = list(home.path())["queued"].clone();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert!(entries[0]["attempt_started"].is_i64(), "{entries}");

    let server = Server::start(Config::default());
    config(home.path(), server.port());
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["sent"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["sent"][0]["after_interrupted_attempt"], true, "{v}");
    assert_eq!(record.messages.len(), 1);
    assert!(queued_ids(home.path()).is_empty());
}

/// A message sent by sendmail mode leaves nothing behind in the queue, and one refused
/// for good is not kept either.
#[test]
fn sendmail_leaves_no_copy_once_sent_or_refused_for_good() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let out = run_with_input(sendmail(home.path(), server.port(), &[]), RAW);
    server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(queued_ids(home.path()).is_empty());
    let server = Server::start(Config::default().reply("RCPT", "550 5.1.1 no such user"));
    let out = run_with_input(sendmail(home.path(), server.port(), &[]), RAW);
    server.finish();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    assert!(queued_ids(home.path()).is_empty());
    assert!(list(home.path())["failed"].as_array().unwrap().is_empty());
}
