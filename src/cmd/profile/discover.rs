//! `profile add --email` for a domain no preset serves: the RFC 6186 lookup, and the
//! rule for a server DNS names outside the address's domain (DNS answers are not
//! authenticated: whoever answers on this network could choose where the password
//! goes).

use crate::config::presets::PRESETS;
use crate::dns::{Found, discover_submission, is_within};
use crate::model::exit_code::{Code, fail};

/// Whether a server found in DNS may be written without asking: within the mail
/// domain, or a known provider's (a preset's host, or a name in the same domain as
/// one: a domain hosted at Fastmail names smtp.fastmail.com).
pub(super) fn trusted_target(d: &Found) -> bool {
    is_within(&d.host, &d.domain)
        || PRESETS
            .iter()
            .filter(|p| p.host.parse::<std::net::IpAddr>().is_err())
            .any(|p| {
                let parent = p.host.split_once('.').map(|(_, rest)| rest);
                is_within(&d.host, p.host)
                    || parent
                        .is_some_and(|parent| parent.contains('.') && is_within(&d.host, parent))
            })
}

/// What is wrong with a server outside the domain: whoever answers DNS on this
/// network chooses where the password goes.
pub(super) fn outside_domain(d: &Found) -> String {
    format!(
        "DNS ({}) names {}, which is outside {} and not a known provider's server; \
         DNS answers are not authenticated, so whoever answers DNS on this network can \
         choose where the password goes",
        d.record, d.host, d.domain
    )
}

/// RFC 6186 SRV lookup for a domain no preset serves. A server outside the domain is
/// written only with `--yes`.
/// `dns_failed`: the DNS server already failed to answer (the MX query), so it is not
/// asked again.
pub(super) fn discover(
    email: &str,
    yes: bool,
    dns_failed: Option<String>,
) -> anyhow::Result<Found> {
    let address = crate::config::account::bare_address(email);
    let Some((_, domain)) = address.rsplit_once('@') else {
        return Err(fail(
            Code::Usage,
            format!("--email {email}: expected an address like jane@example.com"),
        ));
    };
    let found = match dns_failed {
        Some(failed) => Err(failed),
        None => discover_submission(domain).map_err(|tried| tried.to_string()),
    }
    .map_err(|tried| {
        fail(
            Code::Usage,
            format!(
                "no preset serves {domain} and DNS names no submission server for it ({tried}); \
                 give --server HOST[:PORT] (and --security tls|starttls), or --preset NAME \
                 (see `posta profile presets`)",
                domain = crate::model::text::for_terminal(domain)
            ),
        )
    })?;
    if !yes && !trusted_target(&found) {
        return Err(fail(
            Code::Usage,
            format!(
                "{}; nothing was written: if {} is your provider's server, run again with \
                 --yes, or give --server {}:{} --security {}",
                outside_domain(&found),
                found.host,
                found.host,
                found.port,
                found.security.name()
            ),
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::Security;

    fn found(host: &str, domain: &str) -> Found {
        Found {
            host: host.into(),
            port: 465,
            security: Security::Tls,
            record: format!("_submissions._tcp.{domain}"),
            domain: domain.into(),
        }
    }

    #[test]
    fn the_domain_and_known_providers_are_trusted_nothing_else() {
        for (host, domain) in [
            ("smtp.example.org", "example.org"),
            ("example.org", "example.org"),
            ("smtp.fastmail.com", "example.org"),
            ("smtp-relay.gmail.com", "example.org"),
            ("smtp.office365.com", "example.org"),
        ] {
            assert!(trusted_target(&found(host, domain)), "{host} for {domain}");
        }
        for (host, domain) in [
            ("smtp.evil.test", "example.org"),
            ("badexample.org", "example.org"),
            ("smtp.example.org.evil.test", "example.org"),
            // The Proton Bridge preset is 127.0.0.1: no domain to be within.
            ("x.0.0.1", "example.org"),
            ("gmail.com.evil.test", "example.org"),
        ] {
            assert!(!trusted_target(&found(host, domain)), "{host} for {domain}");
        }
        let why = outside_domain(&found("smtp.evil.test", "example.org"));
        assert!(why.contains("smtp.evil.test") && why.contains("outside example.org"));
    }
}
