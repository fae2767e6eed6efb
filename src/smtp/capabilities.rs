//! What the server said it can do in its EHLO reply.

use super::Reply;

/// The EHLO keywords posta acts on. Unknown keywords are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// SIZE was offered: `Some(limit)`, where 0 means "no fixed limit" (RFC 1870).
    pub size: Option<u64>,
    /// SASL mechanisms, upper case, in the server's order.
    pub auth: Vec<String>,
    pub pipelining: bool,
    pub eight_bit_mime: bool,
    pub smtputf8: bool,
    pub dsn: bool,
    pub starttls: bool,
    pub enhanced_status_codes: bool,
    pub chunking: bool,
    /// Every keyword line as sent, for `probe`.
    pub raw: Vec<String>,
}

impl Capabilities {
    /// Parse a 250 reply to EHLO. Its first line is the server's name, not a keyword.
    pub fn parse(reply: &Reply) -> Self {
        let mut caps = Capabilities::default();
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            // An empty line (smtp-sink ends its reply with one) offers nothing.
            let Some(keyword) = words.next() else {
                continue;
            };
            caps.raw.push(line.clone());
            let keyword = keyword.to_ascii_uppercase();
            match keyword.as_str() {
                "SIZE" => {
                    // A SIZE without a usable number still tells us the keyword is known.
                    caps.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0));
                }
                "PIPELINING" => caps.pipelining = true,
                "8BITMIME" => caps.eight_bit_mime = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "DSN" => caps.dsn = true,
                "STARTTLS" => caps.starttls = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                "CHUNKING" => caps.chunking = true,
                "AUTH" => caps.add_auth(words),
                _ => {
                    // Old servers (and Outlook clients' habits) use "AUTH=LOGIN PLAIN".
                    if let Some(first) = keyword.strip_prefix("AUTH=") {
                        caps.add_auth(std::iter::once(first).chain(words));
                    }
                }
            }
        }
        caps
    }

    fn add_auth<'a>(&mut self, mechs: impl Iterator<Item = &'a str>) {
        for m in mechs {
            let m = m.to_ascii_uppercase();
            if !m.is_empty() && !self.auth.contains(&m) {
                self.auth.push(m);
            }
        }
    }

    pub fn offers_auth(&self, mechanism: &str) -> bool {
        self.auth.iter().any(|m| m == mechanism)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::reply::build_reply;

    fn caps(lines: &[&str]) -> Capabilities {
        Capabilities::parse(&build_reply(
            250,
            lines.iter().map(|s| s.to_string()).collect(),
        ))
    }

    #[test]
    fn an_empty_line_is_no_capability() {
        let c = caps(&["sink", "PIPELINING", "", "8BITMIME"]);
        assert_eq!(c.raw, ["PIPELINING", "8BITMIME"]);
        assert!(c.pipelining && c.eight_bit_mime);
    }

    #[test]
    fn typical_submission_server() {
        let c = caps(&[
            "smtp.example.org Hello",
            "SIZE 35882577",
            "8BITMIME",
            "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH",
            "ENHANCEDSTATUSCODES",
            "PIPELINING",
            "CHUNKING",
            "SMTPUTF8",
        ]);
        assert_eq!(c.size, Some(35_882_577));
        assert_eq!(
            c.auth,
            vec![
                "LOGIN",
                "PLAIN",
                "XOAUTH2",
                "PLAIN-CLIENTTOKEN",
                "OAUTHBEARER",
                "XOAUTH"
            ]
        );
        assert!(c.eight_bit_mime && c.enhanced_status_codes && c.pipelining);
        assert!(c.chunking && c.smtputf8);
        assert!(!c.starttls && !c.dsn);
        assert!(c.offers_auth("PLAIN") && !c.offers_auth("CRAM-MD5"));
    }

    #[test]
    fn the_greeting_line_is_not_a_keyword() {
        // A server named "STARTTLS" must not make us think STARTTLS is offered.
        let c = caps(&["STARTTLS", "DSN"]);
        assert!(!c.starttls);
        assert!(c.dsn);
    }

    #[test]
    fn case_insensitive_and_legacy_auth_form() {
        let c = caps(&[
            "x",
            "starttls",
            "auth=login plain",
            "size",
            "Auth login cram-md5",
        ]);
        assert!(c.starttls);
        assert_eq!(c.auth, vec!["LOGIN", "PLAIN", "CRAM-MD5"]);
        assert_eq!(c.size, Some(0));
    }

    #[test]
    fn helo_reply_has_nothing() {
        let c = caps(&["mail.example.org"]);
        assert_eq!(c, Capabilities::default());
    }
}
