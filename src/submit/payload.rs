//! The message bytes each way in hands to [`super::deliver`], as the transport's
//! [`Payload`]: written on demand (twice when a failed message goes into the queue),
//! never held whole in memory.

use std::io::{self, Write};

use crate::message::Composed;
use crate::message::raw::Spooled;
use crate::smtp::Payload;

/// A message composed from flags (`send`): written from its parts, size known.
pub struct ComposedPayload<'a> {
    pub composed: &'a Composed,
    pub size: Option<u64>,
}

impl Payload for ComposedPayload<'_> {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.composed.write_to(out)
    }

    fn size_hint(&self) -> Option<u64> {
        self.size
    }
}

/// A finished message read and spooled (sendmail mode, `batch`): exact size and
/// 8-bit flag known.
pub struct SpooledPayload<'a>(pub &'a mut Spooled);

impl Payload for SpooledPayload<'_> {
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
