//! The one HTTP client of posta (ureq, TLS by rustls with the certificates verified):
//! form POSTs and GETs of JSON, each bounded in time and in the size of the answer,
//! and a URL's scheme checked first: `https://`, or `http://` only to loopback (a local
//! broker, the test server; RFC 8252 section 8.3 allows no more).

use std::time::Duration;

use super::OAuthError;
use crate::model::text::for_terminal;

/// The most of an answer read: metadata and token responses are a few kilobytes.
const MAX_BODY: u64 = 256 * 1024;

/// An HTTP client with `timeout` on every request as a whole (connect, TLS, answer).
pub struct Http {
    agent: ureq::Agent,
}

/// An answer: its status and its JSON (an error answer's too: the provider's `error`).
pub struct Answer {
    pub status: u16,
    pub json: serde_json::Value,
}

impl Http {
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // An endpoint that moves is a configuration to fix, not something to follow.
            .max_redirects(0)
            .user_agent(concat!("posta/", env!("CARGO_PKG_VERSION")))
            .build();
        Http {
            agent: agent.into(),
        }
    }

    /// GET `url` (accepting JSON).
    pub fn get(&self, url: &str) -> Result<Answer, OAuthError> {
        check_url(url)?;
        let result = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .call();
        read(url, result)
    }

    /// POST `fields` as application/x-www-form-urlencoded to `url`.
    pub fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<Answer, OAuthError> {
        check_url(url)?;
        let result = self
            .agent
            .post(url)
            .header("Accept", "application/json")
            .send_form(fields.iter().copied());
        read(url, result)
    }
}

fn read(
    url: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer, OAuthError> {
    let mut response = result.map_err(|e| transport_error(url, &e))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .map_err(|e| transport_error(url, &e))?;
    let json = match serde_json::from_str(&body) {
        Ok(json) => json,
        // A revocation's 200 has no body (RFC 7009 section 2.2).
        Err(_) if body.trim().is_empty() => serde_json::Value::Null,
        // A 5xx page of HTML from a proxy is a server trouble, worth trying later.
        Err(_) if status >= 500 => {
            return Err(OAuthError::temporary(format!(
                "{} answered HTTP {status}",
                host_of(url)
            )));
        }
        Err(_) if (200..300).contains(&status) => {
            return Err(OAuthError::protocol(format!(
                "{} answered HTTP {status} with something that is not JSON",
                host_of(url)
            )));
        }
        // A 404 page of HTML (discovery tries two places): the status says it.
        Err(_) => serde_json::Value::Null,
    };
    Ok(Answer { status, json })
}

/// A request that got no answer: temporary (exit 75), whatever the reason.
fn transport_error(url: &str, e: &ureq::Error) -> OAuthError {
    let why = match e {
        ureq::Error::Timeout(_) => "no answer in time".to_string(),
        ureq::Error::BodyExceedsLimit(limit) => format!("the answer is larger than {limit} bytes"),
        other => other.to_string(),
    };
    OAuthError::temporary(format!(
        "cannot reach {}: {}",
        host_of(url),
        for_terminal(&why)
    ))
}

/// `https://`, or `http://` to a loopback address; anything else is refused before
/// anything is sent (a token over clear text to a remote host would be anyone's).
pub fn check_url(url: &str) -> Result<(), OAuthError> {
    if url.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let host = authority_host(rest);
        if is_loopback(host) {
            return Ok(());
        }
    }
    Err(OAuthError::config(format!(
        "{}: an OAuth endpoint must be https:// (http:// only on 127.0.0.1, [::1] or localhost)",
        for_terminal(url)
    )))
}

fn authority_host(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of a URL, for error texts (never its query: it may carry a code).
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    for_terminal(authority.rsplit('@').next().unwrap_or(authority)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_to_loopback() {
        for ok in [
            "https://login.example.com/token",
            "http://127.0.0.1:8080/token",
            "http://[::1]/x",
            "http://localhost:1/",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/token",
            "http://127.0.0.1.evil.com/",
            "http://localhost@evil.com/",
            "ftp://127.0.0.1/",
            "http://10.0.0.1/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_for_errors() {
        assert_eq!(host_of("https://u:p@a.example/x?code=1"), "a.example");
    }
}
