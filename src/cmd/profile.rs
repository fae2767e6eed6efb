//! `posta profile list | show | add | remove | presets`: the config file's profiles.
//! Secrets are never printed: only where they come from. Glue: what a profile is and
//! how the file is edited belong to `config` (`file`, `edit`). `add` is in
//! `profile/add.rs`.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::{Console, Report};
use crate::cli::{GlobalArgs, ProfileCommand};
use crate::config::edit::{Document, Removed};
use crate::config::file::{self, Profile};
use crate::config::presets::{self, PRESETS};
use crate::config::{ConfigError, LimitSource};

mod add;
mod discover;
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
        ProfileCommand::Add(args) => add::add(global, args),
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
