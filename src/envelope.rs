//! The SMTP envelope: who the message is from and to, as the server sees it.
//! Shared by `message` (which derives it) and `smtp` (which sends it), so that
//! neither needs to know about the other.

/// Reverse path and forward paths, already in wire form (IDN domains as punycode
/// unless `smtputf8` is set).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Envelope {
    /// MAIL FROM address; empty for the null reverse path `<>`.
    pub from: String,
    /// RCPT TO addresses, in order, without duplicates.
    pub to: Vec<String>,
    /// Some address has a non-ASCII local part, so the server must offer SMTPUTF8.
    pub smtputf8: bool,
}

/// Delivery status notification requests (RFC 3461) that travel with the envelope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dsn {
    /// NOTIFY= value for every RCPT, e.g. "SUCCESS,FAILURE" or "NEVER".
    pub notify: Option<String>,
    /// RET= value on MAIL FROM: "FULL" or "HDRS".
    pub ret: Option<String>,
    /// ENVID= value on MAIL FROM.
    pub envid: Option<String>,
}
