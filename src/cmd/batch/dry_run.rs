//! `posta batch --dry-run[=DIR]`: every message is read, checked and spooled exactly as
//! a real batch does it (the same [`Dispatcher::one`], the same profiles and options),
//! then written out with its envelope instead of being handed to a connection. No
//! connection is opened and no secret is fetched.

use std::fs::File;
use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use super::dispatch::Dispatcher;
use crate::cmd::Report;
use crate::message::raw::Spooled;
use crate::model::exit_code::Code;

pub(super) struct DryRun {
    /// Where each message goes as NNNNN.eml with its envelope in NNNNN.json; `None`:
    /// the envelopes as JSON lines on stdout.
    dir: Option<PathBuf>,
    /// Messages taken so far, written or failed: message N is NNNNN.eml, so the Nth row
    /// of a merge is easy to find.
    pub(super) seen: u64,
    written: u64,
}

impl DryRun {
    pub(super) fn new(dir: Option<PathBuf>) -> anyhow::Result<DryRun> {
        if let Some(d) = &dir {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        Ok(DryRun {
            dir,
            seen: 0,
            written: 0,
        })
    }
}

impl Dispatcher<'_, '_, '_> {
    /// Write message `name`, spooled for lane `lane`, where the dry run puts it, and
    /// keep its spool space for the next message.
    pub(super) fn dry_run_one(
        &mut self,
        name: &str,
        lane: usize,
        mut spooled: Spooled,
    ) -> anyhow::Result<()> {
        let profile = self.lanes()[lane].account.profile.clone();
        let dry = self.dry_run.as_mut().expect("called in a dry run");
        dry.written += 1;
        let n = dry.seen;
        let mut object = json!({
            "type": "message",
            "source": name,
            "status": "dry-run",
            "profile": profile,
            "message_id": spooled.message_id,
            "mail_from": spooled.envelope.from,
            "rcpt_to": spooled.envelope.to,
            "size": spooled.size,
        });
        let to_stdout = dry.dir.is_none() || self.global.json;
        if let Some(dir) = &dry.dir {
            let eml = dir.join(format!("{n:05}.eml"));
            let mut file =
                File::create(&eml).with_context(|| format!("writing {}", eml.display()))?;
            spooled
                .write_to(&mut file)
                .with_context(|| format!("writing {}", eml.display()))?;
            object["file"] = json!(eml);
            let meta = dir.join(format!("{n:05}.json"));
            std::fs::write(&meta, format!("{object}\n"))
                .with_context(|| format!("writing {}", meta.display()))?;
        }
        if to_stdout {
            writeln!(self.out, "{object}")?;
        }
        self.pool.push(spooled.into_space());
        Ok(())
    }

    /// The summary of a dry run, or `None` when this is a real one.
    pub(super) fn dry_run_summary(&self) -> Option<Report> {
        let dry = self.dry_run.as_ref()?;
        let failed = self.tally.failed + self.tally.capped + self.tally.unsent;
        let place = match &dry.dir {
            Some(d) => format!("written to {}", d.display()),
            None => "as JSON lines on stdout".to_string(),
        };
        Some(Report {
            human: format!(
                "batch --dry-run: {} message{} as they would be sent, {place}; {failed} failed; \
                 nothing was sent",
                dry.written,
                if dry.written == 1 { "" } else { "s" },
            ),
            json: Some(json!({
                "type": "summary",
                "status": "dry-run",
                "messages": dry.written,
                "failed": failed,
                "dir": dry.dir,
                "exit_code": self.tally.first_code.unwrap_or(Code::Ok).as_i32(),
            })),
            data: false,
            exit: self.tally.first_code,
        })
    }
}
