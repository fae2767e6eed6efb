//! How a server's certificate is pinned (`--tls-fingerprint`, key `tls_fingerprint`):
//! the SHA-256 of the certificate (`sha256:HEX`, or the bare hex msmtp and openssl
//! print), or of its public key (`spki:BASE64`, the form of HPKP and curl's
//! `--pinnedpubkey sha256//BASE64`), which survives a renewal that keeps the key.
//! Several pins are allowed and any one may match, so the next certificate can be
//! pinned before the server switches to it.
//!
//! A pin keeps the text as given: that is what errors quote and what a queue entry
//! records, so a value read back is the value written.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// What a pin's digest is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOf {
    /// The whole certificate (DER): changes with every renewal.
    Certificate,
    /// The SubjectPublicKeyInfo (DER): the same as long as the key is.
    PublicKey,
}

/// One pin: a SHA-256 digest of the certificate or of its public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    text: String,
    of: PinOf,
    digest: [u8; 32],
}

impl Fingerprint {
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    pub fn of(&self) -> PinOf {
        self.of
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for Fingerprint {
    /// What is expected, in words (the caller names the flag or key).
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let prefixed = |prefix: &str| {
            s.get(..prefix.len())
                .filter(|p| p.eq_ignore_ascii_case(prefix))
                .map(|_| &s[prefix.len()..])
        };
        let (of, digest) = if let Some(b64) = prefixed("spki:").or_else(|| prefixed("sha256//")) {
            (PinOf::PublicKey, from_base64(b64.trim())?)
        } else {
            (
                PinOf::Certificate,
                from_hex(prefixed("sha256:").unwrap_or(s))?,
            )
        };
        Ok(Fingerprint {
            text: s.to_string(),
            of,
            digest,
        })
    }
}

/// The forms in words, for every error about one.
const FORMS: &str = "expected sha256:HEX (the certificate's SHA-256: 64 hex digits, colons \
     allowed; the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key)";

fn from_hex(text: &str) -> Result<[u8; 32], String> {
    let hex: String = text
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    // Only ASCII digits: a multi-byte character must not split the pairs below.
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(FORMS.to_string());
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| FORMS.to_string())?;
    }
    Ok(digest)
}

fn from_base64(text: &str) -> Result<[u8; 32], String> {
    B64.decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| FORMS.to_string())
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The pins of one server: any one may match. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pins(Vec<Fingerprint>);

impl Pins {
    /// `None` for no pins.
    pub fn new(pins: Vec<Fingerprint>) -> Option<Pins> {
        (!pins.is_empty()).then_some(Pins(pins))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Fingerprint> {
        self.0.iter()
    }
}

/// As one line: the pins separated by commas (a character neither form has), which is
/// how a queue entry records them; one pin reads as it always did.
impl FromStr for Pins {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let pins = s
            .split(',')
            .map(|p| p.trim().parse())
            .collect::<Result<Vec<Fingerprint>, String>>()?;
        Ok(Pins(pins))
    }
}

impl fmt::Display for Pins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<&str> = self.0.iter().map(Fingerprint::as_str).collect();
        f.write_str(&texts.join(","))
    }
}

impl serde::Serialize for Pins {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A string (one pin, or several separated by commas) or an array of them.
impl<'de> serde::Deserialize<'de> for Pins {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let texts = match OneOrMany::deserialize(d)? {
            OneOrMany::One(text) => vec![text],
            OneOrMany::Many(texts) => texts,
        };
        let mut pins = Vec::new();
        for text in &texts {
            let more: Pins = text
                .parse()
                .map_err(|why| serde::de::Error::custom(format!("\"{text}\": {why}")))?;
            pins.extend(more.0);
        }
        Pins::new(pins).ok_or_else(|| serde::de::Error::custom("an empty list of pins"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_pins_parse_with_colons_and_an_optional_prefix() {
        let hex = "AB:".repeat(31) + "AB";
        for text in [
            hex.clone(),
            format!("sha256:{hex}"),
            format!("SHA256:{hex}"),
        ] {
            let f: Fingerprint = text.parse().unwrap();
            assert_eq!(f.digest(), [0xAB; 32]);
            assert_eq!(f.of(), PinOf::Certificate);
            assert_eq!(f.as_str(), text);
        }
        assert!("abc".parse::<Fingerprint>().is_err());
        assert!("sha256:abc".parse::<Fingerprint>().is_err());
        // 64 bytes, but a 3-byte character straddles a pair.
        assert!(
            format!("a€{}", "a".repeat(60))
                .parse::<Fingerprint>()
                .is_err()
        );
    }

    #[test]
    fn public_key_pins_are_base64_of_32_bytes() {
        let b64 = B64.encode([7u8; 32]);
        for text in [format!("spki:{b64}"), format!("sha256//{b64}")] {
            let f: Fingerprint = text.parse().unwrap();
            assert_eq!((f.of(), f.digest()), (PinOf::PublicKey, [7u8; 32]));
        }
        let short = format!("spki:{}", B64.encode([7u8; 31]));
        let err = short.parse::<Fingerprint>().unwrap_err();
        assert!(err.contains("spki:BASE64"), "{err}");
        assert!("spki:!!".parse::<Fingerprint>().is_err());
    }

    #[test]
    fn several_pins_from_a_line_a_string_or_an_array() {
        let hex = "ab".repeat(32);
        let spki = format!("spki:{}", B64.encode([7u8; 32]));
        let line = format!("{hex}, {spki}");
        let pins: Pins = line.parse().unwrap();
        assert_eq!(pins.iter().count(), 2);
        assert_eq!(pins.to_string(), format!("{hex},{spki}"));
        let back: Pins = serde_json::from_str(&serde_json::to_string(&pins).unwrap()).unwrap();
        assert_eq!(back, pins);
        let array: Pins = serde_json::from_value(serde_json::json!([hex, spki])).unwrap();
        assert_eq!(array, pins);
        let one: Pins = serde_json::from_value(serde_json::json!(hex)).unwrap();
        assert_eq!(one.iter().count(), 1);
        let err = serde_json::from_value::<Pins>(serde_json::json!([hex, "zz"])).unwrap_err();
        assert!(
            err.to_string().contains("\"zz\": expected sha256:HEX"),
            "{err}"
        );
        assert!(serde_json::from_value::<Pins>(serde_json::json!([])).is_err());
    }
}
