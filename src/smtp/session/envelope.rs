//! The envelope: the MAIL command with its parameters (SIZE, BODY, SMTPUTF8, DSN's
//! RET and ENVID) and the RCPTs (NOTIFY), sent one by one or pipelined (RFC 2920),
//! with DATA in the group for one recipient, and what their replies mean: the
//! recipients accepted, or the error that ends the transaction with nothing sent.

use super::checks::xtext;
use super::{PIPELINE_BATCH, Session, unexpected};
use crate::envelope::{Dsn, Envelope};
use crate::smtp::error::{SmtpError, SmtpErrorKind, Stage};
use crate::smtp::wire::Wire;
use crate::smtp::{Payload, RecipientReply, Reply};

impl<W: Wire> Session<W> {
    /// The replies to MAIL and the RCPTs: the recipients accepted, or the error that
    /// ends the transaction with nothing delivered (the transaction reset when a
    /// recipient was refused). `data_open`: the server answered 354 to a DATA
    /// pipelined with them, or took a BDAT chunk sent with them.
    pub(super) fn judge_envelope(
        &mut self,
        to: &[String],
        mail_reply: Reply,
        rcpt_replies: Vec<Reply>,
        data_open: bool,
    ) -> Result<Vec<RecipientReply>, SmtpError> {
        if !mail_reply.is_positive() {
            self.out_of_step |= data_open;
            return Err(unexpected(Stage::Mail, mail_reply));
        }
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        for (address, reply) in to.iter().zip(rcpt_replies) {
            let entry = RecipientReply {
                address: address.clone(),
                reply,
            };
            match entry.reply.class() {
                2 => accepted.push(entry),
                4 | 5 => refused.push(entry),
                _ => return Err(unexpected(Stage::Rcpt, entry.reply)),
            }
        }
        if refused.is_empty() {
            return Ok(accepted);
        }
        if data_open {
            self.out_of_step = true;
            self.wire.info(
                "the server accepted the message data without a valid recipient; \
                 abandoning the connection so that nothing is delivered",
            );
        } else if self.streaming {
            self.flights.open = true;
        } else if !self.quit_sent && self.wire.send(Stage::Rcpt, "RSET").is_ok() {
            // "Never half": a message for some recipients only is not what was
            // asked for. Reset the transaction so nothing is delivered. (A QUIT
            // already sent, behind a BDAT LAST, ends it as surely; in a stream the
            // next message's group starts with RSET.)
            let _ = self.read(Stage::Rcpt);
        }
        Err(SmtpError::new(
            Stage::Rcpt,
            SmtpErrorKind::RecipientsRefused { refused, accepted },
        ))
    }

    /// MAIL and the RCPTs, pipelined when the server offers it, and their replies.
    pub(super) fn send_envelope(
        &mut self,
        mail: String,
        rcpts: &[String],
    ) -> Result<(Reply, Vec<Reply>), SmtpError> {
        if self.caps.pipelining {
            self.send_pipelined(mail, rcpts)
        } else {
            self.send_one_by_one(mail, rcpts)
        }
    }

    pub(super) fn rcpt_commands(&self, envelope: &Envelope, dsn: &Dsn) -> Vec<String> {
        let notify = match (&dsn.notify, self.caps.dsn) {
            (Some(n), true) => format!(" NOTIFY={n}"),
            _ => String::new(),
        };
        envelope
            .to
            .iter()
            .map(|address| format!("RCPT TO:<{address}>{notify}"))
            .collect()
    }

    pub(super) fn mail_command(
        &mut self,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &dyn Payload,
        warnings: &mut Vec<String>,
    ) -> Result<String, SmtpError> {
        let stage = Stage::Mail;
        let mut mail = format!("MAIL FROM:<{}>", envelope.from);
        if let (Some(limit), Some(size)) = (self.caps.size, payload.size_hint()) {
            if limit > 0 && size > limit {
                return Err(SmtpError::new(stage, SmtpErrorKind::TooBig { size, limit }));
            }
            mail.push_str(&format!(" SIZE={size}"));
        }
        if payload.is_8bit() {
            if self.caps.eight_bit_mime {
                mail.push_str(" BODY=8BITMIME");
            } else {
                warnings.push(
                    "the message has 8-bit content but the server does not offer 8BITMIME"
                        .to_owned(),
                );
            }
        }
        let non_ascii = !envelope.from.is_ascii() || envelope.to.iter().any(|a| !a.is_ascii());
        if envelope.smtputf8 || non_ascii {
            if !self.caps.smtputf8 {
                return Err(SmtpError::new(stage, SmtpErrorKind::Smtputf8Unavailable));
            }
            mail.push_str(" SMTPUTF8");
        }
        let wants_dsn = dsn.notify.is_some() || dsn.ret.is_some() || dsn.envid.is_some();
        if wants_dsn && !self.caps.dsn {
            warnings.push(
                "the server does not offer DSN, so the delivery notification request \
                 was not sent"
                    .to_owned(),
            );
        }
        if self.caps.dsn {
            if let Some(ret) = &dsn.ret {
                mail.push_str(&format!(" RET={ret}"));
            }
            if let Some(envid) = &dsn.envid {
                mail.push_str(&format!(" ENVID={}", xtext(envid)));
            }
        }
        Ok(mail)
    }

    fn send_one_by_one(
        &mut self,
        mail: String,
        rcpts: &[String],
    ) -> Result<(Reply, Vec<Reply>), SmtpError> {
        self.wire.send(Stage::Mail, &mail)?;
        let mail_reply = self.read(Stage::Mail)?;
        if !mail_reply.is_positive() {
            return Ok((mail_reply, Vec::new()));
        }
        let mut replies = Vec::with_capacity(rcpts.len());
        for rcpt in rcpts {
            self.wire.send(Stage::Rcpt, rcpt)?;
            replies.push(self.read(Stage::Rcpt)?);
        }
        Ok((mail_reply, replies))
    }

    /// RFC 2920: MAIL, the one RCPT and DATA in one write; the three replies read in
    /// order, all of them whatever they say, so the session stays in step.
    pub(super) fn send_envelope_and_data(
        &mut self,
        mail: String,
        rcpt: &str,
    ) -> Result<(Reply, Vec<Reply>, Option<Reply>), SmtpError> {
        let group = [mail, rcpt.to_owned(), "DATA".to_owned()];
        self.wire.send_batch(Stage::Mail, &group)?;
        let mut replies = Vec::with_capacity(3);
        for stage in [Stage::Mail, Stage::Rcpt, Stage::Data] {
            let reply = self.read(stage)?;
            if reply.code == 421 {
                // The server is closing (RFC 5321 §3.8) and will not answer the rest:
                // its reason is the error, not the closed connection read next.
                return Err(unexpected(stage, reply));
            }
            replies.push(reply);
        }
        let [mail_reply, rcpt_reply, data_reply] =
            <[Reply; 3]>::try_from(replies).expect("three replies read");
        Ok((mail_reply, vec![rcpt_reply], Some(data_reply)))
    }

    /// RFC 2920: MAIL and the RCPTs go out together; replies come back in order.
    /// DATA is not in the group, so that a refused recipient stops us before it.
    fn send_pipelined(
        &mut self,
        mail: String,
        rcpts: &[String],
    ) -> Result<(Reply, Vec<Reply>), SmtpError> {
        let mut mail_reply = None;
        let mut replies = Vec::with_capacity(rcpts.len());
        let mut pending = rcpts.iter();
        let mut first = Some(mail);
        loop {
            let batch: Vec<String> = first
                .take()
                .into_iter()
                .chain(pending.by_ref().take(PIPELINE_BATCH).cloned())
                .collect();
            if batch.is_empty() {
                break;
            }
            let stage = if mail_reply.is_none() {
                Stage::Mail
            } else {
                Stage::Rcpt
            };
            self.wire.send_batch(stage, &batch)?;
            for _ in 0..batch.len() {
                if mail_reply.is_none() {
                    mail_reply = Some(self.read(Stage::Mail)?);
                } else {
                    replies.push(self.read(Stage::Rcpt)?);
                }
            }
            if mail_reply.as_ref().is_some_and(|r| !r.is_positive()) {
                // The RCPTs already sent were answered (with 503s, usually) and read,
                // so the session stays in step for RSET/QUIT.
                break;
            }
        }
        Ok((mail_reply.expect("the first batch holds MAIL"), replies))
    }
}
