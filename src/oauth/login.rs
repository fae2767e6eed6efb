//! Logging in with the authorization code grant and PKCE (RFC 7636), the redirect
//! coming back to a listener on 127.0.0.1 on a port chosen by the OS (RFC 8252
//! sections 7.3 and 8.3); `state` must come back unchanged (RFC 6749 section 10.12):
//! a redirect with another is refused, it was not this login's.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::http::Http;
use super::token::{self, Tokens};
use super::{Client, OAuthError, ProviderError, pkce};
use crate::model::text::for_terminal;
use crate::secret::Secret;

/// How long the listener waits for the browser: time to type a password and pass a
/// second factor.
pub const WAIT: Duration = Duration::from_secs(300);

/// What a request line of the redirect may be: more is not a browser's redirect.
const MAX_REQUEST: usize = 16 * 1024;

/// Run the code flow: `show` is given the URL to open (and `open` opens a browser when
/// asked), then the redirect is awaited for at most `wait`.
pub fn code_flow(
    client: &Client,
    http: &Http,
    wait: Duration,
    show: &mut dyn FnMut(&str),
    open: &mut dyn FnMut(&str),
) -> Result<Tokens, OAuthError> {
    let endpoints = client.endpoints(http, |e| e.authorization.is_some() && e.token.is_some())?;
    let (Some(auth_url), Some(token_url)) = (&endpoints.authorization, &endpoints.token) else {
        return Err(OAuthError::config(format!(
            "profile {}: no authorization or token endpoint: set oauth2_issuer, or \
             oauth2_auth_url and oauth2_token_url",
            client.profile
        )));
    };
    super::http::check_url(auth_url)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| OAuthError::io(format!("cannot listen on 127.0.0.1 for the redirect: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| OAuthError::io(e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/");
    let verifier = pkce::random()?;
    let state = pkce::random()?;
    let (scope, challenge) = (client.scope(), pkce::challenge(&verifier));
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", scope.as_str()),
        ("state", state.expose()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend(
        client
            .auth_params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let sep = if auth_url.contains('?') { '&' } else { '?' };
    let url = format!("{auth_url}{sep}{}", encode_query(&params));
    // The endpoint may come from a server's metadata: shown only through the sanitiser.
    show(&for_terminal(&url));
    open(&url);
    let expected = Expected {
        state: &state,
        issuer: client.issuer.as_deref(),
    };
    let code = await_redirect(&listener, &expected, Instant::now() + wait)?;
    let mut tokens = token::request(
        http,
        client,
        token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", verifier.expose()),
        ],
        "exchange the authorization code",
        None,
    )?;
    tokens.revocation_url = endpoints.revocation;
    Ok(tokens)
}

/// Wait for the browser's GET of the redirect URI; answer it with a page in words.
/// Other requests (a favicon) get a 404 and the wait goes on.
/// What the redirect must carry: this login's `state`, and the issuer's name in `iss`
/// when the provider sends one (RFC 9207: a mix-up of two providers is refused).
struct Expected<'a> {
    state: &'a Secret,
    issuer: Option<&'a str>,
}

fn await_redirect(
    listener: &TcpListener,
    expected: &Expected<'_>,
    deadline: Instant,
) -> Result<Secret, OAuthError> {
    listener
        .set_nonblocking(true)
        .map_err(|e| OAuthError::io(e.to_string()))?;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(OAuthError::temporary(format!(
                        "no answer from the browser within {} seconds; run the login again",
                        WAIT.as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(OAuthError::io(format!("the redirect listener failed: {e}"))),
        };
        if let Some(result) = answer(stream, expected) {
            return result;
        }
    }
}

/// One request to the listener: `None` when it was not the redirect.
fn answer(mut stream: TcpStream, expected: &Expected<'_>) -> Option<Result<Secret, OAuthError>> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let request = read_head(&mut stream)?;
    let target = request.split(' ').nth(1)?;
    let Some(query) = target.strip_prefix("/?") else {
        let _ = reply(&mut stream, "404 Not Found", "Not the redirect.");
        return None;
    };
    let params = decode_query(query);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("state") != Some(expected.state.expose()) {
        let _ = reply(
            &mut stream,
            "400 Bad Request",
            "This sign-in was not started here.",
        );
        return Some(Err(OAuthError::refused(
            "the redirect came back with another state than this login sent (RFC 6749 \
             section 10.12): refused; run the login again",
        )));
    }
    if let (Some(iss), Some(issuer)) = (get("iss"), expected.issuer)
        && iss.trim_end_matches('/') != issuer.trim_end_matches('/')
    {
        let _ = reply(&mut stream, "400 Bad Request", "Another provider answered.");
        return Some(Err(OAuthError::refused(format!(
            "the redirect names issuer {:?}, not {:?} (RFC 9207): refused; run the login again",
            for_terminal(iss),
            for_terminal(issuer)
        ))));
    }
    if let Some(error) = get("error") {
        let _ = reply(
            &mut stream,
            "200 OK",
            "Sign-in refused. You can close this page.",
        );
        let provider = ProviderError::from_params(error, get("error_description"));
        return Some(Err(OAuthError::refused(format!(
            "the provider refused the login: {}",
            provider.words()
        ))));
    }
    let Some(code) = get("code").filter(|c| !c.is_empty()) else {
        let _ = reply(&mut stream, "400 Bad Request", "No code in the redirect.");
        return Some(Err(OAuthError::protocol("the redirect carried no code")));
    };
    let _ = reply(
        &mut stream,
        "200 OK",
        "Signed in: posta has the login. You can close this page.",
    );
    Some(Ok(Secret::new(code)))
}

fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_REQUEST {
            return None;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    head.lines().next().map(str::to_string)
}

fn reply(stream: &mut TcpStream, status: &str, text: &str) -> std::io::Result<()> {
    let body = format!("<!DOCTYPE html><title>posta</title><p>{text}</p>\n");
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// application/x-www-form-urlencoded, as a query string.
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_round_trip() {
        let q = encode_query(&[("redirect_uri", "http://127.0.0.1:5/"), ("scope", "a b")]);
        assert_eq!(q, "redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2F&scope=a%20b");
        assert_eq!(
            decode_query("code=a%2Fb+c&state=x&bad=%zz&end=%4"),
            vec![
                ("code".into(), "a/b c".into()),
                ("state".into(), "x".into()),
                ("bad".into(), "%zz".into()),
                ("end".into(), "%4".into())
            ]
        );
    }
}
