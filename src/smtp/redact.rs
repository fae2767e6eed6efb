//! A server may echo what it was sent (`535 5.7.8 you said UzNjcmV0UFc= = S3cretPW`):
//! posta knows the secret, so every reply line is cleaned of it, and of the forms AUTH
//! sent it in (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER base64), before the line is shown in
//! the transcript, kept in a `Reply` (errors, `--json`, the log file) or stored in the
//! queue.

use std::borrow::Cow;

use super::auth;
use super::dial;
use super::{Credentials, Settings};
use crate::secret::Secret;

/// What a redacted secret is shown as, the same words as [`Secret`]'s `Display`.
pub(crate) const SHOWN: &str = "(redacted)";

/// Shorter needles would blank out ordinary words of every reply ("250 ok") for a
/// secret too short to be worth hiding.
const MIN_LEN: usize = 4;

/// The strings to take out of the server's text. Held as [`Secret`]s, so wiped when
/// the connection ends.
#[derive(Default)]
pub(crate) struct Redactor {
    /// Longest first, so that a longer form is replaced before a shorter one inside it.
    needles: Vec<Secret>,
    /// The secret itself, looked for inside base64 words (when long enough).
    secret: Option<Secret>,
}

impl Redactor {
    pub(crate) fn new(settings: &Settings) -> Redactor {
        match &settings.credentials {
            Some(creds) => Redactor::for_credentials(creds, &settings.host, settings.port),
            None => Redactor::default(),
        }
    }

    pub(crate) fn for_credentials(creds: &Credentials, host: &str, port: u16) -> Redactor {
        let user = creds.user.as_str();
        let secret = creds.secret.expose();
        let host = dial::bare_host(host);
        let mut needles: Vec<String> = vec![secret.to_owned()];
        for encoded in [
            auth::plain(user, secret),
            auth::login_step(secret),
            auth::xoauth2(user, secret),
            auth::oauthbearer(user, host, port, secret),
        ] {
            // A server may drop the padding when it quotes what it got.
            let unpadded = encoded.trim_end_matches('=').to_owned();
            needles.push(encoded);
            needles.push(unpadded);
        }
        needles.retain(|n| n.len() >= MIN_LEN);
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Redactor {
            needles: needles.into_iter().map(Secret::new).collect(),
            secret: (secret.len() >= MIN_LEN).then(|| creds.secret.clone()),
        }
    }

    /// `text` without any of the secret's forms: the secret, what AUTH sent, and any
    /// base64 word that decodes to text holding the secret (an OAuth error challenge
    /// that quotes the token back).
    pub(crate) fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for needle in &self.needles {
            let needle = needle.expose();
            if out.contains(needle) {
                out = Cow::Owned(out.replace(needle, SHOWN));
            }
        }
        let Some(secret) = self.secret.as_ref() else {
            return out;
        };
        let hides = |word: &str| {
            word.len() >= 8
                && decode_any(word).is_some_and(|bytes| {
                    let bytes = zeroize::Zeroizing::new(bytes);
                    contains(&bytes, secret.expose().as_bytes())
                })
        };
        if out.split(' ').any(hides) {
            let words: Vec<&str> = out
                .split(' ')
                .map(|w| if hides(w) { SHOWN } else { w })
                .collect();
            out = Cow::Owned(words.join(" "));
        }
        out
    }
}

/// A word's bytes if it is base64, padded or not.
fn decode_any(word: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    if !word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
    {
        return None;
    }
    STANDARD
        .decode(word)
        .or_else(|_| STANDARD_NO_PAD.decode(word))
        .ok()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(secret: &str) -> Redactor {
        let creds = Credentials {
            user: "jane".into(),
            secret: Secret::new(secret),
            token: false,
            renew: None,
        };
        Redactor::for_credentials(&creds, "[::1]", 587)
    }

    #[test]
    fn the_secret_and_its_auth_encodings_are_taken_out() {
        let r = redactor("S3cretPW");
        let echoed = format!(
            "535 5.7.8 you said {} = S3cretPW, plain {} xoauth2 {} bearer {} unpadded {}",
            auth::login_step("S3cretPW"),
            auth::plain("jane", "S3cretPW"),
            auth::xoauth2("jane", "S3cretPW"),
            auth::oauthbearer("jane", "::1", 587, "S3cretPW"),
            auth::plain("jane", "S3cretPW").trim_end_matches('='),
        );
        assert_eq!(auth::login_step("S3cretPW"), "UzNjcmV0UFc=");
        let shown = r.apply(&echoed);
        assert_eq!(
            shown,
            "535 5.7.8 you said (redacted) = (redacted), plain (redacted) xoauth2 \
             (redacted) bearer (redacted) unpadded (redacted)"
        );
    }

    #[test]
    fn a_base64_word_that_quotes_the_secret_is_taken_out() {
        let r = redactor("S3cretPW");
        let challenge = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            r#"{"status":"401","got":"auth=Bearer S3cretPW"}"#,
        );
        assert_eq!(r.apply(&format!("334 {challenge}")), "334 (redacted)");
        let other = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            r#"{"status":"401","schemes":"bearer"}"#,
        );
        assert!(matches!(r.apply(&other), Cow::Borrowed(_)));
    }

    #[test]
    fn text_without_it_is_borrowed_and_short_secrets_are_left() {
        assert!(matches!(
            redactor("S3cretPW").apply("250 2.0.0 ok"),
            Cow::Borrowed(_)
        ));
        // "ok" is too short to hide; its base64 forms are still taken out.
        let r = redactor("ok");
        assert_eq!(r.apply("250 ok"), "250 ok");
        assert_eq!(r.apply("535 b2s="), "535 (redacted)");
        assert!(Redactor::default().apply("x").eq("x"));
    }
}
