//! How an account's connection is protected and routed: TLS (CA file, pins, the
//! client certificate and its key's passphrase) and the SOCKS5 proxy with its password's
//! source. The same [`Layers`] and precedence as the rest (`layers.rs`).

use std::path::Path;

use super::layers::Layers;
use crate::config::ConfigError;
use crate::config::secret_source::SecretSource;
use crate::model::{Fingerprint, ProxyAddr};
use crate::smtp::{ClientCert, Proxy, TlsSettings};

impl Layers<'_> {
    /// How the server's certificate is checked: the CA file, the pinned fingerprint
    /// (a flag's is parsed already; the profile's is parsed here and blamed on it).
    pub(super) fn tls(&self) -> Result<TlsSettings, ConfigError> {
        let (o, profile) = (self.overrides, self.profile);
        let pins = match (&o.tls_fingerprint, &profile.tls_fingerprint) {
            (Some(pins), _) => pins.iter().cloned().collect(),
            (None, Some(texts)) => texts
                .items()
                .iter()
                .map(|text| {
                    text.parse::<Fingerprint>().map_err(|why| {
                        self.profile_error(format!("tls_fingerprint \"{text}\": {why}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            (None, None) => Vec::new(),
        };
        Ok(TlsSettings {
            // A flag's relative path stays relative to where posta runs, as any argument.
            ca_file: o
                .ca_file
                .clone()
                .or_else(|| self.in_config_dir(profile.ca_file.as_deref())),
            pins,
            client_cert: self.client_cert()?,
            insecure: o.insecure || profile.insecure == Some(true),
        })
    }

    /// The client certificate: a flag's pair, else the profile's (whose paths are
    /// relative to the config file's folder); both files or neither.
    fn client_cert(&self) -> Result<Option<ClientCert>, ConfigError> {
        let (o, profile) = (self.overrides, self.profile);
        if let (Some(cert), Some(key)) = (&o.tls_cert, &o.tls_key) {
            return Ok(Some(ClientCert {
                cert: cert.clone(),
                key: key.clone(),
                passphrase: None,
            }));
        }
        let cert = self.in_config_dir(profile.tls_cert.as_deref());
        let key = self.in_config_dir(profile.tls_key.as_deref());
        match (cert, key) {
            (Some(cert), Some(key)) => Ok(Some(ClientCert {
                cert,
                key,
                passphrase: None,
            })),
            (None, None) => Ok(None),
            (Some(_), None) => Err(self.profile_error(
                "tls_cert needs tls_key, the file with the certificate's private key",
            )),
            (None, Some(_)) => {
                Err(self
                    .profile_error("tls_key needs tls_cert, the file with the client certificate"))
            }
        }
    }

    /// The SOCKS5 proxy (a flag's, else the profile's), without its password, and
    /// where that password comes from: POSTA_PROXY_PASSWORD, then the profile's
    /// command, variable and file; a prompt when there is a user and none of them.
    pub(super) fn proxy(&self, host: &str) -> Result<Option<(Proxy, SecretSource)>, ConfigError> {
        let (o, profile) = (self.overrides, self.profile);
        let addr = match (&o.proxy, &profile.proxy) {
            (Some(addr), _) => addr.clone(),
            // Its words only, never the text: it may hold a password by mistake.
            (None, Some(text)) => (text.parse::<ProxyAddr>())
                .map_err(|why| self.profile_error(format!("proxy: {why}")))?,
            (None, None) => return Ok(None),
        };
        if crate::model::unix_socket_path(host).is_some() {
            return Err(ConfigError::new(
                self.path.map(Path::to_path_buf),
                format!(
                    "{host} is a Unix socket on this machine: it is not reached through a proxy ({addr})"
                ),
            ));
        }
        let source = if std::env::var_os("POSTA_PROXY_PASSWORD").is_some_and(|v| !v.is_empty()) {
            SecretSource::Env("POSTA_PROXY_PASSWORD".into())
        } else if let Some(cmd) = &profile.proxy_password_command {
            SecretSource::Command(cmd.clone())
        } else if let Some(var) = &profile.proxy_password_env {
            SecretSource::Env(var.clone())
        } else if let Some(path) = self.in_config_dir(profile.proxy_password_file.as_deref()) {
            SecretSource::File(path)
        } else {
            SecretSource::Prompt
        };
        let proxy = Proxy {
            host: addr.host().to_string(),
            port: addr.port(),
            remote_dns: addr.remote_dns(),
            user: addr.user().map(str::to_string),
            password: None,
        };
        Ok(Some((proxy, source)))
    }

    /// Where an encrypted client key's passphrase comes from: POSTA_TLS_KEY_PASSWORD,
    /// then the profile's command, variable and file; `None` without any (an
    /// encrypted key is then refused, saying so).
    pub(super) fn tls_key_secret(&self) -> Option<SecretSource> {
        let profile = self.profile;
        if std::env::var_os("POSTA_TLS_KEY_PASSWORD").is_some_and(|v| !v.is_empty()) {
            Some(SecretSource::Env("POSTA_TLS_KEY_PASSWORD".into()))
        } else if let Some(cmd) = &profile.tls_key_password_command {
            Some(SecretSource::Command(cmd.clone()))
        } else if let Some(var) = &profile.tls_key_password_env {
            Some(SecretSource::Env(var.clone()))
        } else {
            self.in_config_dir(profile.tls_key_password_file.as_deref())
                .map(SecretSource::File)
        }
    }
}
