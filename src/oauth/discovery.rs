//! The endpoints of an issuer from its metadata: RFC 8414's
//! `/.well-known/oauth-authorization-server`, else OpenID Connect Discovery's
//! `/.well-known/openid-configuration`. The metadata's `issuer` must be the one asked
//! for (RFC 8414 section 3.3): another would be a mix-up.

use super::http::{Http, check_url, host_of};
use super::{Endpoints, OAuthError};
use crate::model::text::for_terminal;

pub fn discover(http: &Http, issuer: &str) -> Result<Endpoints, OAuthError> {
    check_url(issuer)?;
    let base = issuer.trim_end_matches('/');
    // RFC 8414 section 3.1 puts the well-known part between host and path; OpenID
    // appends it. With no path both are the same URL prefix.
    let (origin, path) = split_origin(base);
    let candidates = [
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
        format!("{base}/.well-known/openid-configuration"),
    ];
    let mut last = None;
    for url in &candidates {
        let answer = http.get(url)?;
        if answer.status != 200 {
            last = Some(answer.status);
            continue;
        }
        let json = answer.json;
        let found = json.get("issuer").and_then(|i| i.as_str()).unwrap_or("");
        if found.trim_end_matches('/') != base {
            return Err(OAuthError::protocol(format!(
                "the metadata at {} names issuer {:?}, not {:?} (RFC 8414 section 3.3)",
                for_terminal(url),
                for_terminal(found),
                for_terminal(issuer)
            )));
        }
        let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
        return Ok(Endpoints {
            authorization: field("authorization_endpoint"),
            token: field("token_endpoint"),
            device_authorization: field("device_authorization_endpoint"),
            revocation: field("revocation_endpoint"),
        });
    }
    Err(OAuthError::config(format!(
        "{} has no OAuth metadata (HTTP {} at /.well-known/…): set oauth2_auth_url and \
         oauth2_token_url in the profile instead of oauth2_issuer",
        host_of(issuer),
        last.unwrap_or(0)
    )))
}

fn split_origin(url: &str) -> (&str, &str) {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(i) => url.split_at(scheme_end + i),
        None => (url, ""),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn well_known_goes_between_host_and_path() {
        assert_eq!(
            super::split_origin("https://login.example.com/tenant/v2.0"),
            ("https://login.example.com", "/tenant/v2.0")
        );
        assert_eq!(
            super::split_origin("http://127.0.0.1:1"),
            ("http://127.0.0.1:1", "")
        );
    }
}
