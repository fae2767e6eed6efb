//! The checks made before connecting: what we were asked to send must fit on an SMTP
//! command line (no line breaks, no angle brackets in addresses, DSN keywords only),
//! and an envelope must have between one and [`MAX_RECIPIENTS`] recipients.

use super::super::Settings;
use super::super::error::{SmtpError, SmtpErrorKind, Stage};
use crate::envelope::{Dsn, Envelope};

/// Refuse, before connecting, an EHLO name that cannot go on a command line.
pub(crate) fn validate_settings(settings: &Settings) -> Result<(), SmtpError> {
    check_word(Stage::Ehlo, "EHLO name", &settings.helo_name)
}

/// Most recipients in one transaction. RFC 5321 §4.5.3.1.8 only obliges servers to
/// take 100 (Postfix takes 1,000, Gmail 100 for consumers); beyond this a list is far
/// more likely a mistake (or a runaway script) than a message, and splitting it into
/// several transactions would break "one message, sent or not". So we refuse.
pub const MAX_RECIPIENTS: usize = 1000;

/// Refuse, before connecting, addresses and DSN values that cannot go on a
/// command line, an envelope without recipients and one with too many.
pub(crate) fn validate_envelope(envelope: &Envelope, dsn: &Dsn) -> Result<(), SmtpError> {
    check_address(Stage::Mail, &envelope.from)?;
    if envelope.to.is_empty() {
        return Err(invalid(Stage::Rcpt, "there are no recipients".into()));
    }
    if envelope.to.len() > MAX_RECIPIENTS {
        return Err(invalid(
            Stage::Rcpt,
            format!(
                "{} recipients; posta sends one message to at most {MAX_RECIPIENTS} \
                 (split the list into several messages)",
                envelope.to.len()
            ),
        ));
    }
    for address in &envelope.to {
        check_address(Stage::Rcpt, address)?;
    }
    if let Some(ret) = &dsn.ret {
        check_dsn_value(Stage::Mail, "RET", ret)?;
    }
    if let Some(notify) = &dsn.notify {
        check_dsn_value(Stage::Rcpt, "NOTIFY", notify)?;
    }
    Ok(())
}

fn invalid(stage: Stage, why: String) -> SmtpError {
    SmtpError::new(stage, SmtpErrorKind::InvalidInput(why))
}

/// Addresses go between angle brackets on a command line: no controls, no brackets.
pub(super) fn check_address(stage: Stage, address: &str) -> Result<(), SmtpError> {
    if address
        .chars()
        .any(|c| c.is_control() || c == '<' || c == '>')
    {
        return Err(invalid(stage, format!("invalid address {address:?}")));
    }
    Ok(())
}

pub(super) fn check_word(stage: Stage, what: &str, word: &str) -> Result<(), SmtpError> {
    if word.is_empty() || word.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(stage, format!("invalid {what} {word:?}")));
    }
    Ok(())
}

/// NOTIFY and RET values are keyword lists ("SUCCESS,FAILURE", "HDRS").
pub(super) fn check_dsn_value(stage: Stage, what: &str, value: &str) -> Result<(), SmtpError> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b',')
    {
        return Err(invalid(
            stage,
            format!("invalid DSN {what} value {value:?}"),
        ));
    }
    Ok(())
}

/// RFC 3461 xtext: printable ASCII except '+' and '=', everything else as "+HH".
pub(super) fn xtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            out.push(b as char);
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}
