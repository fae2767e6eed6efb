//! SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), the client side, without I/O:
//! the first message, the answer to the server's challenge, and the check of the
//! server's signature — the proof that the server knows the password, which PLAIN and
//! LOGIN never ask for. No channel binding (gs2 header `n,,`): the -PLUS variants are
//! not offered, so a downgrade from them is not possible either.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// RFC 7677 §4: "the hash iteration-count announced by a server SHOULD be at least
/// 4096". A lower count makes the proof we send cheaper to attack offline.
const MIN_ITERATIONS: u32 = 4096;

/// A hostile server could ask for billions of rounds and hold the client on the CPU;
/// 1 000 000 rounds of PBKDF2-HMAC-SHA-256 take about a second on a slow machine, and
/// are above any server default seen (Dovecot and Cyrus 4096, PostgreSQL 4096,
/// Exchange/Google do not offer SCRAM).
const MAX_ITERATIONS: u32 = 1_000_000;

/// The GS2 header without channel binding or authzid, and its base64 (`c=biws`).
const GS2_HEADER: &str = "n,,";

#[cfg(test)]
thread_local! {
    /// The nonce of this thread's next exchanges, so that a scripted server's
    /// challenge (the RFC's test vectors) can continue it.
    pub(crate) static FIXED_NONCE: std::cell::RefCell<Option<String>> =
        const { std::cell::RefCell::new(None) };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
}

/// The exchange after the client's first message.
pub(crate) struct Client {
    hash: Hash,
    password: Zeroizing<String>,
    nonce: String,
    first_bare: String,
}

/// What the server's last message must prove.
pub(crate) struct Verifier {
    hash: Hash,
    server_key: Zeroizing<Vec<u8>>,
    auth_message: String,
}

impl Client {
    /// Start an exchange with a fresh random nonce.
    pub(crate) fn new(hash: Hash, user: &str, password: &str) -> Self {
        #[cfg(test)]
        if let Some(nonce) = FIXED_NONCE.with(|n| n.borrow().clone()) {
            return Client::with_nonce(hash, user, password, &nonce);
        }
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).expect("the OS random source");
        Client::with_nonce(hash, user, password, &B64.encode(bytes))
    }

    /// With a given nonce: the RFC's test vectors.
    pub(crate) fn with_nonce(hash: Hash, user: &str, password: &str, nonce: &str) -> Self {
        Client {
            hash,
            password: Zeroizing::new(prepare(password)),
            nonce: nonce.to_owned(),
            first_bare: format!("n={},r={nonce}", sasl_name(&prepare(user))),
        }
    }

    /// client-first-message (RFC 5802 §7), not yet base64.
    pub(crate) fn first_message(&self) -> String {
        format!("{GS2_HEADER}{}", self.first_bare)
    }

    /// client-final-message for the server-first-message, and what the server's final
    /// message must then hold. An error says what is wrong with the server's message.
    pub(crate) fn answer(self, server_first: &str) -> Result<(String, Verifier), String> {
        let challenge = Challenge::parse(server_first, &self.nonce)?;
        let without_proof = format!("c={},r={}", B64.encode(GS2_HEADER), challenge.nonce);
        let auth_message = format!("{},{server_first},{without_proof}", self.first_bare);
        let salted = self.salted_password(&challenge.salt, challenge.iterations);
        let client_key = Zeroizing::new(hmac(self.hash, &salted, b"Client Key"));
        let stored_key = digest(self.hash, &client_key);
        let signature = hmac(self.hash, &stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&signature)
            .map(|(k, s)| k ^ s)
            .collect();
        let verifier = Verifier {
            hash: self.hash,
            server_key: Zeroizing::new(hmac(self.hash, &salted, b"Server Key")),
            auth_message,
        };
        Ok((format!("{without_proof},p={}", B64.encode(proof)), verifier))
    }

    /// SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2 (RFC 5802 §2.2).
    fn salted_password(&self, salt: &[u8], iterations: u32) -> Zeroizing<Vec<u8>> {
        let password = self.password.as_bytes();
        let mut out = Zeroizing::new(vec![0u8; output_len(self.hash)]);
        match self.hash {
            Hash::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out),
            Hash::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out),
        }
        out
    }
}

impl Verifier {
    /// Check the server-final-message: `v=` with the server's signature, compared in
    /// constant time; `e=` is the server's refusal, in its words.
    pub(crate) fn check(&self, server_final: &str) -> Result<(), String> {
        if let Some(error) = server_final.strip_prefix("e=") {
            let error = crate::model::text::for_terminal(error);
            return Err(format!("the server refused the proof: {error}"));
        }
        let Some(value) = server_final
            .split(',')
            .next()
            .and_then(|a| a.strip_prefix("v="))
        else {
            return Err("the server's final SCRAM message has no signature (v=)".into());
        };
        let signature = B64
            .decode(value)
            .map_err(|_| "the server's SCRAM signature is not base64".to_string())?;
        let ok = match self.hash {
            Hash::Sha1 => verify::<Hmac<Sha1>>(&self.server_key, &self.auth_message, &signature),
            Hash::Sha256 => {
                verify::<Hmac<Sha256>>(&self.server_key, &self.auth_message, &signature)
            }
        };
        if ok {
            Ok(())
        } else {
            Err("the server's SCRAM signature is wrong: it does not know the password".into())
        }
    }
}

/// server-first-message: r=nonce,s=salt,i=count (RFC 5802 §5.1, §7).
struct Challenge {
    nonce: String,
    salt: Vec<u8>,
    iterations: u32,
}

impl Challenge {
    fn parse(text: &str, client_nonce: &str) -> Result<Challenge, String> {
        let bad = |why: &str| format!("the server's SCRAM challenge {why}");
        let mut attributes = text.split(',');
        // §5.1: "m" is reserved for a mandatory extension, which we cannot know.
        if text.starts_with("m=") {
            return Err(bad("asks for an extension posta does not know (m=)"));
        }
        let mut next = |name: &str| {
            attributes
                .next()
                .and_then(|a| a.strip_prefix(name))
                .ok_or_else(|| bad(&format!("has no {name} where RFC 5802 §7 puts it")))
        };
        let nonce = next("r=")?;
        let salt = next("s=")?;
        let iterations = next("i=")?;
        // §5.1: the server's nonce begins with ours; a new part must follow it.
        if !nonce.starts_with(client_nonce) || nonce.len() == client_nonce.len() {
            return Err(bad("does not continue the client's nonce"));
        }
        if !nonce.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            return Err(bad(
                "has a nonce with characters RFC 5802 §7 does not allow",
            ));
        }
        let salt = B64
            .decode(salt)
            .map_err(|_| bad("has a salt that is not base64"))?;
        let iterations: u32 = iterations
            .parse()
            .map_err(|_| bad("has an iteration count that is not a number"))?;
        if iterations < MIN_ITERATIONS {
            return Err(bad(&format!(
                "asks for {iterations} iterations, fewer than the {MIN_ITERATIONS} of RFC 7677 §4"
            )));
        }
        if iterations > MAX_ITERATIONS {
            return Err(bad(&format!(
                "asks for {iterations} iterations; posta stops at {MAX_ITERATIONS}"
            )));
        }
        Ok(Challenge {
            nonce: nonce.to_owned(),
            salt,
            iterations,
        })
    }
}

/// SASLprep (RFC 4013) as RFC 5802 §2.2 asks; a string SASLprep refuses (say, with a
/// control character) is used as it is, as PostgreSQL's libpq does: the server may
/// well have stored it so, and refusing would lock the user out.
fn prepare(text: &str) -> String {
    match stringprep::saslprep(text) {
        Ok(prepared) => prepared.into_owned(),
        Err(_) => text.to_owned(),
    }
}

/// RFC 5802 §5.1: ',' and '=' in a user name are escaped.
fn sasl_name(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

fn output_len(hash: Hash) -> usize {
    match hash {
        Hash::Sha1 => 20,
        Hash::Sha256 => 32,
    }
}

fn hmac(hash: Hash, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
    match hash {
        Hash::Sha1 => run::<Hmac<Sha1>>(key, data),
        Hash::Sha256 => run::<Hmac<Sha256>>(key, data),
    }
}

fn digest(hash: Hash, data: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(match hash {
        Hash::Sha1 => Sha1::digest(data).to_vec(),
        Hash::Sha256 => Sha256::digest(data).to_vec(),
    })
}

/// ServerSignature := HMAC(ServerKey, AuthMessage), compared in constant time.
fn verify<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &str, signature: &[u8]) -> bool {
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(message.as_bytes());
    mac.verify_slice(signature).is_ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256): user "user", password "pencil".
    pub(crate) const VECTORS: [(Hash, &str, &str, &str, &str); 2] = [
        (
            Hash::Sha1,
            "fyko+d2lbbFgONRv9qkxdawL",
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
        ),
        (
            Hash::Sha256,
            "rOprNGfwEbeRWgbNEkqO",
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,\
             i=4096",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
             p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        ),
    ];

    #[test]
    fn the_rfc_test_vectors() {
        for (hash, nonce, server_first, client_final, server_final) in VECTORS {
            let client = Client::with_nonce(hash, "user", "pencil", nonce);
            assert_eq!(client.first_message(), format!("n,,n=user,r={nonce}"));
            let (answer, verifier) = client.answer(server_first).unwrap();
            assert_eq!(answer, client_final, "{hash:?}");
            verifier.check(server_final).unwrap();
        }
    }

    #[test]
    fn a_wrong_or_missing_server_signature_is_refused() {
        let (hash, nonce, server_first, _, server_final) = VECTORS[1];
        let client = Client::with_nonce(hash, "user", "pencil", nonce);
        let (_, verifier) = client.answer(server_first).unwrap();
        let mut forged = server_final.to_owned();
        forged.replace_range(2..4, "AA");
        let err = verifier.check(&forged).unwrap_err();
        assert!(err.contains("does not know the password"), "{err}");
        assert!(verifier.check("").unwrap_err().contains("no signature"));
        assert!(verifier.check("v=!!").unwrap_err().contains("not base64"));
        let err = verifier.check("e=invalid-proof").unwrap_err();
        assert!(err.contains("invalid-proof"), "{err}");
        // The signature of the other password is not this one's.
        let client = Client::with_nonce(hash, "user", "pencil2", nonce);
        let (_, verifier) = client.answer(server_first).unwrap();
        assert!(verifier.check(server_final).is_err());
    }

    #[test]
    fn a_malformed_challenge_is_refused_before_any_proof() {
        let nonce = "abc";
        let cases = [
            ("r=xyzdef,s=QSXCR+Q6sek8bf92,i=4096", "nonce"),
            ("r=abc,s=QSXCR+Q6sek8bf92,i=4096", "nonce"),
            ("r=abcdef,s=***,i=4096", "salt"),
            ("r=abcdef,s=QSXCR+Q6sek8bf92,i=4095", "4095 iterations"),
            ("r=abcdef,s=QSXCR+Q6sek8bf92,i=4000000000", "stops at"),
            ("r=abcdef,s=QSXCR+Q6sek8bf92,i=x", "not a number"),
            ("r=abcdef,i=4096", "no s="),
            ("m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", "extension"),
            ("", "no r="),
        ];
        for (challenge, why) in cases {
            let client = Client::with_nonce(Hash::Sha256, "u", "p", nonce);
            let Err(err) = client.answer(challenge) else {
                panic!("{challenge} was taken");
            };
            assert!(err.contains(why), "{challenge}: {err}");
        }
    }

    #[test]
    fn names_are_escaped_and_passwords_prepared() {
        let client = Client::with_nonce(Hash::Sha256, "a=b,c", "p", "n");
        assert_eq!(client.first_message(), "n,,n=a=3Db=2Cc,r=n");
        // RFC 4013 §3: a non-ASCII space becomes a space; a soft hyphen is removed.
        assert_eq!(prepare("I\u{AD}X\u{A0}y"), "IX y");
        // Prohibited output (a control character) is used as it is.
        assert_eq!(prepare("a\u{7}b"), "a\u{7}b");
    }

    #[test]
    fn fresh_nonces_differ() {
        let a = Client::new(Hash::Sha1, "u", "p");
        let b = Client::new(Hash::Sha1, "u", "p");
        assert_ne!(a.nonce, b.nonce);
        assert!(!a.nonce.contains(','));
    }
}
