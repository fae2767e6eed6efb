//! BDAT (RFC 3030), when the test's config offers CHUNKING: each chunk read whole by
//! its count (no dot-stuffing), refused without a valid recipient (its bytes read all
//! the same, as the RFC asks), the message recorded at the LAST one.

use super::*;

impl ServerSession<'_> {
    /// `BDAT <size> [LAST]`: its bytes, then its reply.
    pub(super) fn receive_chunk(&mut self, line: &str) -> io::Result<Flow> {
        let mut words = line.split_ascii_whitespace().skip(1);
        let size = words.next().and_then(|n| n.parse::<usize>().ok());
        let last = words.next().is_some_and(|w| w.eq_ignore_ascii_case("LAST"));
        let Some(size) = size else {
            self.send("501 5.5.4 Syntax: BDAT size [LAST]")?;
            return Ok(Flow::Continue);
        };
        let Some(bytes) = self.read_exactly(size)? else {
            return Ok(Flow::Stop);
        };
        if self.recipients == 0 {
            self.chunked.clear();
            self.send("554 5.5.1 Error: no valid recipients")?;
            return Ok(Flow::Continue);
        }
        self.chunked.extend_from_slice(&bytes);
        if !last {
            self.send(&format!("250 2.0.0 {size} octets received"))?;
            return Ok(Flow::Continue);
        }
        let message = std::mem::take(&mut self.chunked);
        self.recipients = 0;
        self.record.raw_data.push(message.clone());
        self.record.messages.push(message);
        match self.rule(".") {
            Some(action) => self.act(&action),
            None => {
                self.send("250 2.0.0 queued as 42")?;
                Ok(Flow::Continue)
            }
        }
    }

    /// Exactly `n` bytes, or None when the client left first. At most 16 MiB: a test
    /// never sends more in one chunk.
    fn read_exactly(&mut self, n: usize) -> io::Result<Option<Vec<u8>>> {
        if n > 16 << 20 {
            return Err(io::Error::other("chunk too large"));
        }
        while self.buf.len() < n {
            let mut chunk = [0u8; 64 * 1024];
            let got = match self.stream.read(&mut chunk) {
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                Err(e) => return Err(e),
            };
            if got == 0 {
                return Ok(None);
            }
            self.reads += 1;
            self.buf.extend_from_slice(&chunk[..got]);
        }
        Ok(Some(self.buf.drain(..n).collect()))
    }
}
