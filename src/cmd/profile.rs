//! `posta profile list | show | add | remove | presets`: the config file's profiles.
//! Secrets are never printed: only where they come from. Glue: what a profile is and
//! how the file is edited belong to `config` (`file`, `edit`).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::{Console, Report};
use crate::cli::{GlobalArgs, ProfileAddArgs, ProfileCommand};
use crate::config::edit::{Document, NewProfile, Removed};
use crate::config::file::{self, Profile};
use crate::config::presets::{self, PRESETS};
use crate::config::{ConfigError, LimitSource};
use crate::model::exit_code::{Code, fail};

mod discover;
use discover::{discover, outside_domain, trusted_target};
mod sent_copy;

pub fn run(
    global: &GlobalArgs,
    command: ProfileCommand,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    match command {
        ProfileCommand::List(args) if args.names => names(global),
        ProfileCommand::List(_) => list(global),
        ProfileCommand::Show { name } => show(global, &name),
        ProfileCommand::Add(args) => add(global, args),
        ProfileCommand::Remove { name } => remove(global, &name),
        ProfileCommand::Presets => Ok(list_presets()),
        ProfileCommand::Test { name, connection } => {
            super::probe::test_profile(global, &name, &connection, console)
        }
    }
}

fn config_path(global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    global
        .config
        .clone()
        .or_else(file::default_path)
        .ok_or_else(|| {
            ConfigError::new(
                None,
                "no config directory: set XDG_CONFIG_HOME or use -c PATH",
            )
            .into()
        })
}

/// The profiles' names, one a line: what the shell completions offer after -p and
/// `profile show|remove|test`. No config file: no names, and no error.
fn names(global: &GlobalArgs) -> anyhow::Result<Report> {
    let names: Vec<String> = file::load(global.config.as_deref())?
        .map(|l| l.file.profiles.into_keys().collect())
        .unwrap_or_default();
    Ok(Report {
        human: names.join("\n"),
        json: Some(json!({ "names": names })),
        data: true,
        exit: None,
    })
}

fn list(global: &GlobalArgs) -> anyhow::Result<Report> {
    let Some(loaded) = file::load(global.config.as_deref())? else {
        return Ok(Report {
            human: "no profiles (add one with `posta profile add NAME --email ADDRESS`)".into(),
            json: Some(json!({ "profiles": [] })),
            data: false,
            exit: None,
        });
    };
    let default = loaded.file.default.as_deref();
    let mut human = String::new();
    let mut rows = Vec::new();
    for (name, p) in &loaded.file.profiles {
        let server = server_of(p);
        let mark = if Some(name.as_str()) == default {
            "*"
        } else {
            " "
        };
        let _ = writeln!(
            human,
            "{mark} {name:<16} {server:<32} {}",
            p.from.as_deref().unwrap_or("")
        );
        rows.push(json!({ "name": name, "default": Some(name.as_str()) == default, "server": server, "from": p.from }));
    }
    // Which file: the user's own, or the machine's (`/etc/posta/config.toml`).
    let _ = write!(human, "(from {})", loaded.path.display());
    Ok(Report {
        human: human.trim_end().to_string(),
        json: Some(json!({ "config": loaded.path, "profiles": rows })),
        data: true,
        exit: None,
    })
}

fn show(global: &GlobalArgs, name: &str) -> anyhow::Result<Report> {
    let loaded = file::load(global.config.as_deref())?.ok_or_else(|| {
        ConfigError::new(
            file::default_path(),
            format!("no config file, so no profile \"{name}\""),
        )
    })?;
    let p = loaded.profile(name, "")?;
    let password = password_source(name, p);
    let mut shown = serde_json::to_value(p)?;
    // Never print a secret: replace it by where it comes from.
    let limits = limits_of(name, p);
    if let Some(obj) = shown.as_object_mut() {
        obj.remove("password");
        // Only a secret that is there: a profile without one shows none.
        if obj
            .get("oauth2_client_secret")
            .is_some_and(|v| !v.is_null())
        {
            obj.insert("oauth2_client_secret".into(), json!("(hidden)"));
        }
        obj.retain(|_, v| !v.is_null());
        obj.insert("password_source".into(), json!(password));
        obj.insert("server".into(), json!(server_of(p)));
        if let Some(copy) = sent_copy::describe(&loaded.path, name) {
            obj.insert("sent_copy".into(), json!(copy));
        }
        for (key, value, from, _) in &limits {
            obj.insert((*key).into(), json!(value));
            obj.insert(format!("{key}_from"), json!(from));
        }
        // The pace `posta batch` keeps through this profile, when only the preset sets it.
        let preset = p.preset.as_deref().and_then(presets::find);
        if let (None, Some(per_minute)) = (&p.rate, preset.and_then(|x| x.messages_per_minute)) {
            obj.insert(
                "rate".into(),
                json!(format!(
                    "{per_minute}/m (from preset {})",
                    preset.map_or("?", |x| x.name)
                )),
            );
        }
    }
    let mut human = format!("profile {name} (from {})\n", loaded.path.display());
    if let Some(obj) = shown.as_object() {
        for (k, v) in obj {
            if k.ends_with("_limit_from") {
                continue;
            }
            let v = match limits.iter().find(|l| l.0 == k) {
                Some(l) => l.3.clone(),
                None => v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            };
            let _ = writeln!(human, "  {k:<20} {v}");
        }
    }
    Ok(Report {
        human: human.trim_end().to_string(),
        json: Some(json!({ "name": name, "config": loaded.path, "profile": shown })),
        data: true,
        exit: None,
    })
}

/// The recipient limits in force for `profile show`: key, value (0: none), where it
/// comes from ("profile", "preset"), and the line for people.
fn limits_of(name: &str, p: &Profile) -> Vec<(&'static str, u32, &'static str, String)> {
    let preset = p.preset.as_deref().and_then(presets::find);
    let mut out = Vec::new();
    for (key, own, preset_value, what) in [
        (
            "daily_limit",
            p.daily_limit,
            preset.and_then(|x| x.daily_limit),
            "recipients per 24 hours",
        ),
        (
            "per_message_limit",
            p.per_message_limit,
            preset.and_then(|x| x.per_message_limit),
            "recipients in one message",
        ),
    ] {
        let (value, from, mut line) = match crate::config::limit(own, preset_value) {
            Some((n, LimitSource::Preset)) => (
                n,
                "preset",
                format!(
                    "{n} {what} (from preset {})",
                    preset.map_or("?", |x| x.name)
                ),
            ),
            Some((n, LimitSource::Profile)) => (n, "profile", format!("{n} {what}")),
            None if own == Some(0) => (
                0,
                "profile",
                match preset_value {
                    Some(n) => format!("none (0 overrides the preset's {n})"),
                    None => "none (0)".to_string(),
                },
            ),
            None => continue,
        };
        if key == "daily_limit" && value > 0 {
            let now = crate::queue::now();
            match crate::submit::ledger::Ledger::default_location().map(|l| l.used(name, now)) {
                Some(Ok(used)) => {
                    let _ = write!(line, "; {used} used in the last 24 hours");
                }
                Some(Err(e)) => {
                    let _ = write!(line, "; usage unknown: {e}");
                }
                None => {}
            }
        }
        out.push((key, value, from, line));
    }
    out
}

fn password_source(name: &str, p: &Profile) -> String {
    use crate::model::AuthMechanism::{OauthBearer, Xoauth2};
    let password_named = p.keyring == Some(true)
        || p.password_command.is_some()
        || p.password_env.is_some()
        || p.password_file.is_some()
        || p.password.is_some();
    if let Some(c) = &p.oauth_token_command {
        format!("OAuth2 token command: {c}")
    } else if p.oauth2_client_id.is_some()
        && (matches!(p.auth, Some(Xoauth2 | OauthBearer)) || !password_named)
    {
        format!("OAuth 2.0 login (`posta auth login {name}`, `posta auth status {name}`)")
    } else if p.keyring == Some(true) {
        format!(
            "OS keyring (service \"{}\", user \"{name}\")",
            crate::config::keyring::SERVICE
        )
    } else if let Some(c) = &p.password_command {
        format!("command: {c}")
    } else if let Some(v) = &p.password_env {
        format!("environment: ${v}")
    } else if let Some(f) = &p.password_file {
        format!("file: {}", f.display())
    } else if p.password.is_some() {
        "in the config file (hidden)".into()
    } else {
        "prompt (or POSTA_PASSWORD)".into()
    }
}

fn server_of(p: &Profile) -> String {
    let preset = p.preset.as_deref().and_then(presets::find);
    let host = p.host.as_deref().or(preset.map(|x| x.host)).unwrap_or("?");
    let port = p.port.or(preset.map(|x| x.port));
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Whether `name` can be a profile's name: it is a TOML key, the usage ledger's file
/// name and the keyring's user, and `-p a,b` splits on commas.
fn check_profile_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        return Ok(());
    }
    Err(fail(
        Code::Usage,
        format!(
            "{name:?} cannot be a profile name: use letters, digits, '-', '_' and '.' \
             (at most 64, not starting with '.' or '-'), e.g. work or gmail-2"
        ),
    ))
}

fn add(global: &GlobalArgs, args: ProfileAddArgs) -> anyhow::Result<Report> {
    check_profile_name(&args.name)?;
    let path = config_path(global)?;
    let mut doc = Document::for_adding(&path)?;

    let preset = match (&args.preset, &args.email) {
        // A flag's value: a usage error (64), not the config file's.
        (Some(name), _) => Some(presets::find(name).ok_or_else(|| {
            fail(
                Code::Usage,
                format!(
                    "--preset {name}: no such preset; valid presets: {}",
                    presets::names()
                ),
            )
        })?),
        (None, Some(email)) => presets::for_address(email),
        (None, None) => None,
    };
    // A custom domain whose mail Google Workspace or Microsoft 365 hosts: that preset
    // (its server and OAuth endpoints serve every hosted domain), found by MX.
    let mut dns_failed = None;
    let hosted = match (&preset, &args.connection.server, &args.email) {
        (None, None, Some(email)) => crate::config::account::bare_address(email)
            .rsplit_once('@')
            .and_then(|(_, domain)| {
                crate::dns::mx::hosted_by(domain).unwrap_or_else(|e| {
                    dns_failed = Some(e);
                    None
                })
            }),
        _ => None,
    };
    let preset = preset.or_else(|| hosted.as_ref().and_then(|(h, _)| presets::find(h.preset())));
    let conn = &args.connection;
    // No preset and no server given: ask DNS (RFC 6186) before asking the user.
    let discovered = match (&preset, &conn.server, &args.email) {
        (None, None, Some(email)) => Some(discover(email, args.yes, dns_failed)?),
        (None, None, None) => {
            return Err(fail(
                Code::Usage,
                "give --email ADDRESS (the preset or server is found from its domain), \
                 --preset NAME, or --server HOST[:PORT]",
            ));
        }
        _ => None,
    };
    let from = args.from.clone().or_else(|| args.email.clone());
    // Another profile with the same from: a message with that From goes through the
    // default (or needs -p), never silently through this one.
    let same_from = from
        .as_deref()
        .map(|f| doc.profiles_with_from(f))
        .unwrap_or_default();
    let new = NewProfile {
        preset: preset.map(|p| p.name.to_string()),
        from: from.clone(),
        host: (conn.server.as_ref().map(|s| s.host().to_string()))
            .or_else(|| discovered.as_ref().map(|d| d.host.clone())),
        port: (conn.port)
            .or(conn.server.as_ref().and_then(|s| s.port()))
            .or(discovered.as_ref().map(|d| d.port)),
        security: conn.security.or(discovered.as_ref().map(|d| d.security)),
        user: conn.user.clone(),
        password_command: conn.password_command.clone(),
        oauth_token_command: conn.oauth_token_command.clone(),
        oauth2_client_id: args.oauth2_client_id.clone(),
        ca_file: conn.ca_file.clone(),
        tls_cert: conn.tls_cert.clone(),
        tls_key: conn.tls_key.clone(),
        auth: conn.auth,
        tls_fingerprint: conn.tls_fingerprint.iter().map(|f| f.to_string()).collect(),
        timeout: conn.timeout,
        ehlo: conn.ehlo.clone(),
        allow_insecure_auth: conn.allow_insecure_auth,
        insecure: conn.insecure,
        protocol: conn.protocol,
        proxy: conn.proxy.as_ref().map(|p| p.to_string()),
    };
    let first = doc.add_profile(&args.name, &new)?;
    doc.save()?;

    let mut human = format!("added profile {} to {}", args.name, path.display());
    if from.is_none() {
        let _ = write!(
            human,
            "\n  warning: no from address (give --from ADDRESS or --email ADDRESS): \
             `posta send` needs --from each time until the profile has `from = \"…\"`"
        );
    }
    if !same_from.is_empty() {
        let _ = write!(
            human,
            "\n  warning: profile{} {} {} the same from; a message from that address goes \
             through the default profile unless -p NAME picks one",
            if same_from.len() == 1 { "" } else { "s" },
            same_from.join(", "),
            if same_from.len() == 1 { "has" } else { "have" },
        );
    }
    let mut warnings = Vec::new();
    if let Some(d) = &discovered {
        let _ = write!(
            human,
            "\n  server: {}:{} ({}), found in DNS at {}",
            d.host,
            d.port,
            d.security.name(),
            d.record
        );
        if !trusted_target(d) {
            warnings.push(outside_domain(d));
        }
    }
    for w in &warnings {
        let _ = write!(human, "\n  warning: {w} (accepted with --yes)");
    }
    if let Some((host, mx)) = &hosted {
        let _ = write!(
            human,
            "\n  the domain's mail is at {} (MX {mx})",
            host.title()
        );
    }
    if let Some(p) = preset {
        let _ = write!(human, "\n  preset: {} ({}:{})", p.title, p.host, p.port);
        if p.oauth2.is_some() && args.oauth2_client_id.is_some() {
            let _ = write!(human, "\n  OAuth 2.0: run `posta auth login {}`", args.name);
        } else if p.oauth2.is_some() {
            let _ = write!(
                human,
                "\n  OAuth 2.0: add oauth2_client_id = \"…\" (your app registration; README, \
                 \"OAuth 2.0\") to [profiles.{}], then run `posta auth login {}`",
                args.name, args.name
            );
        }
        let _ = write!(human, "\n  {}", p.note);
        if let Some(page) = p.app_password_page {
            let _ = write!(human, "\n  app password: {page}");
        }
    }
    if conn.password_command.is_none()
        && conn.oauth_token_command.is_none()
        && args.oauth2_client_id.is_none()
    {
        let _ = write!(
            human,
            "\n  password: add keyring = true to the profile and store it with `posta password set {}`, \
             or add password_command or password_env, or set POSTA_PASSWORD; otherwise posta asks",
            args.name
        );
    }
    Ok(Report {
        human,
        json: Some(json!({
            "added": args.name,
            "config": path,
            "preset": preset.map(|p| p.name),
            "mx": hosted.as_ref().map(|(h, mx)| json!({"provider": h.title(), "host": mx})),
            "default": first,
            "from": from,
            "same_from": same_from,
            "discovered": discovered.as_ref().map(|d| json!({
                "host": d.host,
                "port": d.port,
                "security": d.security.name(),
                "record": d.record,
            })),
            "warnings": warnings,
        })),
        data: false,
        exit: None,
    })
}

fn remove(global: &GlobalArgs, name: &str) -> anyhow::Result<Report> {
    let path = config_path(global)?;
    let mut doc = Document::existing(&path)?;
    let Removed {
        was_default,
        used_keyring,
    } = doc.remove_profile(name)?;
    doc.save()?;
    let mut human = format!("removed profile {name} from {}", path.display());
    if was_default {
        let _ = write!(
            human,
            "\n  it was the default, so there is no default profile now: add a line \
             default = \"NAME\" at the top of {} (or give -p NAME)",
            path.display()
        );
    }
    // A profile that read its password from the keyring takes it along: a secret
    // nobody will use again should not stay behind. Others leave the keyring alone
    // (no D-Bus round trip for a profile that never used it).
    let keyring = if used_keyring {
        match crate::config::keyring::delete(name) {
            Ok(true) => {
                human.push_str("\n  and deleted its password from the OS keyring");
                json!("deleted")
            }
            Ok(false) => json!("none stored"),
            Err(e) => {
                human.push_str(&format!(
                    "\n  its password stays in the OS keyring ({e}); `posta password delete {name}` removes it"
                ));
                json!("kept")
            }
        }
    } else {
        json!(null)
    };
    Ok(Report {
        human,
        json: Some(json!({
            "removed": name,
            "config": path,
            "keyring_password": keyring,
            "default_removed": was_default,
        })),
        data: false,
        exit: None,
    })
}

fn list_presets() -> Report {
    let mut human = String::new();
    for p in PRESETS {
        let sec = serde_json::to_value(p.security)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(
            human,
            "{:<14} {:<28} {:<9} {}",
            p.name,
            format!("{}:{}", p.host, p.port),
            sec,
            p.domains.join(", ")
        );
    }
    Report {
        human: human.trim_end().to_string(),
        json: Some(json!({ "presets": PRESETS })),
        data: true,
        exit: None,
    }
}
