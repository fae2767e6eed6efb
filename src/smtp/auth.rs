//! SASL for SMTP AUTH (RFC 4954): choosing a mechanism, the rule about when
//! credentials may be sent at all, and the encodings of PLAIN, LOGIN, CRAM-MD5, XOAUTH2
//! and OAUTHBEARER; SCRAM's exchange is in `auth/scram.rs`. The dialogue itself lives
//! in the session (`session/login.rs`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use hmac::{Hmac, Mac};

use super::AuthMechanism;
use super::capabilities::Capabilities;

pub(crate) mod scram;

/// A concrete mechanism (never `Auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mechanism {
    Plain,
    Login,
    CramMd5,
    Scram(scram::Hash),
    External,
    Xoauth2,
    OauthBearer,
}

impl Mechanism {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::Scram(scram::Hash::Sha256) => "SCRAM-SHA-256",
            Mechanism::Scram(scram::Hash::Sha1) => "SCRAM-SHA-1",
            Mechanism::External => "EXTERNAL",
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::OauthBearer => "OAUTHBEARER",
        }
    }
}

/// What `auto` tries with a password, strongest first (issue 19). The SCRAMs prove the
/// password without sending it and make the server prove it knows it too. PLAIN and
/// LOGIN send the password itself, so over TLS they come next (PLAIN in one round
/// trip) and CRAM-MD5 last: it needs the server to keep the password in clear and
/// protects nothing TLS does not. Without TLS (loopback, or --allow-insecure-auth)
/// CRAM-MD5 goes before them: it at least keeps the password off the wire.
fn password_preference(tls: bool) -> [Mechanism; 5] {
    use Mechanism::*;
    use scram::Hash::*;
    if tls {
        [Scram(Sha256), Scram(Sha1), Plain, Login, CramMd5]
    } else {
        [Scram(Sha256), Scram(Sha1), CramMd5, Plain, Login]
    }
}

/// Pick the mechanism to use, or say why none can be.
///
/// `Auto` with a token: OAUTHBEARER (the IETF standard, RFC 7628), else XOAUTH2
/// (Google's and Microsoft's older form of the same bearer token). `Auto` with a
/// password: the first of [`password_preference`] offered. A password never goes to
/// an OAuth mechanism unasked, nor a token to a password mechanism; EXTERNAL (the
/// client certificate is the credential) only when asked for.
pub(crate) fn choose(
    wanted: AuthMechanism,
    token: bool,
    tls: bool,
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
        AuthMechanism::CramMd5 => pick(Mechanism::CramMd5),
        AuthMechanism::ScramSha256 => pick(Mechanism::Scram(scram::Hash::Sha256)),
        AuthMechanism::ScramSha1 => pick(Mechanism::Scram(scram::Hash::Sha1)),
        AuthMechanism::External => pick(Mechanism::External),
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
        AuthMechanism::Auto => password_preference(tls)
            .into_iter()
            .find(|m| caps.offers_auth(m.name()))
            .ok_or_else(|| no_password_mechanism(caps)),
    }
}

/// Why a password cannot log in: the server offers none of the password mechanisms.
/// Names what it offers and what posta supports; an OAuth2 mechanism on offer takes a
/// token command, EXTERNAL a client certificate, anything else cannot be used.
fn no_password_mechanism(caps: &Capabilities) -> String {
    let offered = caps.auth.join(" ");
    let other = [
        Mechanism::OauthBearer,
        Mechanism::Xoauth2,
        Mechanism::External,
    ]
    .into_iter()
    .find(|m| caps.offers_auth(m.name()));
    let what_to_do = match other {
        Some(Mechanism::External) => "it takes a client certificate by EXTERNAL: set \
             tls_cert and tls_key in the profile and auth = \"external\" (or --tls-cert, \
             --tls-key and --auth external)"
            .to_string(),
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
        "the server offers AUTH {offered}, and a password logs in only by SCRAM-SHA-256, \
         SCRAM-SHA-1, PLAIN, LOGIN or CRAM-MD5 (posta also supports EXTERNAL, XOAUTH2 and \
         OAUTHBEARER); {what_to_do}"
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

/// RFC 2195: the user name, a space, and the HMAC-MD5 of the server's challenge keyed
/// with the password, in lower-case hex. `challenge` is the 334's base64 text.
pub(crate) fn cram_md5(user: &str, password: &str, challenge: &str) -> Result<String, String> {
    let challenge = B64
        .decode(challenge.trim())
        .map_err(|_| "the server's CRAM-MD5 challenge is not base64".to_string())?;
    let mut mac = Hmac::<md5::Md5>::new_from_slice(password.as_bytes()).expect("any key length");
    mac.update(&challenge);
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(B64.encode(format!("{user} {digest}")))
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
mod tests;
