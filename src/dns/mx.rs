//! Which big provider hosts a custom domain's mail, from its MX records: Google
//! Workspace (`aspmx.l.google.com` and friends) or Microsoft 365
//! (`*.mail.protection.outlook.com`). `profile add --email jane@company.com` then picks
//! the gmail or office365 preset, whose submission server and OAuth endpoints serve
//! every domain hosted there.

use super::{answers, check_host_name, read_name, resolver};

const TYPE_MX: u16 = 15;

/// A provider whose preset serves the domains it hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Google,
    Microsoft,
}

impl Host {
    /// The preset for the domains it hosts.
    pub fn preset(self) -> &'static str {
        match self {
            Host::Google => "gmail",
            Host::Microsoft => "office365",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Host::Google => "Google Workspace",
            Host::Microsoft => "Microsoft 365",
        }
    }
}

/// The provider the most preferred MX of `domain` belongs to, with that MX host; `None`
/// when there is no resolver, no usable answer, or the mail is hosted elsewhere (then
/// SRV discovery goes on). `Err` when the query itself failed (no answer in time, an
/// answer cut off, the server unreachable): the same server would fail SRV discovery
/// too, and asking it again would double the wait.
pub fn hosted_by(domain: &str) -> Result<Option<(Host, String)>, String> {
    let Ok(domain) = idna::domain_to_ascii(domain.trim_end_matches('.')) else {
        return Ok(None);
    };
    let Ok(server) = resolver() else {
        return Ok(None);
    };
    let (reply, id) = super::query(server, &domain, TYPE_MX).map_err(|e| {
        crate::model::text::for_terminal(&format!("MX {domain}: {e} (asked {server})")).into_owned()
    })?;
    let Ok(mut records) = mx_records(&reply, id) else {
        return Ok(None);
    };
    records.sort_by_key(|(preference, _)| *preference);
    Ok(records
        .into_iter()
        .find_map(|(_, host)| provider_of(&host).map(|p| (p, host))))
}

/// (preference, exchange) of each MX answer; exchanges that are not host names are left out.
fn mx_records(msg: &[u8], id: u16) -> Result<Vec<(u16, String)>, String> {
    let mut out = Vec::new();
    for (rdata, rdlen) in answers(msg, id, TYPE_MX)? {
        if rdlen < 3 {
            continue;
        }
        let preference = u16::from_be_bytes([msg[rdata], msg[rdata + 1]]);
        let (host, _) = read_name(msg, rdata + 2).ok_or("malformed DNS answer")?;
        if check_host_name(&host).is_ok() {
            out.push((preference, host.to_ascii_lowercase()));
        }
    }
    Ok(out)
}

/// Google's and Microsoft's MX host names for hosted domains.
fn provider_of(mx: &str) -> Option<Host> {
    let mx = mx.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &str| mx == suffix || mx.ends_with(&format!(".{suffix}"));
    if under("google.com") || under("googlemail.com") || under("smtp.goog") {
        Some(Host::Google)
    } else if under("mail.protection.outlook.com") {
        Some(Host::Microsoft)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_and_microsoft_mx_hosts_are_known_others_not() {
        assert_eq!(provider_of("aspmx.l.google.com."), Some(Host::Google));
        assert_eq!(provider_of("alt1.aspmx.l.google.com"), Some(Host::Google));
        assert_eq!(provider_of("smtp.google.com"), Some(Host::Google));
        assert_eq!(
            provider_of("company-com.mail.protection.outlook.com"),
            Some(Host::Microsoft)
        );
        assert_eq!(provider_of("google.com.evil.test"), None);
        assert_eq!(provider_of("mx.evilgoogle.com"), None);
        assert_eq!(provider_of("mx1.example.net"), None);
    }

    #[test]
    fn mx_answers_are_parsed() {
        let mut msg = super::super::build_query_type(7, "company.example", TYPE_MX).unwrap();
        msg[2] = 0x81;
        msg[3] = 0x80;
        msg[7] = 1; // one answer
        msg.extend_from_slice(&[0xc0, 12]); // owner: the question's name
        msg.extend_from_slice(&TYPE_MX.to_be_bytes());
        msg.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        let exchange = b"\x05aspmx\x01l\x06google\x03com\x00";
        msg.extend_from_slice(&((2 + exchange.len()) as u16).to_be_bytes());
        msg.extend_from_slice(&[0, 1]);
        msg.extend_from_slice(exchange);
        assert_eq!(
            mx_records(&msg, 7).unwrap(),
            vec![(1, "aspmx.l.google.com".to_string())]
        );
    }
}
