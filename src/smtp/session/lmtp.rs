//! LMTP's answer to the end of data (RFC 2033 §4.2): one reply for each recipient
//! that RCPT accepted, in the order of the RCPTs. Each says whether the message was
//! delivered to that mailbox, so one message can be delivered to some recipients and
//! not to others; the outcome keeps both lists, exactly as the server said them.

use super::super::error::{SmtpError, SmtpErrorKind, Stage};
use super::super::wire::Wire;
use super::super::{RecipientReply, Reply};

/// Who got the message and who did not, after the end of data.
#[derive(Debug)]
pub(crate) struct Deliveries {
    pub delivered: Vec<RecipientReply>,
    pub failed: Vec<RecipientReply>,
    /// The connection was lost before every reply came: nobody is left to say QUIT to.
    pub lost: bool,
}

/// Read the reply for each of `accepted`. A connection lost part way leaves the
/// recipients still unanswered in doubt: they count as failed for now (4xx, said as
/// such), so that a retry reaches them; those already answered keep their answers.
/// With no answer at all, the network's error is the error.
pub(crate) fn read_deliveries(
    wire: &mut impl Wire,
    accepted: Vec<RecipientReply>,
) -> Result<Deliveries, SmtpError> {
    let mut delivered = Vec::new();
    let mut failed = Vec::new();
    let mut lost: Option<SmtpError> = None;
    let answered_any = |d: &Vec<_>, f: &Vec<_>| !d.is_empty() || !f.is_empty();
    for RecipientReply { address, .. } in accepted {
        let reply = match &lost {
            Some(e) => in_doubt(e),
            None => match wire.read_reply(Stage::EndOfData) {
                Ok(reply) => reply,
                Err(e) if !answered_any(&delivered, &failed) => return Err(e),
                Err(e) => {
                    let reply = in_doubt(&e);
                    lost = Some(e);
                    reply
                }
            },
        };
        let entry = RecipientReply { address, reply };
        match entry.reply.class() {
            2 => delivered.push(entry),
            4 | 5 => failed.push(entry),
            _ => {
                return Err(SmtpError::new(
                    Stage::EndOfData,
                    SmtpErrorKind::Protocol(format!(
                        "unexpected reply {} for {}",
                        entry.reply, entry.address
                    )),
                ));
            }
        }
    }
    if delivered.is_empty() {
        // Nobody got it: the same refusal as at RCPT, with the stage saying when.
        return Err(SmtpError::new(
            Stage::EndOfData,
            SmtpErrorKind::RecipientsRefused {
                refused: failed,
                accepted: Vec::new(),
            },
        ));
    }
    Ok(Deliveries {
        delivered,
        failed,
        lost: lost.is_some(),
    })
}

/// The reply that stands for a recipient the server never answered for: temporary,
/// since the message may or may not have reached that mailbox, and trying again is
/// the side of caution that loses nothing.
fn in_doubt(e: &SmtpError) -> Reply {
    Reply {
        code: 451,
        enhanced: Some("4.4.2".into()),
        lines: vec![format!("(posta) no reply for this recipient: {e}")],
    }
}
