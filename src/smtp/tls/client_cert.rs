//! The client certificate (`--tls-cert`, `--tls-key`): read and checked before the
//! connection is opened, the same way for both backends, so a missing file or a key
//! posta cannot use is a setting to fix (exit 66 or 78), not a failed handshake.

use std::io::Read;
use std::path::Path;

use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use super::super::ClientCert;
use super::super::error::SmtpErrorKind;

/// A certificate chain and its key are a few KiB; this bounds what a wrong path (a
/// log file, a disk image) can make posta read.
const MAX_FILE: u64 = 1 << 20;

/// A client certificate read from its PEM files.
pub(crate) struct Identity {
    /// The chain, leaf first (DER), as rustls takes it. native-tls builds parse it
    /// and the key too, so that both builds refuse the same files with the same words.
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    pub(crate) chain: Vec<CertificateDer<'static>>,
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    pub(crate) key: PrivateKeyDer<'static>,
    /// The chain as PEM, as native-tls takes it.
    #[cfg_attr(feature = "rustls", allow(dead_code))]
    pub(crate) chain_pem: Vec<u8>,
    /// The key as PEM; wiped when dropped.
    #[cfg_attr(feature = "rustls", allow(dead_code))]
    pub(crate) key_pem: Zeroizing<Vec<u8>>,
}

pub(crate) fn load(files: &ClientCert) -> Result<Identity, SmtpErrorKind> {
    let chain_pem = read(&files.cert)?;
    let chain = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&files.cert, format!("it is not valid PEM ({e})")))?;
    if chain.is_empty() {
        return Err(invalid(
            &files.cert,
            "it holds no certificate (a PEM \"-----BEGIN CERTIFICATE-----\" block)".into(),
        ));
    }
    let mut key_pem = Zeroizing::new(read(&files.key)?);
    if is_encrypted(&key_pem) {
        key_pem = decrypt(files, &key_pem)?;
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
        invalid(
            &files.key,
            "it holds no private key (a PEM \"-----BEGIN PRIVATE KEY-----\", \"RSA PRIVATE \
             KEY\" or \"EC PRIVATE KEY\" block)"
                .into(),
        )
    })?;
    Ok(Identity {
        chain,
        key,
        chain_pem,
        key_pem,
    })
}

/// An encrypted PKCS#8 key (RFC 5958 §3, PBES2 of RFC 8018) with its passphrase, as a
/// plain PKCS#8 PEM; OpenSSL's older encrypted RSA/EC form is refused with the command
/// that converts it.
fn decrypt(files: &ClientCert, key_pem: &[u8]) -> Result<Zeroizing<Vec<u8>>, SmtpErrorKind> {
    use pkcs8::der::pem::{self, LineEnding};
    let Some(passphrase) = &files.passphrase else {
        return Err(invalid(
            &files.key,
            "the key is encrypted: give its passphrase with tls_key_password_command, \
             tls_key_password_env or tls_key_password_file in the profile (or \
             POSTA_TLS_KEY_PASSWORD), or write the key out without one into a file only \
             you can read (`openssl pkey -in KEY -out KEY.plain; chmod 600 KEY.plain`)"
                .into(),
        ));
    };
    let text = std::str::from_utf8(key_pem).unwrap_or("");
    let block = text
        .find("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        .map(|start| &text[start..]);
    let Some(Ok((_, der))) = block.map(|b| pem::decode_vec(b.as_bytes())) else {
        return Err(invalid(
            &files.key,
            "the key is in OpenSSL's old encrypted form, which posta does not read: \
             convert it to PKCS#8 (`openssl pkcs8 -topk8 -in KEY -out KEY.p8`, which \
             asks for the passphrase and a new one) and give that to --tls-key"
                .into(),
        ));
    };
    let der = Zeroizing::new(der);
    let decrypted = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice())
        .and_then(|info| info.decrypt(passphrase.expose().as_bytes()))
        .map_err(|_| {
            invalid(
                &files.key,
                "the passphrase does not decrypt the key (or its cipher is not one posta \
                 knows: PBES2 with AES)"
                    .into(),
            )
        })?;
    let pem = pem::encode_string("PRIVATE KEY", LineEnding::LF, decrypted.as_bytes())
        .map_err(|e| invalid(&files.key, format!("the decrypted key: {e}")))?;
    Ok(Zeroizing::new(pem.into_bytes()))
}

/// PKCS#8 "ENCRYPTED PRIVATE KEY", or OpenSSL's traditional encrypted PEM
/// ("Proc-Type: 4,ENCRYPTED" in the headers of an RSA/EC key).
fn is_encrypted(pem: &[u8]) -> bool {
    let text = String::from_utf8_lossy(pem);
    text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
}

fn read(path: &Path) -> Result<Vec<u8>, SmtpErrorKind> {
    let unreadable = |error| SmtpErrorKind::ClientCertUnreadable {
        path: path.to_owned(),
        error,
    };
    let file = crate::regular_file::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.len() > MAX_FILE {
        return Err(invalid(
            path,
            format!("it is larger than {} MiB", MAX_FILE >> 20),
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}

fn invalid(path: &Path, why: String) -> SmtpErrorKind {
    SmtpErrorKind::ClientCertInvalid {
        path: path.to_owned(),
        why,
    }
}

/// Whether the PEM key is PKCS#8 ("PRIVATE KEY"), the only form native-tls takes.
#[cfg_attr(feature = "rustls", allow(dead_code))]
pub(crate) fn is_pkcs8(key_pem: &[u8]) -> bool {
    matches!(
        rustls_pki_types::pem::from_buf(&mut &key_pem[..]),
        Ok(Some((SectionKind::PrivateKey, _)))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, cert: &str, key: &str) -> ClientCert {
        std::fs::write(dir.join("c.pem"), cert).unwrap();
        std::fs::write(dir.join("k.pem"), key).unwrap();
        ClientCert {
            cert: dir.join("c.pem"),
            key: dir.join("k.pem"),
            passphrase: None,
        }
    }

    /// A throw-away P-256 key: `openssl genpkey -algorithm EC -pkeyopt
    /// ec_paramgen_curve:P-256 | openssl pkcs8 -topk8 -v2 aes-256-cbc -passout
    /// pass:posta-test`.
    const ENCRYPTED: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgLXOidg+foAQICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEOZSQbGM7U//xLS2VXGCrcMEgZAX
tSTQP3UwrcXnFQQspbOf8sbgdxRVrEIorjYq9leo9A3ByS8s2pxUmTJSchUx320O
7vo47zh7FestJNcG7EAv4Rr9y6MUBBrhLUv5G5vtLqVt4vqsgvZCBzqb3mOcyDna
tctmfLZkrRymJlmOuqEMfuMMdaqRIc2CM+XL+wQEH/ANz7EzGFWctQJbNvDB0mg=
-----END ENCRYPTED PRIVATE KEY-----
";

    #[test]
    fn an_encrypted_key_is_decrypted_with_its_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let mut with = files(dir.path(), &cert.pem(), ENCRYPTED);
        with.passphrase = Some(crate::secret::Secret::new("posta-test"));
        let id = load(&with).unwrap();
        assert!(is_pkcs8(&id.key_pem));
        assert!(matches!(id.key, PrivateKeyDer::Pkcs8(_)));
        with.passphrase = Some(crate::secret::Secret::new("wrong"));
        let err = load(&with).err().unwrap();
        assert!(
            err_text(&err).contains("passphrase does not decrypt"),
            "{err:?}"
        );
        let traditional = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                           DEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
        let mut old = files(dir.path(), &cert.pem(), traditional);
        old.passphrase = Some(crate::secret::Secret::new("posta-test"));
        let err = load(&old).err().unwrap();
        assert!(err_text(&err).contains("openssl pkcs8 -topk8"), "{err:?}");
    }

    #[test]
    fn a_pem_chain_and_key_load_and_what_cannot_be_used_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let good = files(dir.path(), &cert.pem(), &key.serialize_pem());
        let id = load(&good).unwrap();
        assert_eq!(id.chain.len(), 1);
        assert!(is_pkcs8(&id.key_pem));

        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let err = load(&files(dir.path(), &cert.pem(), encrypted))
            .err()
            .unwrap();
        assert!(err_text(&err).contains("the key is encrypted"), "{err:?}");
        let traditional = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
        let err = load(&files(dir.path(), &cert.pem(), traditional))
            .err()
            .unwrap();
        assert!(err_text(&err).contains("the key is encrypted"), "{err:?}");

        let err = load(&files(dir.path(), &cert.pem(), &cert.pem()))
            .err()
            .unwrap();
        assert!(err_text(&err).contains("holds no private key"), "{err:?}");
        let err = load(&files(dir.path(), "", &key.serialize_pem()))
            .err()
            .unwrap();
        assert!(err_text(&err).contains("holds no certificate"), "{err:?}");
        let missing = ClientCert {
            cert: dir.path().join("nope.pem"),
            key: dir.path().join("k.pem"),
            passphrase: None,
        };
        assert!(matches!(
            load(&missing).err().unwrap(),
            SmtpErrorKind::ClientCertUnreadable { .. }
        ));
    }

    fn err_text(kind: &SmtpErrorKind) -> String {
        match kind {
            SmtpErrorKind::ClientCertInvalid { why, .. } => why.clone(),
            other => format!("{other:?}"),
        }
    }
}
