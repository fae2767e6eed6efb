//! A pace for sending: the least time between the starts of two messages. `batch
//! --rate` paces a whole batch; a profile's `rate` (or its provider's, e.g. Microsoft
//! 365's 30 messages a minute) paces what goes through that profile.

use std::time::{Duration, Instant};

/// A pace for `--rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub interval: Duration,
}

impl Rate {
    /// `per_minute` messages a minute.
    pub fn per_minute(per_minute: u32) -> Rate {
        Rate {
            interval: Duration::from_secs(60) / per_minute.max(1),
        }
    }

    /// "N/s", "N/m" (or "N/min"), "N/h"; N a positive number, fractions allowed.
    pub fn parse(text: &str) -> Result<Rate, String> {
        let bad = || format!("{text:?}: expected N/s, N/m or N/h, e.g. 10/s, 30/m or 500/h");
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
pub struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    pub fn new(rate: Rate) -> Pacer {
        Pacer {
            interval: rate.interval,
            next: None,
        }
    }

    /// Sleep until the next start is allowed, and count it as started.
    pub fn wait(&mut self) {
        if let Some(ready) = self.ready_at() {
            let now = Instant::now();
            if ready > now {
                std::thread::sleep(ready - now);
            }
        }
        self.started();
    }

    /// When the next start is allowed; `None` before the first.
    pub fn ready_at(&self) -> Option<Instant> {
        self.next
    }

    /// A message starts now.
    pub fn started(&mut self) {
        self.next = Some(Instant::now() + self.interval);
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
        let mut p = Pacer::new(Rate {
            interval: Duration::from_millis(30),
        });
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
}
