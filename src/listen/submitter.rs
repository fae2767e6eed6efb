//! The [`Handler`] that hands each received message to the one submission path
//! ([`submit::finished::deliver`], as sendmail mode does) and turns what became of it
//! into the reply to the end of data: 250 when sent (with the server's own reply, its
//! queue id), 250 when safe in posta's queue, the server's 4xx/5xx when it refused the
//! message, with its words.

use std::io::BufRead;

use super::dialogue::{Handler, Transaction};
use super::reply::Answer;
use super::warm::Warm;
use crate::envelope::Dsn;
use crate::model::exit_code::Code;
use crate::report;
use crate::smtp::{self, SmtpError, SmtpErrorKind};
use crate::submit::Delivery;
use crate::submit::finished::{self, Finished, Handed};

/// Submits what the client sends, as sendmail mode would with the same flags.
pub struct Submitter<'a> {
    /// The config file, profile, flags and queue policy every message shares.
    pub base: Finished,
    /// Where what happened goes (the caller's log, or stderr).
    pub log: &'a mut dyn FnMut(Event),
    /// `posta serve`: the upstream sessions kept warm between messages; `None`: a new
    /// session per message (`sendmail -bs`, one client and gone).
    pub warm: Option<&'a Warm>,
}

/// What a [`Submitter`] has to say besides its replies.
#[derive(Debug)]
pub enum Event {
    /// Something that did not change the outcome (a log that could not be written…).
    Warning(String),
    /// A message's sender, its number of recipients, and the reply it got.
    Answered(String),
}

impl Handler for Submitter<'_> {
    fn message(&mut self, t: &Transaction, data: &mut dyn BufRead) -> Answer {
        let mut what = self.base.clone();
        what.extract_recipients = false;
        what.envelope_from = Some(t.mail.from.clone());
        what.recipients = t.rcpts.iter().map(|r| r.to.clone()).collect();
        what.dsn = Dsn {
            // posta asks the same of every recipient: the first one's request.
            notify: t.rcpts.iter().find_map(|r| r.notify.clone()),
            ret: t.mail.ret.clone(),
            envid: t.mail.envid.clone(),
        };
        let mut warnings = Vec::new();
        let warm = self.warm;
        let result = finished::deliver(
            &what,
            data,
            &mut |_| {},
            &mut |settings, envelope, dsn, payload| match warm {
                Some(w) => w.send(settings, envelope, dsn, payload),
                None => smtp::submit(settings, envelope, dsn, payload, None),
            },
            &mut warnings,
        );
        for w in warnings {
            (self.log)(Event::Warning(w));
        }
        let answer = answer(&result);
        let n = t.rcpts.len();
        (self.log)(Event::Answered(format!(
            "<{}> to {n} recipient{}: {} {} {}",
            t.mail.from,
            if n == 1 { "" } else { "s" },
            answer.code,
            answer.enhanced,
            answer.text()
        )));
        answer
    }
}

/// The reply to the end of data for what became of the message.
pub fn answer(result: &anyhow::Result<Handed>) -> Answer {
    match result {
        Ok(Handed {
            delivery: Delivery::Sent(outcome, _),
            message_id,
        }) => Answer::new(
            250,
            "2.0.0",
            format!(
                "sent <{message_id}> via {}: {}",
                outcome.server, outcome.final_reply
            ),
        ),
        Ok(Handed {
            delivery: Delivery::Queued(queued),
            ..
        }) => Answer::new(250, "2.0.0", queued.to_string()),
        // An LMTP server delivered to some recipients only. SMTP has one answer per
        // message: it was taken (the rest waits in the queue, or was refused for good),
        // and the lines say which recipient got what.
        Ok(Handed {
            delivery: Delivery::Partly {
                outcome, queued, ..
            },
            message_id,
        }) => {
            let mut lines = vec![format!(
                "sent <{message_id}> via {} to {} of {} recipients",
                outcome.server,
                outcome.accepted.len(),
                outcome.accepted.len() + outcome.refused.len()
            )];
            lines.extend(
                outcome
                    .refused
                    .iter()
                    .map(|r| format!("<{}>: {}", r.address, r.reply)),
            );
            if let Some(q) = queued {
                lines.push(q.to_string());
            }
            Answer {
                code: 250,
                enhanced: "2.0.0".into(),
                lines,
            }
        }
        Err(e) => refusal(e),
    }
}

/// A message that was neither sent nor queued.
fn refusal(e: &anyhow::Error) -> Answer {
    if let Some(s) = e.chain().find_map(|c| c.downcast_ref::<SmtpError>()) {
        return server_refusal(s);
    }
    let (message, hints) = report::message_and_hints(e);
    let (code, enhanced) = match report::code_of(e) {
        Code::TempFail => (451, "4.3.0"),
        // The service's own setting: worth trying again once it is fixed.
        Code::Config | Code::NoPerm | Code::Software | Code::IoErr => (451, "4.3.5"),
        Code::DataErr => (554, "5.6.0"),
        Code::NoUser => (550, "5.1.1"),
        _ => (554, "5.5.4"),
    };
    let mut lines = vec![message];
    lines.extend(hints.into_iter().map(|h| format!("hint: {h}")));
    Answer {
        code,
        enhanced: enhanced.into(),
        lines,
    }
}

/// The upstream server's refusal, in its own words.
fn server_refusal(s: &SmtpError) -> Answer {
    let transient = s.is_transient();
    let fallback = if transient {
        (451, "4.4.0")
    } else {
        (554, "5.0.0")
    };
    match &s.kind {
        SmtpErrorKind::Rejected(r) => Answer {
            code: usable_code(r.code).unwrap_or(fallback.0),
            enhanced: r.enhanced.clone().unwrap_or_else(|| fallback.1.into()),
            lines: vec![format!("the server said: {r}")],
        },
        SmtpErrorKind::RecipientsRefused { refused, .. } => {
            let first = refused.first().map(|r| &r.reply);
            let mut lines = vec!["recipients refused; nothing was sent".to_string()];
            lines.extend(
                refused
                    .iter()
                    .map(|r| format!("<{}>: {}", r.address, r.reply)),
            );
            Answer {
                code: first
                    .and_then(|r| usable_code(r.code))
                    .unwrap_or(fallback.0),
                enhanced: first
                    .and_then(|r| r.enhanced.clone())
                    .unwrap_or_else(|| fallback.1.into()),
                lines,
            }
        }
        _ => Answer::new(fallback.0, fallback.1, s.to_string()),
    }
}

/// A server's code that means the same to posta's client: not 421 (that would tell
/// the client that posta closes the connection) nor an AUTH code (posta's login, not
/// the client's).
fn usable_code(code: u16) -> Option<u16> {
    ((400..600).contains(&code) && ![421, 530, 534, 535, 538].contains(&code)).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exit_code::fail;
    use crate::smtp::{RecipientReply, Reply, Stage};

    fn reply(code: u16, enhanced: &str, text: &str) -> Reply {
        Reply {
            code,
            enhanced: Some(enhanced.into()),
            lines: vec![text.into()],
        }
    }

    fn refused(e: SmtpError) -> Answer {
        answer(&Err(e.into()))
    }

    #[test]
    fn the_servers_refusal_is_passed_on_in_its_words() {
        let a = refused(SmtpError::new(
            Stage::EndOfData,
            SmtpErrorKind::Rejected(reply(554, "5.7.1", "spam")),
        ));
        assert_eq!((a.code, a.enhanced.as_str()), (554, "5.7.1"));
        assert!(a.text().contains("554 5.7.1 spam"), "{a:?}");

        let a = refused(SmtpError::new(
            Stage::Rcpt,
            SmtpErrorKind::RecipientsRefused {
                refused: vec![RecipientReply {
                    address: "x@y.org".into(),
                    reply: reply(550, "5.1.1", "unknown"),
                }],
                accepted: vec![],
            },
        ));
        assert_eq!(a.code, 550);
        assert_eq!(a.lines[1], "<x@y.org>: 550 5.1.1 unknown");
    }

    #[test]
    fn codes_that_would_mislead_the_client_are_not_passed_on() {
        // 421 would tell the client that posta closes; 535 that its own login failed.
        let a = refused(SmtpError::new(
            Stage::Mail,
            SmtpErrorKind::Rejected(reply(421, "4.3.2", "bye")),
        ));
        assert_eq!(a.code, 451);
        let a = refused(SmtpError::new(
            Stage::Auth,
            SmtpErrorKind::AuthFailed(reply(535, "5.7.8", "bad")),
        ));
        assert_eq!(a.code, 554);
        // Not the server's: by exit code.
        let a = answer(&Err(fail(Code::Config, "no profile")));
        assert_eq!((a.code, a.enhanced.as_str()), (451, "4.3.5"));
        let a = answer(&Err(fail(Code::DataErr, "bad header")));
        assert_eq!(a.code, 554);
    }
}
