//! The machine's own names in a message: the address of the local user (what a message
//! without any sender is from), and whether a sender is a local user's — a bare `root`,
//! or `root@<this host>` as GNU mailutils' `mail` and cron write it. No provider takes
//! such a sender: a profile with an address of its own sends as that instead.

/// `$USER@<host name>`, as sendmail makes the sender of a message that names none.
pub(super) fn user_address() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "root".into());
    format!("{user}@{}", host_name())
}

pub(super) fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Whether `address` (bare, without angle brackets) is a local user's: no domain, or
/// the domain is this host's name (short or as `gethostname` gives it) or `localhost`.
pub fn is_local_sender(address: &str) -> bool {
    is_local_for(address, &host_name())
}

fn is_local_for(address: &str, host: &str) -> bool {
    let address = address.trim();
    if address.is_empty() {
        // The null sender of a bounce is nobody's, local or not.
        return false;
    }
    let Some((_, domain)) = address.rsplit_once('@') else {
        return true;
    };
    let domain = domain.trim_end_matches('.');
    let short = host.split('.').next().unwrap_or(host);
    ["localhost", "localhost.localdomain", host, short]
        .iter()
        .any(|d| !d.is_empty() && domain.eq_ignore_ascii_case(d))
}

#[cfg(test)]
mod tests {
    use super::is_local_for;

    #[test]
    fn local_senders_are_bare_names_and_this_hosts_names() {
        for local in [
            "root",
            "www-data",
            "root@web1",
            "root@WEB1.example.org",
            "root@web1.example.org.",
            "cron@localhost",
        ] {
            assert!(is_local_for(local, "web1.example.org"), "{local}");
        }
        for other in ["", "root@example.org", "jane@web2", "a@web1x"] {
            assert!(!is_local_for(other, "web1.example.org"), "{other}");
        }
    }
}
