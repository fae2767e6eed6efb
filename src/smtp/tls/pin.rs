//! Checking the server's leaf certificate against `--tls-fingerprint` pins, the same
//! way for both backends: any one pin may match, a `sha256:` pin the certificate's
//! DER, an `spki:` pin its SubjectPublicKeyInfo's (RFC 7469 §2.4, as curl's
//! --pinnedpubkey).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{fingerprint, format_fingerprint};
use crate::model::{Fingerprint, PinOf};

/// SHA-256 of the certificate's SubjectPublicKeyInfo (DER), when it can be parsed.
pub(crate) fn spki_digest(der: &[u8]) -> Option<[u8; 32]> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    Some(Sha256::digest(cert.public_key().raw).into())
}

/// The public-key pin of a certificate as `--tls-fingerprint` takes it: "spki:BASE64".
pub fn spki_pin(der: &[u8]) -> Option<String> {
    spki_digest(der).map(|d| format!("spki:{}", B64.encode(d)))
}

/// Ok when one of `pins` matches the certificate; else what it is and what was pinned.
pub(crate) fn check(der: &[u8], pins: &[Fingerprint]) -> Result<(), String> {
    let certificate = fingerprint(der);
    let public_key = spki_digest(der);
    let matches = |pin: &Fingerprint| match pin.of() {
        PinOf::Certificate => pin.digest() == certificate,
        PinOf::PublicKey => public_key == Some(pin.digest()),
    };
    if pins.iter().any(matches) {
        return Ok(());
    }
    let key = match public_key {
        Some(d) => format!("spki:{}", B64.encode(d)),
        None => "(its public key cannot be read)".to_string(),
    };
    let pinned: Vec<&str> = pins.iter().map(Fingerprint::as_str).collect();
    Err(format!(
        "the certificate (sha256:{}, {key}) matches none of the pins ({})",
        format_fingerprint(&certificate),
        pinned.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(text: &str) -> Fingerprint {
        text.parse().unwrap()
    }

    #[test]
    fn any_pin_of_the_certificate_or_its_key_matches() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().to_vec();
        // A renewal: another certificate, the same key.
        let renewed = rcgen::CertificateParams::new(vec!["localhost".into(), "mx".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let sha = pin(&format!(
            "sha256:{}",
            format_fingerprint(&fingerprint(&der))
        ));
        let spki = pin(&spki_pin(&der).unwrap());
        let other = pin(&"00".repeat(32));
        assert!(check(&der, std::slice::from_ref(&sha)).is_ok());
        assert!(check(&der, &[other.clone(), spki.clone()]).is_ok());
        assert!(check(renewed.der(), std::slice::from_ref(&spki)).is_ok());
        let err = check(renewed.der(), &[sha, other]).unwrap_err();
        assert!(err.contains(&spki_pin(renewed.der()).unwrap()), "{err}");
        assert!(err.contains("matches none of the pins"), "{err}");
        // openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256: the SPKI.
        let spki_der = key.public_key_der();
        assert_eq!(
            spki_digest(&der).unwrap(),
            <[u8; 32]>::from(Sha256::digest(&spki_der))
        );
    }
}
