//! Where a batch's messages come from: directories of .eml files, Maildirs, mbox files,
//! single message files, or a mail-merge template with a CSV of rows. All are listed
//! (and a merge checked) before the first message is sent, then read one at a time.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::message::mbox::{MboxReader, looks_like_mbox};
use crate::message::merge::Template;
use crate::model::exit_code::{Code, fail};
use crate::regular_file;

/// One thing to read messages from.
pub enum Source {
    /// One message.
    File(PathBuf),
    /// Many messages, split as they are read.
    Mbox(PathBuf),
}

/// List the messages of every source: directories (.eml files, or a Maildir's new/
/// and cur/) in name order, files as a message or, when they start with "From ", an mbox.
pub fn list(paths: &[PathBuf]) -> anyhow::Result<Vec<Source>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| cannot_read(path, &e))?;
        if meta.is_dir() {
            let maildir = path.join("cur").is_dir() || path.join("new").is_dir();
            if maildir {
                for sub in ["new", "cur"] {
                    let dir = path.join(sub);
                    if dir.is_dir() {
                        out.extend(files(&dir, |_| true)?.into_iter().map(Source::File));
                    }
                }
            } else {
                let eml = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"));
                out.extend(files(path, eml)?.into_iter().map(Source::File));
            }
        } else {
            let mut start = [0u8; 5];
            let n = regular_file::open(path)
                .and_then(|mut f| f.read(&mut start))
                .map_err(|e| cannot_read(path, &e))?;
            out.push(if looks_like_mbox(&start[..n]) {
                Source::Mbox(path.clone())
            } else {
                Source::File(path.clone())
            });
        }
    }
    Ok(out)
}

/// How many messages there are, when that is known without reading them (no mbox).
pub fn count(sources: &[Source]) -> Option<u64> {
    let files = sources
        .iter()
        .filter(|s| matches!(s, Source::File(_)))
        .count();
    (files == sources.len()).then_some(files as u64)
}

fn cannot_read(path: &Path, e: &(dyn std::error::Error + 'static)) -> anyhow::Error {
    // An I/O error in words, without "(os error 2)".
    let why = e
        .downcast_ref::<io::Error>()
        .map_or_else(|| e.to_string(), crate::model::exit_code::io_text);
    fail(
        Code::NoInput,
        format!("cannot read {}: {why}", path.display()),
    )
}

/// The regular files of `dir` that `keep` accepts, sorted by name; dot files skipped.
fn files(dir: &Path, keep: impl Fn(&Path) -> bool) -> anyhow::Result<Vec<PathBuf>> {
    let cannot = |e: io::Error| {
        fail(
            Code::NoInput,
            format!(
                "cannot list {}: {}",
                dir.display(),
                crate::model::exit_code::io_text(&e)
            ),
        )
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // The directory listing already says what most entries are: no stat each,
        // except for a symbolic link (followed) or a file system that does not say.
        let regular = match entry.file_type() {
            Ok(t) if t.is_file() => true,
            Ok(t) if t.is_dir() => false,
            _ => path.is_file(),
        };
        if !hidden && regular && keep(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// What the walk hands over for each message: its name (path, path#n in an mbox,
/// csv:row) and a reader, or why it cannot be read. The callback returns false to stop.
pub type Each<'e> = dyn FnMut(&str, anyhow::Result<&mut dyn BufRead>) -> anyhow::Result<bool> + 'e;

/// Read every message of `sources` in order, one at a time.
pub fn walk(sources: &[Source], each: &mut Each<'_>) -> anyhow::Result<()> {
    for source in sources {
        let go_on = match source {
            Source::File(path) => {
                let name = path.display().to_string();
                // Opened again and checked again: it may have been swapped (for a FIFO,
                // say) since it was listed.
                match regular_file::open(path) {
                    Ok(f) => each(&name, Ok(&mut BufReader::new(f)))?,
                    Err(e) => each(&name, Err(cannot_read(path, &e)))?,
                }
            }
            Source::Mbox(path) => walk_mbox(path, each)?,
        };
        if !go_on {
            break;
        }
    }
    Ok(())
}

/// Each message of an mbox, un-escaped into a scratch file that is reused.
fn walk_mbox(path: &Path, each: &mut Each<'_>) -> anyhow::Result<bool> {
    let file = regular_file::open(path).map_err(|e| cannot_read(path, &e))?;
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
        if !each(&name, Ok(&mut BufReader::new(&mut scratch)))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Mail merge: a template and the CSV whose rows fill it, checked when opened — the
/// template parses and every placeholder names a column — so a typo costs no mail.
pub struct Merge {
    template: Template,
    data: PathBuf,
    columns: Vec<String>,
    reader: csv::Reader<File>,
}

impl Merge {
    pub fn open(template: &Path, data: &Path) -> anyhow::Result<Merge> {
        let too_big = || {
            fail(
                Code::DataErr,
                format!("template {} is larger than 16 MiB", template.display()),
            )
        };
        let file = regular_file::open(template).map_err(|e| cannot_read(template, &e))?;
        let limit = crate::message::merge::MAX_TEMPLATE as u64;
        if file
            .metadata()
            .map_err(|e| cannot_read(template, &e))?
            .len()
            > limit
        {
            return Err(too_big());
        }
        let mut text = String::new();
        file.take(limit + 1)
            .read_to_string(&mut text)
            .map_err(|e| cannot_read(template, &e))?;
        if text.len() as u64 > limit {
            return Err(too_big());
        }
        let parsed = Template::parse(&text)?;
        let csv = regular_file::open(data).map_err(|e| cannot_read(data, &e))?;
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(csv);
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| fail(Code::DataErr, format!("{}: {e}", data.display())))?
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        for field in parsed.fields() {
            if !columns.iter().any(|c| c == field) {
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
        Ok(Merge {
            template: parsed,
            data: data.to_path_buf(),
            columns,
            reader,
        })
    }

    /// The template once per row, in order.
    pub fn walk(mut self, each: &mut Each<'_>) -> anyhow::Result<()> {
        for (i, record) in self.reader.records().enumerate() {
            let row = i + 2; // the header is line 1
            let name = format!("{}:{row}", self.data.display());
            let rendered = record
                .map_err(|e| fail(Code::DataErr, format!("{name}: {e}")))
                .and_then(|r| {
                    let values = self
                        .columns
                        .iter()
                        .map(String::as_str)
                        .zip(r.iter())
                        .collect();
                    Ok(self.template.render(&values)?)
                });
            let go_on = match rendered {
                Ok(message) => each(&name, Ok(&mut io::Cursor::new(message.into_bytes())))?,
                Err(e) => each(&name, Err(e))?,
            };
            if !go_on {
                break;
            }
        }
        Ok(())
    }
}
