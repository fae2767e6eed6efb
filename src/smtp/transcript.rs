//! Writing the session to the caller's transcript sink, swaks-style:
//! `-> `/`<- ` in plain, `~> `/`<~ ` inside TLS, `=== ` for information.
//!
//! Nothing secret reaches this module: callers pass the redacted form of AUTH lines.
//! Errors writing the transcript are ignored; a broken log must not fail a submission.

use std::io::Write;

use super::Transcript;

pub(crate) struct Log<'a> {
    sink: Option<(&'a mut dyn Write, u8)>,
}

impl<'a> Log<'a> {
    pub(crate) fn new(transcript: Option<&'a mut Transcript<'_>>) -> Self {
        Log {
            sink: transcript.map(|t| (&mut *t.out as &mut dyn Write, t.level)),
        }
    }

    /// 0 when there is no transcript.
    pub(crate) fn level(&self) -> u8 {
        self.sink.as_ref().map_or(0, |(_, level)| *level)
    }

    pub(crate) fn info(&mut self, text: &str) {
        self.line("=== ", text);
    }

    pub(crate) fn client(&mut self, tls: bool, text: &str) {
        self.line(if tls { "~> " } else { "-> " }, text);
    }

    pub(crate) fn server(&mut self, tls: bool, text: &str) {
        self.line(if tls { "<~ " } else { "<- " }, text);
    }

    fn line(&mut self, prefix: &str, text: &str) {
        if let Some((out, level)) = &mut self.sink
            && *level > 0
        {
            let _ = writeln!(out, "{prefix}{text}");
        }
    }

    /// Raw bytes of a message line (level 2 only); the caller adds prefix and newline.
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        if let Some((out, level)) = &mut self.sink
            && *level >= 2
        {
            let _ = out.write_all(bytes);
        }
    }

    pub(crate) fn flush(&mut self) {
        if let Some((out, _)) = &mut self.sink {
            let _ = out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_levels() {
        let mut buf = Vec::new();
        {
            let mut t = Transcript {
                out: &mut buf,
                level: 1,
            };
            let mut log = Log::new(Some(&mut t));
            log.info("Connected to 127.0.0.1:25");
            log.client(false, "EHLO me");
            log.server(false, "250 ok");
            log.client(true, "AUTH PLAIN (redacted)");
            log.server(true, "235 ok");
            log.raw(b"not at level 1");
        }
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "=== Connected to 127.0.0.1:25\n-> EHLO me\n<- 250 ok\n\
             ~> AUTH PLAIN (redacted)\n<~ 235 ok\n"
        );
    }

    #[test]
    fn no_sink_is_silent() {
        let mut log = Log::new(None);
        assert_eq!(log.level(), 0);
        log.info("x");
        log.raw(b"y");
    }
}
