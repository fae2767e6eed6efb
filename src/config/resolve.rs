//! Choosing the profile (named, matching the message's From, the default) and merging
//! Overrides > env > profile > preset > defaults into one [`Account`]. Each concern
//! (server, TLS, secret, login, timeouts, limits) is one function in [`layers`];
//! `build` only puts their answers together.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::file::{self, Loaded, Profile};
use super::{Account, ConfigError, Overrides, Request};
use crate::message::address::bare_address;
use crate::smtp::Settings;
use layers::{Layers, Server};

/// RFC 5321 §4.5.3.2.6 asks clients to wait 10 minutes for the reply to the end of data.
const DATA_TIMEOUT: Duration = Duration::from_secs(600);

/// Resolve the account for a command: the profile named, else the one whose `from`
/// matches `from_hint`, else the default, with the overrides on top.
pub fn resolve(request: &Request) -> Result<Account, ConfigError> {
    let (loaded, (name, profile, why)) = load_and_choose(request)?;
    let mut account = build(loaded.as_ref(), name, profile, &request.overrides)?;
    account.chosen = why;
    Ok(account)
}

/// The config `request` names, and the profile it picks.
fn load_and_choose(request: &Request) -> Result<(Option<Loaded>, Chosen), ConfigError> {
    let loaded = file::load(request.config_path.as_deref())?;
    let chosen = choose_profile(
        loaded.as_ref(),
        request.profile.as_deref(),
        request.from_hint.as_deref(),
    )?;
    Ok((loaded, chosen))
}

/// Resolve the account for a command that can do without one (`send --dry-run`):
/// `None` when no profile is named, matches `from` or is the default, and no --server
/// is given; otherwise what [`resolve`] gives, errors included.
pub fn resolve_if_any(request: &Request) -> Result<Option<Account>, ConfigError> {
    let (loaded, (name, profile, why)) = load_and_choose(request)?;
    if name.is_none() && request.overrides.server.is_none() {
        return Ok(None);
    }
    let mut account = build(loaded.as_ref(), name, profile, &request.overrides)?;
    account.chosen = why;
    Ok(Some(account))
}

/// Resolve the account a queued message was submitted with: exactly the profile named
/// (its settings as they are now), or — with none — no profile at all, never the
/// config's default (which may have appeared since).
pub fn resolve_recorded(
    config: Option<&Path>,
    profile: Option<&str>,
    overrides: &Overrides,
) -> Result<Account, ConfigError> {
    let loaded = file::load(config)?;
    let (name, profile) = match profile {
        Some(n) => {
            let (name, profile, _) = choose_profile(loaded.as_ref(), Some(n), None)?;
            (name, profile)
        }
        None => (None, Profile::default()),
    };
    build(loaded.as_ref(), name, profile, overrides)
}

/// A profile's name, the profile, and why it was chosen (for `-v`).
type Chosen = (Option<String>, Profile, Option<String>);

/// What the connection values a queued message recorded (`overrides`, the flags given
/// at submission, or whatever a planted entry says) would weaken in `account` compared
/// with its profile as it is now: another server, no TLS, a certificate not checked, a
/// CA file or pin of its own, login without TLS. `None` when nothing is weaker, or the
/// entry names no profile (then its flags are all it has, as they were at submission).
pub fn weakened_by_recorded(
    config: Option<&Path>,
    profile: Option<&str>,
    overrides: &Overrides,
    account: &Account,
) -> Option<String> {
    let name = profile?;
    let o = overrides;
    let touches_connection = o.server.is_some()
        || o.port.is_some()
        || o.security.is_some()
        || o.ca_file.is_some()
        || o.tls_fingerprint.is_some()
        || o.tls_cert.is_some()
        || o.insecure
        || o.allow_insecure_auth;
    if !touches_connection {
        return None;
    }
    let base = match resolve_recorded(config, Some(name), &Overrides::default()) {
        Ok(base) => base.settings,
        Err(e) => {
            return Some(format!(
                "it names its own server or TLS settings, and profile {name} cannot be \
                 read without them to compare ({e}); not sent"
            ));
        }
    };
    let a = &account.settings;
    let mut weaker = Vec::new();
    if !a.host.eq_ignore_ascii_case(&base.host) {
        weaker.push(format!(
            "server {} in place of the profile's {}",
            a.host, base.host
        ));
    }
    if a.security == crate::model::Security::Plain && base.security != a.security {
        weaker.push(format!(
            "no TLS (security plain) where the profile uses {}",
            base.security.name()
        ));
    }
    if a.tls.insecure && !base.tls.insecure {
        weaker.push("certificates not checked (--insecure)".to_string());
    }
    if a.allow_insecure_auth && !base.allow_insecure_auth {
        weaker.push("login without TLS (--allow-insecure-auth)".to_string());
    }
    if a.tls.ca_file != base.tls.ca_file {
        weaker.push(match &a.tls.ca_file {
            Some(f) => format!("its own CA file {}", f.display()),
            None => "the system's CAs in place of the profile's CA file".to_string(),
        });
    }
    if !a.tls.pins.is_empty() && a.tls.pins != base.tls.pins {
        weaker.push("its own certificate pin (--tls-fingerprint)".to_string());
    }
    if weaker.is_empty() {
        return None;
    }
    Some(format!(
        "it was queued with {} beyond what profile {name} allows now (the flags given at \
         submission, or a planted entry); not sent: put them in the profile if you mean \
         them and flush again, or drop the entry",
        weaker.join(", ")
    ))
}

/// Pick the profile: named (-p / POSTA_PROFILE), else the one whose From matches,
/// else the file's default, else none (flags only); with it, why it was chosen, which
/// says so when several profiles have the From and the default won.
fn choose_profile(
    loaded: Option<&Loaded>,
    named: Option<&str>,
    from: Option<&str>,
) -> Result<Chosen, ConfigError> {
    let Some(loaded) = loaded else {
        return match named {
            Some(n) => Err(ConfigError::new(
                file::default_path(),
                format!(
                    "profile \"{n}\" not found: there is no config file (add one with `posta profile add {n} --email ADDRESS`)"
                ),
            )),
            None => Ok((None, Profile::default(), None)),
        };
    };
    let profiles = &loaded.file.profiles;
    if let Some(n) = named {
        let p = loaded.profile(n, "profile")?;
        return Ok((
            Some(n.to_string()),
            p.clone(),
            Some(format!("profile {n} (named with -p or POSTA_PROFILE)")),
        ));
    }
    let mut shared = None;
    if let Some(from) = from {
        let want = bare_address(from).to_ascii_lowercase();
        let matching: Vec<&String> = profiles
            .iter()
            .filter(|(_, p)| {
                p.from
                    .as_deref()
                    .map(|f| bare_address(f).to_ascii_lowercase())
                    == Some(want.clone())
            })
            .map(|(n, _)| n)
            .collect();
        if let [n] = matching[..] {
            return Ok((
                Some(n.clone()),
                profiles[n].clone(),
                Some(format!("profile {n} (its from is {want})")),
            ));
        }
        if matching.len() > 1 {
            let names: Vec<&str> = matching.iter().map(|n| n.as_str()).collect();
            shared = Some(format!(
                "profiles {} all have the from {want}, so none was chosen by it; \
                 give -p NAME to pick one",
                names.join(", ")
            ));
        }
    }
    if let Some(n) = &loaded.file.default {
        let p = loaded.profile(n, "default")?;
        let why = match &shared {
            Some(s) => format!("profile {n}, the default: {s}"),
            None => format!("profile {n}, the default"),
        };
        return Ok((Some(n.clone()), p.clone(), Some(why)));
    }
    Ok((
        None,
        Profile::default(),
        shared.map(|s| format!("no profile: {s}")),
    ))
}

fn build(
    loaded: Option<&Loaded>,
    name: Option<String>,
    profile: Profile,
    overrides: &Overrides,
) -> Result<Account, ConfigError> {
    let path = loaded.map(|l| l.path.clone());
    let preset = layers::preset(&profile, name.as_deref(), path.as_deref())?;
    let layers = Layers {
        overrides,
        profile: &profile,
        name: name.as_deref(),
        preset,
        path: path.as_deref(),
    };
    let Server {
        host,
        port,
        security,
    } = layers.server()?;
    let tls = layers.tls()?;
    let (proxy, proxy_secret) = layers.proxy(&host)?.unzip();
    let tls_key_secret = tls.client_cert.as_ref().and(layers.tls_key_secret());
    let timeout = layers.timeout()?;
    let oauth = layers.oauth(timeout)?;
    let secret = layers.secret_source(oauth.as_ref());
    let mechanism = layers.auth(secret.as_ref())?;
    let rate = layers.rate()?;
    let command_timeout = layers.command_timeout()?;
    let (daily_limit, per_message_limit) = layers.limits();
    let save_sent = layers.save_sent()?;
    let settings = Settings {
        host,
        port,
        security,
        protocol: (overrides.protocol)
            .or(profile.protocol)
            .unwrap_or_default(),
        proxy,
        tls,
        helo_name: layers.helo_name(),
        timeout,
        data_timeout: DATA_TIMEOUT.max(timeout),
        credentials: None,
        mechanism,
        allow_insecure_auth: overrides.allow_insecure_auth
            || profile.allow_insecure_auth == Some(true),
        chunking: profile.chunking != Some(false),
    };
    Ok(Account {
        user: overrides.user.clone().or_else(|| profile.user.clone()),
        log_file: layers.in_config_dir(profile.log_file.as_deref()),
        aliases: layers.in_config_dir(profile.aliases.as_deref()),
        envelope_from: profile.envelope_from.unwrap_or_default(),
        from_header: profile.from_header.unwrap_or_default(),
        queue: profile.queue,
        queue_dir: loaded.and_then(|l| in_config_dir(l.file.queue_dir.as_deref()?, Some(&l.path))),
        from: profile.from.clone(),
        profile: name,
        preset,
        config_path: path,
        settings,
        daily_limit,
        per_message_limit,
        rate,
        command_timeout,
        save_sent,
        secret,
        proxy_secret,
        tls_key_secret,
        oauth,
        chosen: None,
    })
}

/// Where a limit in force was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    Profile,
    Preset,
}

/// A limit in force: the profile's value, else the preset's; a profile's 0 means
/// "no limit" and hides the preset's.
pub fn limit(profile: Option<u32>, preset: Option<u32>) -> Option<(u32, LimitSource)> {
    match profile {
        Some(0) => None,
        Some(n) => Some((n, LimitSource::Profile)),
        None => preset.map(|n| (n, LimitSource::Preset)),
    }
}

/// A path written in the config file: "~/x" is under the home directory, and a relative
/// path is relative to the file's own directory, not to wherever posta happens to run
/// (cron runs it in the home directory, a script anywhere).
fn in_config_dir(path: &Path, config: Option<&Path>) -> Option<PathBuf> {
    let path = expand_home(path);
    Some(match config.and_then(Path::parent) {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path,
    })
}

/// "~/x" → "$HOME/x": a log path is often written that way, and no shell expands it.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

mod layers;
mod oauth;
#[cfg(test)]
mod reach_tests;
#[cfg(test)]
mod tests;
mod transport;
