//! `posta auth login | status | logout PROFILE`: the built-in OAuth 2.0 login of a
//! profile (its `oauth2_*` keys, or its preset's endpoints). What the user must do
//! while a login waits (open a URL, type a code) goes to the console's stderr.

use serde_json::json;

use super::{Console, Report};
use crate::cli::{AuthCommand, GlobalArgs};
use crate::config::{self, Request};
use crate::model::exit_code::{Code, fail};
use crate::oauth::http::{Http, host_of};
use crate::oauth::{Client, device, login, token};

pub fn run(
    global: &GlobalArgs,
    command: AuthCommand,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    match command {
        AuthCommand::Login {
            profile,
            device,
            no_browser,
        } => {
            let (client, used) = client(global, &profile)?;
            let mut report = log_in(&client, device, no_browser, console)?;
            if !used {
                report.human.push_str(&format!(
                    "\n  warning: profile {profile} does not send with it yet: its auth or a \
                     password source comes first; set auth = \"xoauth2\" (or \"oauthbearer\")"
                ));
            }
            Ok(report)
        }
        AuthCommand::Status { profile } => status(&client(global, &profile)?.0),
        AuthCommand::Logout { profile } => log_out(&client(global, &profile)?.0),
    }
}

/// The profile's OAuth client (and whether sending uses it), or an error saying which
/// keys make one.
fn client(global: &GlobalArgs, profile: &str) -> anyhow::Result<(Client, bool)> {
    let account = config::resolve(&Request {
        config_path: global.config.clone(),
        profile: Some(profile.to_string()),
        ..Request::default()
    })?;
    let used = account.uses_oauth_login();
    let client = account.oauth.ok_or_else(|| {
        fail(
            Code::Config,
            format!(
                "profile {profile} has no oauth2_client_id: register posta as an application \
                 at the provider (README, \"OAuth 2.0\") and add oauth2_client_id = \"…\" to \
                 [profiles.{profile}]"
            ),
        )
    })?;
    Ok((client, used))
}

fn log_in(
    client: &Client,
    use_device: bool,
    no_browser: bool,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let http = Http::new(client.timeout);
    let err = &mut *console.err;
    let tokens = if use_device {
        device::device_flow(client, &http, &mut |prompt| {
            let _ = match &prompt.verification_uri_complete {
                Some(complete) => writeln!(
                    err,
                    "To log in, open {complete}\n  (or {} and type the code {}); waiting up to {} minutes …",
                    prompt.verification_uri,
                    prompt.user_code,
                    prompt.expires_in.div_ceil(60)
                ),
                None => writeln!(
                    err,
                    "To log in, open {} and type the code {}; waiting up to {} minutes …",
                    prompt.verification_uri,
                    prompt.user_code,
                    prompt.expires_in.div_ceil(60)
                ),
            };
        })?
    } else {
        let browser = (!no_browser).then(browser_command).flatten();
        let mut show = |url: &str| {
            let _ = writeln!(
                err,
                "Open this URL to log in (waiting up to {} minutes):\n{url}",
                login::WAIT.as_secs() / 60
            );
        };
        let mut open = |url: &str| {
            if let Some(program) = &browser {
                // The browser's own output is not posta's; it must not hold the terminal.
                let _ = std::process::Command::new(program)
                    .arg(url)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
            }
        };
        login::code_flow(client, &http, login::WAIT, &mut show, &mut open)?
    };
    {
        let _lock = client.store.lock()?;
        client.store.save(&tokens)?;
    }
    let human = format!(
        "logged in: profile {} has an OAuth login (scopes: {}); kept in {}{}",
        client.profile,
        display_scope(&tokens.scope),
        client.store.describe(),
        if tokens.refresh.is_none() {
            "\n  the provider gave no refresh token: the login lasts only as long as the access token"
        } else {
            ""
        }
    );
    Ok(Report {
        human,
        json: Some(json!({
            "profile": client.profile,
            "logged_in": true,
            "scopes": tokens.scope.split_whitespace().collect::<Vec<_>>(),
            "refresh_token": tokens.refresh.is_some(),
            "store": client.store.describe(),
        })),
        data: false,
        exit: None,
    })
}

/// The program that opens a URL: $BROWSER, else xdg-open (macOS: open); none without
/// a display to show it on (an SSH session): the URL printed is all there is then.
fn browser_command() -> Option<String> {
    if let Some(b) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        return Some(b.to_string_lossy().into_owned());
    }
    if cfg!(target_os = "macos") {
        return Some("open".into());
    }
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    display.then(|| "xdg-open".to_string())
}

fn status(client: &Client) -> anyhow::Result<Report> {
    let Some(tokens) = client.store.load()? else {
        return Ok(Report {
            human: format!(
                "profile {}: not logged in (nothing in {}); run `{}`",
                client.profile,
                client.store.describe(),
                client.login_command()
            ),
            json: Some(
                json!({"profile": client.profile, "logged_in": false, "store": client.store.describe()}),
            ),
            data: false,
            exit: Some(Code::NoPerm),
        });
    };
    let now = token::now();
    let access = match (tokens.fresh_access(now), tokens.expires_at) {
        (Some(_), Some(at)) => format!("cached, valid for {} more seconds", at - now),
        _ => "none cached (the next send refreshes it)".to_string(),
    };
    let human = format!(
        "profile {}: logged in at {}\n  scopes: {}\n  access token: {access}\n  refresh token: {}\n  kept in {}",
        client.profile,
        host_of(&tokens.token_url),
        display_scope(&tokens.scope),
        if tokens.refresh.is_some() {
            "stored"
        } else {
            "none"
        },
        client.store.describe()
    );
    Ok(Report {
        human,
        json: Some(json!({
            "profile": client.profile,
            "logged_in": true,
            "token_endpoint": tokens.token_url,
            "scopes": tokens.scope.split_whitespace().collect::<Vec<_>>(),
            "access_token_expires_at": tokens.expires_at,
            "access_token_cached": tokens.fresh_access(now).is_some(),
            "refresh_token": tokens.refresh.is_some(),
            "store": client.store.describe(),
        })),
        data: true,
        exit: None,
    })
}

fn log_out(client: &Client) -> anyhow::Result<Report> {
    let _lock = client.store.lock()?;
    let Some(tokens) = client.store.load()? else {
        return Err(fail(
            Code::Config,
            format!(
                "profile {} is not logged in (nothing in {})",
                client.profile,
                client.store.describe()
            ),
        ));
    };
    // Forgotten whatever the provider says: a login the user wants gone must not stay
    // because the provider is down; the warning says it may still be valid there.
    let revoked = token::revoke(&Http::new(client.timeout), client, &tokens);
    client.store.delete()?;
    let (said, json_revoked) = match &revoked {
        Ok(true) => (
            "revoked at the provider and forgotten".to_string(),
            json!(true),
        ),
        Ok(false) => (
            "forgotten (the provider offers no revocation: remove posta's access in the \
             account's security settings to end it there too)"
                .to_string(),
            json!(false),
        ),
        Err(e) => (
            format!("forgotten, but not revoked at the provider ({e})"),
            json!(false),
        ),
    };
    Ok(Report {
        human: format!("profile {}: the OAuth login was {said}", client.profile),
        json: Some(json!({"profile": client.profile, "revoked": json_revoked, "forgotten": true})),
        data: false,
        exit: None,
    })
}

fn display_scope(scope: &str) -> String {
    crate::model::text::for_terminal(scope).into_owned()
}
