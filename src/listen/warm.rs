//! `posta serve`'s warm upstream sessions: after a message, the authenticated session
//! it went over waits, idle, for the client's next message through the same login,
//! which then costs MAIL/RCPT/DATA only, not connect + EHLO + STARTTLS + EHLO + AUTH.
//!
//! One cache per client connection, closed (QUIT) when the client goes: a
//! [`ReusedSession`] holds its transcript's `&mut dyn Write`, which is not `Send`, so
//! a session cannot pass to another client's thread. A sender takes the session out
//! while its message goes and puts it back after. A session goes back
//! only when its dialogue is in a known state: the message was accepted, or refused by
//! the server with RSET done ([`ReusedSession`] drops a session on a 421, a closed
//! connection or any reply out of step). A cached session the server dropped while
//! idle fails at MAIL, before any data: [`ReusedSession::send`] reconnects and sends
//! the message then, so nothing is lost or sent twice.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::envelope::{Dsn, Envelope};
use crate::model::{Protocol, Security};
use crate::smtp::{Outcome, Payload, ReusedSession, Settings, SmtpError, SmtpErrorKind};

/// How long an idle session waits for the next message. Postfix keeps its own cached
/// connections 2 s (`smtp_connection_cache_time_limit`), tuned for a relay's bursts to
/// many destinations; posta serves one submission server per account, for
/// applications whose messages come seconds apart (a web request, a cron job's
/// loop), and servers keep an idle client far longer (Postfix `smtpd_timeout` 300 s,
/// RFC 5321 §4.5.3.2.7 asks for at least 5 minutes). 10 s catches those bursts and
/// holds a server's connection slot briefly.
pub const IDLE_TIME: Duration = Duration::from_secs(10);

/// At most this many idle sessions (one per login): a client whose messages go through
/// many accounts keeps the most recent ones, and the oldest is closed.
pub const MAX_IDLE: usize = 4;

/// Whose session it is: the same server, reached the same way, logged in as the same
/// user. Sessions are never shared between different logins.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    host: String,
    port: u16,
    security: Security,
    protocol: Protocol,
    proxy: Option<(String, u16, Option<String>)>,
    user: Option<String>,
}

impl Key {
    fn of(settings: &Settings) -> Key {
        Key {
            host: settings.host.clone(),
            port: settings.port,
            security: settings.security,
            protocol: settings.protocol,
            proxy: (settings.proxy.as_ref()).map(|p| (p.host.clone(), p.port, p.user.clone())),
            user: (settings.credentials.as_ref()).map(|c| c.user.clone()),
        }
    }
}

struct Idle {
    key: Key,
    session: ReusedSession<'static>,
    since: Instant,
}

/// One client's idle sessions.
#[derive(Default)]
pub struct Warm {
    idle: Mutex<Vec<Idle>>,
}

impl Warm {
    /// Send one message through `settings`' server, over an idle session of the same
    /// login when there is one, else a new one; the session waits for the next message
    /// afterwards if it can carry one.
    pub fn send(
        &self,
        settings: &Settings,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &mut dyn Payload,
    ) -> Result<Outcome, SmtpError> {
        self.expire();
        let key = Key::of(settings);
        let mut session = match self.take(&key) {
            Some(s) => s,
            None => ReusedSession::open(settings, None)?,
        };
        let result = session.send(envelope, dsn, payload);
        let reusable = match &result {
            Ok(_) => true,
            // The server's refusal of this message, its dialogue reset (RSET).
            Err(e) => {
                matches!(
                    e.kind,
                    SmtpErrorKind::Rejected(_) | SmtpErrorKind::RecipientsRefused { .. }
                ) && e.reply().is_none_or(|r| r.code != 421)
            }
        };
        if reusable && session.is_open() {
            self.put(key, session);
        } else {
            session.close();
        }
        result
    }

    fn take(&self, key: &Key) -> Option<ReusedSession<'static>> {
        let mut idle = self.idle.lock().ok()?;
        let now = Instant::now();
        let at = idle
            .iter()
            .position(|i| i.key == *key && now.duration_since(i.since) < IDLE_TIME)?;
        Some(idle.swap_remove(at).session)
    }

    fn put(&self, key: Key, session: ReusedSession<'static>) {
        let oldest = {
            let Ok(mut idle) = self.idle.lock() else {
                return session.close();
            };
            // Another client's session of the same login went back first: one is enough.
            let replaced = idle.iter().position(|i| i.key == key);
            let out = match replaced {
                Some(at) => Some(idle.swap_remove(at)),
                None if idle.len() >= MAX_IDLE => idle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, i)| i.since)
                    .map(|(at, _)| at)
                    .map(|at| idle.swap_remove(at)),
                None => None,
            };
            idle.push(Idle {
                key,
                session,
                since: Instant::now(),
            });
            out
        };
        // QUIT outside the lock: it waits on the server.
        if let Some(o) = oldest {
            o.session.close();
        }
    }

    /// QUIT the sessions idle for [`IDLE_TIME`] or more (before each message).
    pub fn expire(&self) {
        let expired: Vec<Idle> = match self.idle.lock() {
            Ok(mut idle) => {
                let now = Instant::now();
                let (old, fresh) = std::mem::take(&mut *idle)
                    .into_iter()
                    .partition(|i| now.duration_since(i.since) >= IDLE_TIME);
                *idle = fresh;
                old
            }
            Err(_) => return,
        };
        for i in expired {
            i.session.close();
        }
    }

    /// QUIT every idle session: the service stops.
    pub fn close_all(&self) {
        let all = match self.idle.lock() {
            Ok(mut idle) => std::mem::take(&mut *idle),
            Err(_) => return,
        };
        for i in all {
            i.session.close();
        }
    }

    /// How many sessions wait (for the tests).
    pub fn idle(&self) -> usize {
        self.idle.lock().map_or(0, |i| i.len())
    }
}
