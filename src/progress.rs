//! Progress bars on stderr: whether to draw them at all ([`Switch`], decided once a
//! run), the bar of one upload ([`Upload`], bytes) and the bar of a batch ([`Count`],
//! messages).
//!
//! The one exception to "only `main` writes to the terminal": indicatif draws to the real
//! stderr itself. A bar is redrawn in place from inside the DATA writer, where no
//! `Console` reaches, and only the library that drew a line knows how to erase it.
//! Nothing else is printed from here.

use std::io::{self, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::smtp::Payload;

/// Messages smaller than this get no bar: they are gone before a bar could be read,
/// and a bar drawn and erased at once is only flicker.
pub const MIN_UPLOAD_BYTES: u64 = 1024 * 1024;

/// Bytes counted before the bar is told: `ProgressBar::inc` reads the clock, and
/// a composed message is written a line (~78 bytes) at a time.
const COUNT_STEP: u64 = 64 * 1024;

/// Whether progress bars are drawn. Decided once, by [`Switch::decide`], and handed to
/// whatever shows progress; a bar made from an off switch is never drawn.
#[derive(Clone, Debug)]
pub struct Switch(Target);

#[derive(Clone, Debug)]
enum Target {
    Off,
    Stderr,
    /// A screen the unit tests read back.
    #[cfg(test)]
    Screen(tests::Screen),
}

impl Switch {
    /// Bars are drawn only when stderr is a terminal, and never with `-q` (nothing but
    /// errors), `--json` (a program reads the output) or `-v` (the transcript shares
    /// stderr, and a bar redrawn between its lines would cut them up).
    ///
    /// indicatif also stays hidden when `TERM` is unset or `dumb`.
    pub fn decide(stderr_is_terminal: bool, quiet: bool, json: bool, verbose: u8) -> Switch {
        if stderr_is_terminal && !quiet && !json && verbose == 0 {
            Switch(Target::Stderr)
        } else {
            Switch::off()
        }
    }

    /// No bars, ever: for callers that have no terminal to decide about.
    pub fn off() -> Switch {
        Switch(Target::Off)
    }

    pub fn is_on(&self) -> bool {
        !matches!(self.0, Target::Off)
    }

    /// `payload` with a bar of the bytes it writes into DATA: sent, rate and time left.
    /// Only when the switch is on and the payload's size hint says at least
    /// [`MIN_UPLOAD_BYTES`]; otherwise the payload is passed through untouched.
    pub fn upload<'p>(&self, payload: &'p mut dyn Payload) -> Upload<'p> {
        let total = payload
            .size_hint()
            .filter(|&size| self.is_on() && size >= MIN_UPLOAD_BYTES);
        Upload {
            inner: payload,
            shown: total.map(|total| (self.clone(), total)),
            bar: None,
        }
    }

    /// A bar of messages for a batch: `total` when known beforehand (a bar with time
    /// left), otherwise a counter with a spinner.
    pub fn count(&self, total: Option<u64>) -> Count {
        let bar = ProgressBar::with_draw_target(total, self.target());
        bar.set_style(count_style(total.is_some()));
        let count = Count {
            bar,
            sent: 0,
            failed: 0,
        };
        count.bar.set_message(count.summary());
        count
    }

    fn target(&self) -> ProgressDrawTarget {
        match &self.0 {
            Target::Off => ProgressDrawTarget::hidden(),
            // At most 20 frames a second (indicatif's default): drawing is not free.
            Target::Stderr => ProgressDrawTarget::stderr(),
            #[cfg(test)]
            Target::Screen(screen) => {
                ProgressDrawTarget::term_like_with_hz(Box::new(screen.clone()), 20)
            }
        }
    }
}

/// A payload whose upload is shown as a bar of bytes (see [`Switch::upload`]).
///
/// The bar appears when the first message byte goes into DATA (not while connecting),
/// stays at its end while the server reads the message and answers, and is erased
/// when the `Upload` is dropped: the report line that follows says how it went.
/// When writing fails the bar is left where it stopped, above the error.
pub struct Upload<'p> {
    inner: &'p mut dyn Payload,
    /// The switch and the total, when a bar is shown at all.
    shown: Option<(Switch, u64)>,
    bar: Option<ProgressBar>,
}

impl Upload<'_> {
    /// Whether this upload draws a bar.
    pub fn is_shown(&self) -> bool {
        self.shown.is_some()
    }
}

impl Payload for Upload<'_> {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let Some((switch, total)) = &self.shown else {
            // Hidden: not even a counting wrapper between the payload and the socket.
            return self.inner.write_to(out);
        };
        if let Some(old) = self.bar.take() {
            old.finish_and_clear();
        }
        let bar = ProgressBar::with_draw_target(Some(*total), switch.target());
        bar.set_style(upload_style());
        // A first frame at once: on a fast link the whole upload may fit between two
        // rate-limited redraws, and a bar never drawn tells nothing.
        bar.force_draw();
        let mut counting = Counting {
            inner: out,
            bar: &bar,
            pending: 0,
        };
        let result = self.inner.write_to(&mut counting);
        counting.report();
        match &result {
            Ok(()) => {
                bar.set_style(uploaded_style());
                bar.force_draw();
            }
            Err(_) => bar.abandon(),
        }
        self.bar = Some(bar);
        result
    }

    fn size_hint(&self) -> Option<u64> {
        self.inner.size_hint()
    }

    fn is_8bit(&self) -> bool {
        self.inner.is_8bit()
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        // An abandoned bar is finished already and stays; a finished upload is erased.
        if let Some(bar) = self.bar.take()
            && !bar.is_finished()
        {
            bar.finish_and_clear();
        }
    }
}

/// Counts what goes through into the bar; the bytes are passed on unchanged.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    bar: &'a ProgressBar,
    pending: u64,
}

impl Counting<'_> {
    fn report(&mut self) {
        self.bar.inc(self.pending);
        self.pending = 0;
    }
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pending += n as u64;
        if self.pending >= COUNT_STEP {
            self.report();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The bar of a batch: messages done (of the total when known), how many were sent
/// and how many failed, messages a second.
///
/// Lines for stderr while the bar is up go through [`Count::writeln`] (or
/// [`Count::suspend`]), which takes the bar away, writes, and draws it again below.
/// The bar is erased by [`Count::finish`] or when dropped.
///
/// ```no_run
/// # use posta::progress::Switch;
/// # fn f(console: &mut posta::cmd::Console<'_>, quiet: bool, json: bool, verbose: u8)
/// #     -> std::io::Result<()> {
/// let progress = Switch::decide(console.stderr_is_terminal, quiet, json, verbose);
/// let mut count = progress.count(Some(20));
/// count.sent();
/// count.writeln(console.err, "batch: 2.eml: 550 5.1.1 no such user")?;
/// count.failed();
/// count.finish();
/// # Ok(()) }
/// ```
pub struct Count {
    bar: ProgressBar,
    sent: u64,
    failed: u64,
}

impl Count {
    /// One more message sent.
    pub fn sent(&mut self) {
        self.sent += 1;
        self.step();
    }

    /// One more message not sent.
    pub fn failed(&mut self) {
        self.failed += 1;
        self.step();
    }

    /// The total, once known (a counter becomes a bar with time left).
    pub fn set_total(&self, total: u64) {
        self.bar.set_style(count_style(true));
        self.bar.set_length(total);
    }

    /// Write `line` and a newline to `out` (the command's stderr) above the bar.
    /// With the bar hidden this is a plain write, so it is the only way to write.
    pub fn writeln(&self, out: &mut dyn Write, line: &str) -> io::Result<()> {
        self.suspend(|| {
            writeln!(out, "{line}")?;
            out.flush()
        })
    }

    /// Run `f` with the bar taken off the terminal, and draw it again after; for
    /// output that is more than a line. `f` runs whether or not the bar is shown.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Erase the bar; the command's summary takes its place.
    pub fn finish(self) {
        // Drop does it.
    }

    fn step(&self) {
        self.bar.set_message(self.summary());
        self.bar.inc(1);
    }

    fn summary(&self) -> String {
        format!("{} sent, {} failed", self.sent, self.failed)
    }
}

impl Drop for Count {
    fn drop(&mut self) {
        // indicatif would leave an unfinished bar on the screen; an error or summary
        // line is what should stay.
        self.bar.finish_and_clear();
    }
}

fn upload_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "sending [{bar:25}] {binary_bytes}/{binary_total_bytes}, {binary_bytes_per_sec}, {eta} left",
    )
    .expect("a valid template")
    .progress_chars("=> ")
}

/// After the last byte: the server reads the message before it answers, which can take
/// a while for a large one (virus scanning).
fn uploaded_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "sent {binary_total_bytes} in {elapsed}, {binary_bytes_per_sec}; waiting for the server's reply",
    )
    .expect("a valid template")
}

fn count_style(total_known: bool) -> ProgressStyle {
    let template = if total_known {
        "[{bar:25}] {pos}/{len} messages: {msg} ({per_sec:.1}, {eta} left)"
    } else {
        "{spinner} {pos} messages: {msg} ({per_sec:.1})"
    };
    ProgressStyle::with_template(template)
        .expect("a valid template")
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps everything drawn on it, with the cursor moves and line
    /// clears as `<up N>` and `<clear>`.
    #[derive(Clone, Debug, Default)]
    pub(super) struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
        fn push(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, n: usize) -> io::Result<()> {
            if n > 0 {
                self.push(&format!("<up {n}>"))?;
            }
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.push(s)?;
            self.push("\n")
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.push(s)
        }
        fn clear_line(&self) -> io::Result<()> {
            self.push("<clear>")
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn on_screen() -> (Switch, Screen) {
        let screen = Screen::default();
        (Switch(Target::Screen(screen.clone())), screen)
    }

    /// A message of `size` bytes in 1000-byte lines; fails after `fail_at` bytes if set.
    struct Message {
        size: u64,
        fail_at: Option<u64>,
    }

    impl Payload for Message {
        fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
            let mut line = [b'x'; 1000];
            line[999] = b'\n';
            let mut written = 0;
            while written < self.size {
                if self.fail_at.is_some_and(|at| written >= at) {
                    return Err(io::Error::other("disk gone"));
                }
                let n = (self.size - written).min(1000) as usize;
                out.write_all(&line[..n])?;
                written += n as u64;
            }
            Ok(())
        }
        fn size_hint(&self) -> Option<u64> {
            Some(self.size)
        }
        fn is_8bit(&self) -> bool {
            true
        }
    }

    #[test]
    fn the_switch_is_on_only_on_a_terminal_without_q_json_or_v() {
        assert!(Switch::decide(true, false, false, 0).is_on());
        assert!(!Switch::decide(false, false, false, 0).is_on());
        assert!(!Switch::decide(true, true, false, 0).is_on());
        assert!(!Switch::decide(true, false, true, 0).is_on());
        assert!(!Switch::decide(true, false, false, 1).is_on());
        assert!(!Switch::off().is_on());
    }

    #[test]
    fn an_upload_shows_bytes_rate_and_time_left_then_waits_for_the_reply() {
        let (switch, screen) = on_screen();
        let mut message = Message {
            size: 3 * 1024 * 1024,
            fail_at: None,
        };
        let mut sink = Vec::new();
        {
            let mut upload = switch.upload(&mut message);
            assert!(upload.is_shown());
            assert_eq!(upload.size_hint(), Some(3 * 1024 * 1024));
            assert!(upload.is_8bit());
            upload.write_to(&mut sink).unwrap();
            let drawn = screen.text();
            assert!(drawn.contains("sending ["), "{drawn}");
            assert!(drawn.contains("0 B/3.00 MiB"), "{drawn}");
            assert!(drawn.contains("/s") && drawn.contains(" left"), "{drawn}");
            // The last frame: all of it sent, waiting for the server.
            let last = drawn.rsplit("<clear>").next().unwrap();
            assert!(
                last.starts_with("sent 3.00 MiB in ") && last.contains("waiting"),
                "{drawn}"
            );
        }
        // The bytes went through unchanged, and the bar was erased on drop.
        assert_eq!(sink.len(), 3 * 1024 * 1024);
        assert!(sink.iter().all(|&b| b == b'x' || b == b'\n'));
        assert!(screen.text().ends_with("<clear>"), "{}", screen.text());
    }

    #[test]
    fn a_failed_upload_leaves_the_bar_where_it_stopped() {
        let (switch, screen) = on_screen();
        let mut message = Message {
            size: 4 * 1024 * 1024,
            fail_at: Some(2 * 1024 * 1024),
        };
        let mut sink = Vec::new();
        {
            let mut upload = switch.upload(&mut message);
            let err = upload.write_to(&mut sink).unwrap_err();
            assert_eq!(err.to_string(), "disk gone");
        }
        let drawn = screen.text();
        let last = drawn.rsplit("<clear>").next().unwrap();
        // Counted to the byte (the 64 KiB steps are flushed at the end), and not erased.
        assert!(last.contains("2.00 MiB/4.00 MiB"), "{drawn}");
    }

    #[test]
    fn small_messages_and_an_off_switch_draw_nothing() {
        let (switch, screen) = on_screen();
        let mut small = Message {
            size: MIN_UPLOAD_BYTES - 1,
            fail_at: None,
        };
        let mut sink = Vec::new();
        let mut upload = switch.upload(&mut small);
        assert!(!upload.is_shown());
        upload.write_to(&mut sink).unwrap();
        drop(upload);
        assert_eq!(sink.len() as u64, MIN_UPLOAD_BYTES - 1);
        assert_eq!(screen.text(), "");

        let mut big = Message {
            size: 2 * MIN_UPLOAD_BYTES,
            fail_at: None,
        };
        assert!(!Switch::off().upload(&mut big).is_shown());
        // Unknown size: nothing to measure against.
        struct Unsized;
        impl Payload for Unsized {
            fn write_to(&mut self, _: &mut dyn Write) -> io::Result<()> {
                Ok(())
            }
        }
        assert!(!switch.upload(&mut Unsized).is_shown());
    }

    #[test]
    fn a_batch_counts_sent_and_failed_against_the_total() {
        let (switch, screen) = on_screen();
        let mut count = switch.count(Some(10));
        count.sent();
        count.sent();
        count.failed();
        count.bar.force_draw();
        let drawn = screen.text();
        let last = drawn.rsplit("<clear>").next().unwrap();
        assert!(last.contains("3/10 messages: 2 sent, 1 failed"), "{drawn}");
        assert!(last.contains("/s") && last.contains(" left"), "{drawn}");
        count.finish();
        assert!(screen.text().ends_with("<clear>"), "{}", screen.text());
    }

    #[test]
    fn an_unknown_total_is_a_counter_until_it_is_known() {
        let (switch, screen) = on_screen();
        let mut count = switch.count(None);
        count.sent();
        count.bar.force_draw();
        let drawn = screen.text();
        let last = drawn.rsplit("<clear>").next().unwrap();
        assert!(last.contains(" 1 messages: 1 sent, 0 failed"), "{drawn}");
        assert!(!last.contains("/1 messages"), "{drawn}");
        count.set_total(4);
        count.failed();
        count.bar.force_draw();
        let drawn = screen.text();
        let last = drawn.rsplit("<clear>").next().unwrap();
        assert!(last.contains("2/4 messages: 1 sent, 1 failed"), "{drawn}");
    }

    #[test]
    fn a_line_goes_above_the_bar_which_is_drawn_again_below() {
        let (switch, screen) = on_screen();
        let mut count = switch.count(Some(2));
        count.failed();
        count.bar.force_draw();
        let before = screen.text().len();
        let mut err = Vec::new();
        count.writeln(&mut err, "batch: 1.eml: refused").unwrap();
        assert_eq!(err, b"batch: 1.eml: refused\n");
        // The bar was cleared before the line went out, then drawn again.
        let after = screen.text()[before..].to_owned();
        let cleared = after.find("<clear>").expect("cleared");
        let redrawn = after.find("1/2 messages").expect("redrawn");
        assert!(cleared < redrawn, "{after}");
    }

    #[test]
    fn with_the_bar_hidden_lines_are_still_written() {
        let mut count = Switch::off().count(Some(2));
        let mut err = Vec::new();
        count.writeln(&mut err, "batch: 1.eml: refused").unwrap();
        count.failed();
        assert_eq!(count.suspend(|| 42), 42);
        assert_eq!(err, b"batch: 1.eml: refused\n");
    }
}
