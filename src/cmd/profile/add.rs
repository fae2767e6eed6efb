//! `posta profile add`: a new profile from a preset, from the address's provider (its
//! MX), from SRV discovery, or from the flags given; every connection option given is
//! saved, and what was chosen is said.

use std::fmt::Write as _;

use serde_json::json;

use super::config_path;
use super::discover::{discover, outside_domain, trusted_target};
use crate::cli::{GlobalArgs, ProfileAddArgs};
use crate::cmd::Report;
use crate::config::edit::{Document, NewProfile};
use crate::config::presets;
use crate::model::exit_code::{Code, fail};

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

pub(super) fn add(global: &GlobalArgs, args: ProfileAddArgs) -> anyhow::Result<Report> {
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
