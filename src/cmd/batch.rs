//! `posta batch`: many finished messages (a directory of .eml files, a Maildir, an
//! mbox) over one connection, each read like `sendmail -t`. A refused message does not
//! stop the others; every message gets a result, and the command a summary.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use super::{Console, Report, failure_json};
use crate::cli::{BatchArgs, GlobalArgs};
use crate::config::{self, Account};
use crate::envelope::Dsn;
use crate::exit::{self, Code, fail};
use crate::message::mbox::{MboxReader, looks_like_mbox};
use crate::message::raw::{self, RawOptions, Spooled};
use crate::smtp::{self, Connection, SmtpError, Stage, Transcript};

/// A pace for `--rate`: the least time between the starts of two messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub interval: Duration,
}

impl Rate {
    /// "N/s", "N/m" (or "N/min"), "N/h"; N a positive number, fractions allowed.
    pub fn parse(text: &str) -> Result<Rate, String> {
        let bad = || format!("{text:?}: expected N/s or N/m, e.g. 10/s or 30/m");
        let (count, unit) = text.split_once('/').ok_or_else(bad)?;
        let count: f64 = count.trim().parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        if !count.is_finite() || count <= 0.0 {
            return Err(format!("{text:?}: the count must be more than 0"));
        }
        let interval = per / count;
        if interval > 86_400.0 {
            return Err(format!("{text:?}: slower than one message a day"));
        }
        Ok(Rate {
            interval: Duration::from_secs_f64(interval),
        })
    }
}

/// Sleeps so that message starts are at least `interval` apart. Bounded: time lost
/// to a slow server is not made up later with a burst.
struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    fn wait(&mut self) {
        if let Some(next) = self.next {
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        self.next = Some(Instant::now() + self.interval);
    }
}

/// One thing to read messages from, found before anything is sent.
enum Source {
    /// One message.
    File(PathBuf),
    /// Many messages, split as they are read.
    Mbox(PathBuf),
}

/// List the messages of every source: directories (.eml files, or a Maildir's new/
/// and cur/) in name order, files as a message or, when they start with "From ", an mbox.
fn sources(paths: &[PathBuf]) -> anyhow::Result<Vec<Source>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            fail(
                Code::NoInput,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        if meta.is_dir() {
            let maildir = path.join("cur").is_dir() || path.join("new").is_dir();
            if maildir {
                for sub in ["new", "cur"] {
                    let dir = path.join(sub);
                    if dir.is_dir() {
                        out.extend(list(&dir, |_| true)?.into_iter().map(Source::File));
                    }
                }
            } else {
                let eml = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"));
                out.extend(list(path, eml)?.into_iter().map(Source::File));
            }
        } else {
            let mut start = [0u8; 5];
            let n = File::open(path)
                .and_then(|mut f| f.read(&mut start))
                .map_err(|e| {
                    fail(
                        Code::NoInput,
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
            out.push(if looks_like_mbox(&start[..n]) {
                Source::Mbox(path.clone())
            } else {
                Source::File(path.clone())
            });
        }
    }
    Ok(out)
}

/// The regular files of `dir` that `keep` accepts, sorted by name; dot files skipped.
fn list(dir: &Path, keep: impl Fn(&Path) -> bool) -> anyhow::Result<Vec<PathBuf>> {
    let cannot = |e: io::Error| fail(Code::NoInput, format!("cannot list {}: {e}", dir.display()));
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && path.is_file() && keep(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A writer shared by the transcript and the per-message lines, both on stderr.
#[derive(Clone)]
struct Shared<'a>(Rc<RefCell<&'a mut dyn Write>>);

impl Write for Shared<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

#[derive(Default)]
struct Tally {
    sent: u64,
    failed: u64,
    /// The exit code of the first failure.
    first_code: Option<Code>,
    /// Why the batch stopped before the end, if it did.
    stopped: Option<String>,
}

/// The state of a running batch.
struct Batch<'a, 't> {
    global: &'a GlobalArgs,
    args: &'a BatchArgs,
    out: &'a mut dyn Write,
    err: Shared<'t>,
    transcript: Option<&'t mut Transcript<'t>>,
    account: Option<Account>,
    connection: Option<Connection<'t>>,
    pacer: Option<Pacer>,
    tally: Tally,
}

/// What became of one message.
enum Sent {
    Ok(smtp::Outcome, String),
    Failed(anyhow::Error),
    /// The connection cannot be opened again: stop here.
    Fatal(anyhow::Error),
}

impl<'a, 't> Batch<'a, 't> {
    /// Send one message read from `input`; false when the batch must stop.
    fn one(&mut self, name: &str, input: anyhow::Result<&mut dyn BufRead>) -> anyhow::Result<bool> {
        if let Some(p) = &mut self.pacer {
            p.wait();
        }
        let sent = match input {
            Ok(reader) => self.send(reader),
            Err(e) => Sent::Failed(e),
        };
        let json = self.global.json;
        let (object, go_on) = match sent {
            Sent::Ok(outcome, message_id) => {
                self.tally.sent += 1;
                (
                    json!({
                        "type": "message",
                        "source": name,
                        "status": "sent",
                        "message_id": message_id,
                        "accepted": outcome.accepted,
                        "final_reply": outcome.final_reply,
                        "warnings": outcome.warnings,
                    }),
                    true,
                )
            }
            Sent::Failed(e) => (self.failed(name, &e), true),
            Sent::Fatal(e) => {
                self.tally.stopped = Some(exit::message_and_hints(&e).0);
                (self.failed(name, &e), false)
            }
        };
        if json {
            writeln!(self.out, "{object}")?;
        }
        Ok(go_on)
    }

    fn failed(&mut self, name: &str, e: &anyhow::Error) -> serde_json::Value {
        self.tally.failed += 1;
        let code = exit::code_of(e);
        self.tally.first_code.get_or_insert(code);
        let (message, _) = exit::message_and_hints(e);
        let _ = writeln!(self.err, "posta: batch: {name}: {message}");
        let mut object = failure_json(e);
        object["type"] = json!("message");
        object["source"] = json!(name);
        object
    }

    fn send(&mut self, reader: &mut dyn BufRead) -> Sent {
        let spooled = match self.read(reader) {
            Ok(s) => s,
            Err(e) => return Sent::Failed(e),
        };
        let mut spooled = spooled;
        let account = self.account.as_ref().expect("resolved while reading");
        if self.connection.is_none() {
            match Connection::open(&account.settings, self.transcript.take()) {
                Ok(c) => self.connection = Some(c),
                Err(e) => return Sent::Fatal(e.into()),
            }
        }
        let connection = self.connection.as_mut().expect("opened above");
        let dsn = Dsn::default().with_default_envid(&spooled.message_id);
        let envelope = spooled.envelope.clone();
        let message_id = spooled.message_id.clone();
        let size = spooled.size;
        let result = connection.send(&envelope, &dsn, &mut Payload(&mut spooled));
        let result = result.map_err(|e| (is_session_failure(&e), anyhow::Error::from(e)));
        crate::log::submission(
            &mut self.err,
            account,
            &envelope,
            Some(size),
            result.as_ref().map_err(|(_, e)| e),
        );
        match result {
            Ok(outcome) => Sent::Ok(outcome, message_id),
            Err((true, e)) => Sent::Fatal(e),
            Err((false, e)) => Sent::Failed(e),
        }
    }

    /// Read and spool one message; the first one also decides the account.
    fn read(&mut self, reader: &mut dyn BufRead) -> anyhow::Result<Spooled> {
        let block = raw::read_header_block(reader)?;
        if self.account.is_none() {
            let hint = self
                .args
                .envelope_from
                .clone()
                .or_else(|| block.from_address());
            let mut account = config::resolve(self.global, &self.args.connection, hint.as_deref())?;
            let login = account.from.clone().or(hint);
            account.load_credentials(login.as_deref())?;
            self.account = Some(account);
        }
        let account = self.account.as_ref().expect("resolved above");
        let opts = RawOptions {
            extract_recipients: true,
            envelope_from: self.args.envelope_from.clone(),
            full_name: None,
            default_from: account.from.clone(),
            recipients: Vec::new(),
        };
        Ok(block.spool(reader, &opts)?)
    }
}

/// The connection could not be (re)opened, or logging in failed: no later message
/// would fare better.
fn is_session_failure(e: &SmtpError) -> bool {
    matches!(
        e.stage,
        Stage::Connect | Stage::Greeting | Stage::Ehlo | Stage::StartTls | Stage::Auth
    )
}

/// A spooled message as the transport's payload.
struct Payload<'a>(&'a mut Spooled);

impl smtp::Payload for Payload<'_> {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.0.write_to(out)
    }
    fn size_hint(&self) -> Option<u64> {
        Some(self.0.size)
    }
    fn is_8bit(&self) -> bool {
        self.0.eight_bit
    }
}

pub fn run(
    global: &GlobalArgs,
    args: BatchArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let sources = sources(&args.sources)?;
    let err = Shared(Rc::new(RefCell::new(&mut *console.err)));
    let mut transcript_out = err.clone();
    let mut transcript = Transcript {
        out: &mut transcript_out,
        level: global.verbose,
    };
    let mut batch = Batch {
        global,
        args: &args,
        out: &mut *console.out,
        err: err.clone(),
        transcript: (global.verbose > 0).then_some(&mut transcript),
        account: None,
        connection: None,
        pacer: args.rate.map(|r| Pacer {
            interval: r.interval,
            next: None,
        }),
        tally: Tally::default(),
    };

    if let (Some(template), Some(data)) = (&args.template, &args.data) {
        merge(&mut batch, template, data)?;
    }
    'sources: for source in &sources {
        match source {
            Source::File(path) => {
                let name = path.display().to_string();
                let file = File::open(path)
                    .map_err(|e| fail(Code::NoInput, format!("cannot read {name}: {e}")));
                let go_on = match file {
                    Ok(f) => batch.one(&name, Ok(&mut BufReader::new(f)))?,
                    Err(e) => batch.one(&name, Err(e))?,
                };
                if !go_on {
                    break 'sources;
                }
            }
            Source::Mbox(path) => {
                let file =
                    File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
                let mut mbox = MboxReader::new(BufReader::with_capacity(64 * 1024, file));
                let mut scratch = tempfile::tempfile().context("cannot create a spool file")?;
                for n in 1.. {
                    scratch.set_len(0)?;
                    scratch.rewind()?;
                    let more = {
                        let mut w = io::BufWriter::new(&mut scratch);
                        let more = mbox
                            .next_into(&mut w)
                            .with_context(|| format!("reading {}", path.display()))?;
                        w.flush()?;
                        more
                    };
                    if !more {
                        break;
                    }
                    scratch.rewind()?;
                    let name = format!("{}#{n}", path.display());
                    if !batch.one(&name, Ok(&mut BufReader::new(&mut scratch)))? {
                        break 'sources;
                    }
                }
            }
        }
    }
    let mut sessions = 0;
    if let Some(connection) = batch.connection.take() {
        sessions = connection.sessions;
        connection.close();
    }
    let tally = std::mem::take(&mut batch.tally);
    Ok(summary(&tally, sessions, started.elapsed()))
}

/// Mail merge: the template once per CSV row. Everything is checked before the first
/// message goes out (the template, the columns it names), so a typo costs no mail.
fn merge(batch: &mut Batch<'_, '_>, template: &Path, data: &Path) -> anyhow::Result<()> {
    let no_input = |p: &Path, e: &dyn std::fmt::Display| {
        fail(Code::NoInput, format!("cannot read {}: {e}", p.display()))
    };
    let size = std::fs::metadata(template)
        .map_err(|e| no_input(template, &e))?
        .len();
    if size > crate::message::merge::MAX_TEMPLATE as u64 {
        return Err(fail(
            Code::DataErr,
            format!("template {} is larger than 16 MiB", template.display()),
        ));
    }
    let text = std::fs::read_to_string(template).map_err(|e| no_input(template, &e))?;
    let template_parsed = crate::message::merge::Template::parse(&text)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(data)
        .map_err(|e| no_input(data, &e))?;
    let headers = reader
        .headers()
        .map_err(|e| fail(Code::DataErr, format!("{}: {e}", data.display())))?
        .clone();
    let columns: Vec<&str> = headers.iter().map(str::trim).collect();
    for field in template_parsed.fields() {
        if !columns.contains(&field) {
            return Err(fail(
                Code::DataErr,
                format!(
                    "the template uses {{{{{field}}}}} but {} has no such column (columns: {})",
                    data.display(),
                    columns.join(", ")
                ),
            ));
        }
    }
    for (i, record) in reader.records().enumerate() {
        let row = i + 2; // the header is line 1
        let name = format!("{}:{row}", data.display());
        let rendered = record
            .map_err(|e| fail(Code::DataErr, format!("{name}: {e}")))
            .and_then(|r| {
                let values = columns.iter().copied().zip(r.iter()).collect();
                Ok(template_parsed.render(&values)?)
            });
        let go_on = match rendered {
            Ok(message) => batch.one(&name, Ok(&mut io::Cursor::new(message.into_bytes())))?,
            Err(e) => batch.one(&name, Err(e))?,
        };
        if !go_on {
            break;
        }
    }
    Ok(())
}

/// The last word: counts, connections, time and rate; the exit code of the first failure.
fn summary(tally: &Tally, sessions: u32, elapsed: Duration) -> Report {
    let total = tally.sent + tally.failed;
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        total as f64 / seconds
    } else {
        0.0
    };
    let mut human = format!(
        "batch: {} sent, {} failed, over {sessions} connection{} in {seconds:.2} s ({rate:.1} messages/s)",
        tally.sent,
        tally.failed,
        if sessions == 1 { "" } else { "s" },
    );
    if let Some(why) = &tally.stopped {
        human.push_str(&format!("; stopped early, the rest was not sent: {why}"));
    }
    let status = match (tally.sent, tally.failed) {
        (_, 0) if tally.stopped.is_none() => "sent",
        (0, _) => "failed",
        _ => "partial",
    };
    Report {
        human,
        json: Some(json!({
            "type": "summary",
            "status": status,
            "sent": tally.sent,
            "failed": tally.failed,
            "stopped": tally.stopped,
            "connections": sessions,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "messages_per_second": (rate * 10.0).round() / 10.0,
            "exit_code": tally.first_code.unwrap_or(Code::Ok).as_i32(),
        })),
        data: false,
        exit: tally.first_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_parsing() {
        assert_eq!(
            Rate::parse("10/s").unwrap().interval,
            Duration::from_millis(100)
        );
        assert_eq!(
            Rate::parse("30/m").unwrap().interval,
            Duration::from_secs(2)
        );
        assert_eq!(
            Rate::parse("30/min").unwrap().interval,
            Duration::from_secs(2)
        );
        assert_eq!(
            Rate::parse("0.5/s").unwrap().interval,
            Duration::from_secs(2)
        );
        assert_eq!(
            Rate::parse(" 60 / h ").unwrap().interval,
            Duration::from_secs(60)
        );
        for bad in [
            "",
            "10",
            "10/x",
            "0/s",
            "-1/s",
            "x/s",
            "1/d",
            "NaN/s",
            "0.00001/h",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pacer_spaces_starts_without_bursting() {
        let mut p = Pacer {
            interval: Duration::from_millis(30),
            next: None,
        };
        let t0 = Instant::now();
        p.wait();
        assert!(
            t0.elapsed() < Duration::from_millis(20),
            "the first goes at once"
        );
        p.wait();
        p.wait();
        assert!(t0.elapsed() >= Duration::from_millis(60));
        // Time spent elsewhere is not made up with a burst later.
        std::thread::sleep(Duration::from_millis(100));
        let t1 = Instant::now();
        p.wait();
        p.wait();
        assert!(t1.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn summary_exit_code_is_the_first_failure() {
        let tally = Tally {
            sent: 3,
            failed: 2,
            first_code: Some(Code::NoUser),
            stopped: None,
        };
        let report = summary(&tally, 1, Duration::from_secs(1));
        assert_eq!(report.exit, Some(Code::NoUser));
        let json = report.json.unwrap();
        assert_eq!(json["status"], "partial");
        assert_eq!(json["exit_code"], 67);
        let all = summary(
            &Tally {
                sent: 2,
                ..Tally::default()
            },
            1,
            Duration::from_secs(1),
        );
        assert_eq!(all.exit, None);
        assert_eq!(all.json.unwrap()["status"], "sent");
    }
}
