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

impl Dsn {
    /// Check a NOTIFY list (RFC 3461 §4.1) and give it in canonical form: `NEVER` alone,
    /// or one or more of `SUCCESS`, `FAILURE`, `DELAY`, any case, comma-separated.
    pub fn parse_notify(value: &str) -> Result<String, String> {
        let words: Vec<String> = value
            .split(',')
            .map(|w| w.trim().to_ascii_uppercase())
            .collect();
        let bad = |why: &str| format!("DSN notify {value:?}: {why}");
        if words.iter().any(String::is_empty) {
            return Err(bad("expected NEVER or a list of SUCCESS,FAILURE,DELAY"));
        }
        for w in &words {
            if !["NEVER", "SUCCESS", "FAILURE", "DELAY"].contains(&w.as_str()) {
                return Err(bad(&format!(
                    "unknown keyword {w}; expected NEVER or a list of SUCCESS,FAILURE,DELAY"
                )));
            }
        }
        if words.len() > 1 && words.iter().any(|w| w == "NEVER") {
            return Err(bad("NEVER cannot be combined with other keywords"));
        }
        let mut unique: Vec<String> = Vec::with_capacity(words.len());
        for w in words {
            if !unique.contains(&w) {
                unique.push(w);
            }
        }
        Ok(unique.join(","))
    }

    /// When a notification is asked for (NOTIFY or RET) and no envelope id was given,
    /// use the Message-ID, so that a returned DSN names the message it is about
    /// (RFC 3461 §4.4). Skipped when it would not fit ENVID's 100 characters.
    pub fn with_default_envid(mut self, message_id: &str) -> Self {
        let id = message_id.trim_matches(|c| c == '<' || c == '>');
        let plain = id
            .bytes()
            .all(|b| (33..=126).contains(&b) && b != b'+' && b != b'=');
        let requested = self.notify.is_some() || self.ret.is_some();
        if requested && self.envid.is_none() && !id.is_empty() && plain && id.len() <= 100 {
            self.envid = Some(id.to_owned());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_lists_are_checked_and_canonical() {
        assert_eq!(
            Dsn::parse_notify("success, Failure,delay").unwrap(),
            "SUCCESS,FAILURE,DELAY"
        );
        assert_eq!(Dsn::parse_notify("never").unwrap(), "NEVER");
        assert_eq!(Dsn::parse_notify("failure,failure").unwrap(), "FAILURE");
        for bad in ["", "never,success", "sucess", "success,", "NOTIFY=NEVER"] {
            assert!(Dsn::parse_notify(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_message_id_is_the_default_envelope_id() {
        let asked = Dsn {
            notify: Some("FAILURE".into()),
            ..Dsn::default()
        };
        let d = asked.clone().with_default_envid("<abc.123@host.example>");
        assert_eq!(d.envid.as_deref(), Some("abc.123@host.example"));
        // Not asked for: nothing added; given: kept.
        assert_eq!(Dsn::default().with_default_envid("<a@b>").envid, None);
        let given = Dsn {
            envid: Some("mine".into()),
            ..asked.clone()
        };
        assert_eq!(
            given.with_default_envid("<a@b>").envid.as_deref(),
            Some("mine")
        );
        let long = format!("<{}@x>", "a".repeat(120));
        assert_eq!(asked.with_default_envid(&long).envid, None);
    }
}
