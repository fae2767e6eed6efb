//! `posta batch`: many finished messages (a directory of .eml files, a Maildir, an
//! mbox, or a mail merge) each read like `sendmail -t`, sent over one connection or a
//! few (`--connections N`), through one profile or several in turn (`-p a,b,c`) within
//! each profile's daily cap. A refused message does not stop the others; every message
//! gets a result, and the command a summary.
//!
//! The shape: this thread (the dispatcher) reads and spools each message and hands it
//! to a profile's connection threads ([`worker`]) through a channel one message deep,
//! so the next message is read while the last is on the wire. Workers report back
//! through one channel; only the dispatcher writes to the console. With one profile
//! and one connection (the default) no thread is started: the dispatcher sends each
//! message itself, which costs less CPU than two threads taking turns.

mod dispatch;
mod dry_run;
mod events;
mod lanes;
mod outcome;
mod schedule;
mod source;
mod tally;
mod worker;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::time::Instant;

use super::{Console, Report};
use crate::cli::{BatchArgs, GlobalArgs};
use crate::model::exit_code::{Code, fail};
use crate::pace::Pacer;
use crate::progress;
use crate::smtp::Transcript;
use dispatch::Dispatcher;
use tally::Tally;

/// A writer shared by the dispatcher and the transcript of the session it runs.
#[derive(Clone)]
pub(super) struct Shared<'a>(Rc<RefCell<&'a mut dyn Write>>);

impl Write for Shared<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

pub fn run(
    global: &GlobalArgs,
    args: BatchArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let sources = source::list(&args.sources)?;
    // A merge is checked (template, columns) before anything is sent.
    let merge = match (&args.template, &args.data) {
        (Some(template), Some(data)) => Some(source::Merge::open(template, data)?),
        _ => None,
    };
    let profiles = profile_names(global)?;
    let total = if merge.is_some() {
        None
    } else {
        source::count(&sources)
    };
    let console_is_terminal = console.stderr_is_terminal;
    let (events_tx, events_rx) = crossbeam_channel::bounded(256);
    // stderr is written by the dispatcher and, with one connection, by the transcript
    // of the session it runs itself: never both at once.
    let err = Shared(Rc::new(RefCell::new(&mut *console.err)));
    let mut transcript_out = err.clone();
    let mut transcript = Transcript {
        out: &mut transcript_out,
        level: global.verbose,
    };
    let mut batch = Dispatcher {
        global,
        origin: {
            let mut origin = global.origin(&args.connection);
            origin.overrides.save_sent = Some(args.save_sent);
            origin
        },
        args: &args,
        out: &mut *console.out,
        err,
        transcript: (global.verbose > 0).then_some(&mut transcript),
        inline: None,
        profiles,
        lanes: None,
        events_tx: Some(events_tx),
        events: events_rx,
        pacer: args.rate.map(Pacer::new),
        pool: Vec::new(),
        copies: crate::submit::Copies::new(global.verbose > 0),
        tally: Tally::default(),
        capped_said: false,
        progress: progress::Switch::decide(
            console_is_terminal,
            global.quiet,
            global.json,
            global.verbose,
        )
        .count(total),
        retry: Vec::new(),
        dry_run: args.dry_run.clone().map(dry_run::DryRun::new).transpose()?,
    };
    if batch.dry_run.is_some() {
        batch.pacer = None; // nothing goes out: no reason to wait
    }
    let walked = match merge {
        Some(merge) => merge.walk(&mut |name, input| batch.one(name, input)),
        None => source::walk(&sources, &mut |name, input| batch.one(name, input)),
    };
    let finished = batch.finish();
    let report = batch
        .dry_run_summary()
        .unwrap_or_else(|| batch.summary(started.elapsed()));
    // The summary takes the bar's place.
    batch.progress.finish();
    walked?;
    finished?;
    Ok(report)
}

/// The profiles of `-p a,b,c`, in order; one `None` (the default profile, or none)
/// without `-p`.
fn profile_names(global: &GlobalArgs) -> anyhow::Result<Vec<Option<String>>> {
    let Some(list) = &global.profile else {
        return Ok(vec![None]);
    };
    let mut names: Vec<Option<String>> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(fail(
                Code::Usage,
                format!("-p {list:?}: an empty profile name; write -p a,b,c"),
            ));
        }
        if names.iter().flatten().any(|n| n == name) {
            return Err(fail(
                Code::Usage,
                format!("-p {list:?}: profile {name} is named twice"),
            ));
        }
        names.push(Some(name.to_string()));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_lists() {
        let mut g = GlobalArgs::default();
        assert_eq!(profile_names(&g).unwrap(), vec![None]);
        g.profile = Some("a, b,c".into());
        assert_eq!(
            profile_names(&g).unwrap(),
            vec![Some("a".into()), Some("b".into()), Some("c".into())]
        );
        g.profile = Some("a,,b".into());
        assert!(profile_names(&g).is_err());
        g.profile = Some("a,b,a".into());
        assert!(profile_names(&g).is_err());
    }
}
