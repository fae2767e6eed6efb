//! The server side of SCRAM-SHA-256 (RFC 5802 §3, RFC 7677) for the scripted server:
//! a challenge that continues the client's nonce, the check of its proof, and the
//! server's signature — the right one, or a forged one (a server that does not know
//! the password, or one that is not the server the password is for).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const SALT: &[u8] = b"scripted-salt-16";
const ITERATIONS: u32 = 4096;

/// One exchange after the client's first message.
pub struct Exchange {
    first_bare: String,
    server_first: String,
    user: String,
}

/// The client's first message (base64) → the exchange and the challenge to send.
pub fn challenge(client_first_b64: &str) -> Option<(Exchange, String)> {
    let first = String::from_utf8(B64.decode(client_first_b64.trim()).ok()?).ok()?;
    let bare = first.strip_prefix("n,,")?;
    let mut user = None;
    let mut nonce = None;
    for attribute in bare.split(',') {
        if let Some(u) = attribute.strip_prefix("n=") {
            user = Some(u.replace("=2C", ",").replace("=3D", "="));
        } else if let Some(r) = attribute.strip_prefix("r=") {
            nonce = Some(r.to_owned());
        }
    }
    let server_first = format!(
        "r={}scripted-server-nonce,s={},i={ITERATIONS}",
        nonce?,
        B64.encode(SALT)
    );
    let exchange = Exchange {
        first_bare: bare.to_owned(),
        server_first: server_first.clone(),
        user: user?,
    };
    Some((exchange, B64.encode(server_first)))
}

impl Exchange {
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The client's final message (base64) → the server's final message (base64)
    /// when the proof is right for `password`; `forge` changes the signature.
    pub fn verify(&self, client_final_b64: &str, password: &str, forge: bool) -> Option<String> {
        let text = String::from_utf8(B64.decode(client_final_b64.trim()).ok()?).ok()?;
        let (without_proof, proof) = text.rsplit_once(",p=")?;
        let proof = B64.decode(proof).ok()?;
        let auth_message = format!("{},{},{without_proof}", self.first_bare, self.server_first);
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), SALT, ITERATIONS, &mut salted);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = Sha256::digest(&client_key);
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let recovered: Vec<u8> = proof.iter().zip(&signature).map(|(p, s)| p ^ s).collect();
        if Sha256::digest(&recovered) != stored_key {
            return None;
        }
        let mut server_signature = hmac(&hmac(&salted, b"Server Key"), auth_message.as_bytes());
        if forge {
            server_signature[0] ^= 1;
        }
        Some(B64.encode(format!("v={}", B64.encode(server_signature))))
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}
