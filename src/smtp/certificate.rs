//! What `probe` shows about the server's certificate. Parsing is x509-parser's;
//! verification never depends on it (that is the TLS backend's job).

use std::net::IpAddr;

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::tls::{fingerprint, format_fingerprint, spki_pin};

/// The server's leaf certificate, for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateInfo {
    /// e.g. "CN=smtp.example.org"
    pub subject: String,
    pub issuer: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    /// DNS names and IP addresses it is valid for (subjectAltName).
    pub names: Vec<String>,
    /// SHA-256 of the DER, "AB:CD:…", as `--tls-fingerprint` takes it.
    pub sha256: String,
    /// SHA-256 of the public key (SubjectPublicKeyInfo), "spki:BASE64", as
    /// `--tls-fingerprint` takes it; `None` when the certificate cannot be parsed.
    pub spki: Option<String>,
}

impl CertificateInfo {
    /// Describe a DER certificate. Only the fingerprint is certain; the other
    /// fields say so when the certificate cannot be parsed.
    pub fn from_der(der: &[u8]) -> CertificateInfo {
        let sha256 = format_fingerprint(&fingerprint(der));
        let spki = spki_pin(der);
        match X509Certificate::from_der(der) {
            Ok((_, cert)) => {
                let validity = cert.validity();
                let names = cert
                    .subject_alternative_name()
                    .ok()
                    .flatten()
                    .map(|san| {
                        san.value
                            .general_names
                            .iter()
                            .filter_map(|name| match name {
                                GeneralName::DNSName(dns) => Some(shown(dns)),
                                GeneralName::IPAddress(ip) => ip_text(ip),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                CertificateInfo {
                    subject: shown(&cert.subject().to_string()),
                    issuer: shown(&cert.issuer().to_string()),
                    not_before: rfc3339(validity.not_before.timestamp()),
                    not_after: rfc3339(validity.not_after.timestamp()),
                    names,
                    sha256,
                    spki,
                }
            }
            Err(e) => CertificateInfo {
                subject: shown(&format!("(unreadable certificate: {e})")),
                issuer: String::new(),
                not_before: String::new(),
                not_after: String::new(),
                names: Vec::new(),
                sha256,
                spki,
            },
        }
    }
}

/// The certificate's text is the server's: it may hold escapes or line breaks.
fn shown(text: &str) -> String {
    crate::model::text::for_terminal(text).into_owned()
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    let ip = match bytes.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
        16 => IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?),
        _ => return None,
    };
    Some(ip.to_string())
}

fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| format!("(unix time {unix})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_a_generated_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["mail.example.org".into(), "192.0.2.7".into()])
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mail.example.org");
        params.not_before = rcgen::date_time_ymd(2025, 1, 2);
        params.not_after = rcgen::date_time_ymd(2027, 3, 4);
        let cert = params.self_signed(&key).unwrap();
        let info = CertificateInfo::from_der(cert.der());
        assert_eq!(info.subject, "CN=mail.example.org");
        assert_eq!(info.issuer, "CN=mail.example.org");
        assert_eq!(info.not_before, "2025-01-02T00:00:00+00:00");
        assert_eq!(info.not_after, "2027-03-04T00:00:00+00:00");
        assert_eq!(info.names, ["mail.example.org", "192.0.2.7"]);
        assert_eq!(info.sha256, format_fingerprint(&fingerprint(cert.der())));
    }

    #[test]
    fn garbage_still_has_a_fingerprint() {
        let info = CertificateInfo::from_der(b"not a certificate");
        assert!(info.subject.starts_with("(unreadable certificate"));
        assert_eq!(info.sha256.len(), 32 * 3 - 1);
    }
}
