//! `posta probe` and `posta profile test`: what a server offers, and whether the
//! account can log in — without sending a message.

use std::fmt::Write as _;

use super::{Console, Report};
use crate::cli::{ConnectionArgs, GlobalArgs};
use crate::config;
use crate::model::exit_code::fail;
use crate::report;
use crate::smtp::{self, ProbeError, ProbeReport, SmtpError, SmtpErrorKind, Transcript};

/// `posta probe`: greeting, capabilities, TLS and certificate. Sends no credentials.
pub fn probe(
    global: &GlobalArgs,
    conn: &ConnectionArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let mut account = config::resolve(&global.request(conn, None))?;
    // No credentials for the server; the proxy's own login, if it has one.
    account.load_proxy_password()?;
    account.load_tls_key_password()?;
    let settings = &account.settings;
    let warnings = warnings(conn, settings);
    for warning in &warnings {
        writeln!(console.err, "posta: warning: {warning}")?;
    }
    let result = {
        let mut transcript = Transcript {
            out: &mut *console.err,
            level: global.verbose,
        };
        smtp::probe(settings, (global.verbose > 0).then_some(&mut transcript))
    };
    let (err, offered) = match result {
        Ok(report) => return Ok(render(&report, None, settings, None, &warnings)),
        Err(ProbeError { error, offered }) => (error, offered),
    };
    // STARTTLS required and not offered: what the server offers in clear is still
    // worth showing, with the failure (a send with this security would be refused).
    if let Some(report) = offered {
        let shown = render(&report, None, settings, None, &warnings);
        // In the transport's own words "nothing was sent", which is no news here.
        let failure = fail(
            err.exit_code(),
            format!(
                "{}: the server does not offer STARTTLS, so posta will not send through it \
                 with --security {} (use --security tls for port 465, or --security plain \
                 to send in clear)",
                err.stage,
                settings.security.name()
            ),
        );
        return shown_with_failure(shown, failure, Some(&err), global, console);
    }
    // A certificate that does not verify is what people probe for: look again without
    // checking, show what the server presents (its fingerprint can be pinned), and
    // still fail with the verification error.
    if matches!(err.kind, SmtpErrorKind::Tls(_)) && !settings.tls.insecure {
        let mut unchecked = settings.clone();
        unchecked.tls.insecure = true;
        if let Ok(report) = smtp::probe(&unchecked, None) {
            let why = format!("NO: {err}");
            let shown = render(&report, None, settings, Some(&why), &warnings);
            return shown_with_failure(shown, err.into(), None, global, console);
        }
    }
    Err(err.into())
}

/// What the server showed, then the failure: for people the report on stdout (and
/// `main` prints the error), for `--json` one object with both. `transport` is the
/// transport's error when `err` says it in other words (for `stage` and `transient`).
fn shown_with_failure(
    shown: Report,
    err: anyhow::Error,
    transport: Option<&SmtpError>,
    global: &GlobalArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    if !global.json {
        writeln!(console.out, "{}", shown.human)?;
        return Err(err);
    }
    let mut object = shown.json.unwrap_or_default();
    if let Some(failure) = super::failure_json(&err).as_object() {
        for (k, v) in failure {
            object[k] = v.clone();
        }
    }
    if let Some(e) = transport {
        object["stage"] = serde_json::json!(e.stage);
        object["transient"] = serde_json::json!(e.is_transient());
    }
    Ok(Report {
        human: String::new(),
        json: Some(object),
        data: false,
        exit: Some(report::code_of(&err)),
    })
}

/// What to know before reading the report: the certificate is not checked, and
/// login options were given to a command that never logs in.
fn warnings(conn: &ConnectionArgs, settings: &smtp::Settings) -> Vec<String> {
    let mut warnings = Vec::new();
    if settings.tls.insecure {
        warnings.push(
            "--insecure: the server certificate is not checked; anyone on the path can \
             answer in the server's place"
                .to_string(),
        );
    }
    let login_options: Vec<&str> = [
        ("--user", conn.user.is_some()),
        ("--auth", conn.auth.is_some()),
        ("--password-command", conn.password_command.is_some()),
        ("--oauth-token-command", conn.oauth_token_command.is_some()),
        ("--allow-insecure-auth", conn.allow_insecure_auth),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    if let Some((last, rest)) = login_options.split_last() {
        let (named, verb) = if rest.is_empty() {
            (last.to_string(), "is")
        } else {
            (format!("{} and {last}", rest.join(", ")), "are")
        };
        warnings.push(format!(
            "probe does not log in, so {named} {verb} not used (AUTH shows the mechanisms \
             the server offers; `posta profile test NAME` logs in)"
        ));
    }
    warnings
}

/// `posta profile test NAME`: connect and authenticate as the profile would.
pub fn test_profile(
    global: &GlobalArgs,
    name: &str,
    conn: &ConnectionArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let request = config::Request {
        profile: Some(name.to_string()),
        ..global.request(conn, None)
    };
    let mut account = config::resolve(&request)?;
    let from = account.from.as_deref().map(config::account::bare_address);
    account.load_credentials(from.as_deref())?;
    let mut transcript = Transcript {
        out: &mut *console.err,
        level: global.verbose,
    };
    let report = smtp::check_login(
        &account.settings,
        (global.verbose > 0).then_some(&mut transcript),
    )?;
    let login = account
        .settings
        .credentials
        .as_ref()
        .map(|c| format!("logged in as {}", c.user))
        .unwrap_or_else(|| "no login configured".into());
    let mut out = render(&report, Some(login), &account.settings, None, &[]);
    // The copy in Sent: the IMAP login and the folder, as a send would find them. Not
    // possible is said, not failed: a send would go out all the same.
    if let Some(copy) = crate::submit::sent_copy::check(&account) {
        let (line, value) = match copy {
            Ok(to) => (
                format!("sent copy   {to}"),
                serde_json::json!({ "ok": true, "to": to }),
            ),
            Err(why) => (
                format!("sent copy   not possible: {why}"),
                serde_json::json!({ "ok": false, "error": why }),
            ),
        };
        out.human = format!("{}\n{line}", out.human.trim_end());
        if let Some(json) = &mut out.json {
            json["sent_copy"] = value;
        }
    }
    Ok(out)
}

/// `failed_verification` is the reason when the certificate did not verify;
/// `warnings` go in the JSON object (the caller has printed them).
fn render(
    report: &ProbeReport,
    login: Option<String>,
    settings: &smtp::Settings,
    failed_verification: Option<&str>,
    warnings: &[String],
) -> Report {
    let caps = &report.capabilities;
    let mut h = String::new();
    let _ = writeln!(h, "server      {}", report.server);
    let _ = writeln!(h, "greeting    {}", report.greeting);
    if settings.security == smtp::Security::StartTls && report.security == "plain" {
        let _ = writeln!(
            h,
            "security    plain: STARTTLS not offered (--security starttls needs it)"
        );
    } else {
        let _ = writeln!(h, "security    {}", report.security);
    }
    if let Some(login) = &login {
        let _ = writeln!(h, "login       {login}");
    }
    let size = match caps.size {
        Some(0) => "offered, no fixed limit".to_string(),
        Some(n) => format!("{n} bytes"),
        None => "not offered".to_string(),
    };
    let _ = writeln!(h, "SIZE        {size}");
    let auth = if caps.auth.is_empty() {
        "none offered".to_string()
    } else {
        caps.auth.join(" ")
    };
    let _ = writeln!(h, "AUTH        {auth}");
    let yes = |b: bool| if b { "yes" } else { "no" };
    let _ = writeln!(
        h,
        "extensions  PIPELINING {} · 8BITMIME {} · SMTPUTF8 {} · DSN {} · CHUNKING {} · STARTTLS {} · ENHANCEDSTATUSCODES {}",
        yes(caps.pipelining),
        yes(caps.eight_bit_mime),
        yes(caps.smtputf8),
        yes(caps.dsn),
        yes(caps.chunking),
        // After the upgrade the server no longer lists STARTTLS; say that it was used.
        if report.security.starts_with("starttls") {
            "used"
        } else {
            yes(caps.starttls)
        },
        yes(caps.enhanced_status_codes)
    );
    let verification = if let Some(why) = failed_verification {
        why
    } else if settings.tls.insecure {
        "NO: --insecure skipped the checks"
    } else if !settings.tls.pins.is_empty() {
        "pinned: a --tls-fingerprint matches"
    } else if settings.tls.ca_file.is_some() {
        "yes, against --ca-file, for this host name"
    } else {
        "yes, against the system's roots, for this host name"
    };
    if let Some(cert) = &report.certificate {
        let _ = writeln!(h, "certificate {}", cert.subject);
        let _ = writeln!(h, "  issuer    {}", cert.issuer);
        let _ = writeln!(h, "  valid     {} to {}", cert.not_before, cert.not_after);
        let _ = writeln!(h, "  names     {}", cert.names.join(", "));
        let _ = writeln!(h, "  sha256    {}", cert.sha256);
        if let Some(spki) = &cert.spki {
            let _ = writeln!(h, "  spki      {spki}");
        }
        let _ = writeln!(h, "  verified  {verification}");
        // Whether --tls-cert would be asked for: the server's CertificateRequest.
        let asked = match report.client_certificate_requested {
            Some(true) => "yes: the server asked for a client certificate (--tls-cert)",
            Some(false) => "no: the server did not ask for a client certificate",
            None => "unknown (the native-tls build cannot tell)",
        };
        let _ = writeln!(h, "  client    {asked}");
        if failed_verification.is_some() {
            let _ = writeln!(
                h,
                "  checked   the chain to a trusted CA, the dates and the host name, as \
                 above; anyone on the network path can present a certificate like this\n  \
                 to pin    compare the sha256 above with the one the server's administrator \
                 gives you by another channel; only if they match, --tls-fingerprint \
                 sha256:{} (a pin trusts that one certificate and skips these checks){}",
                cert.sha256,
                cert.spki
                    .as_ref()
                    .map(|spki| format!(
                        ", or --tls-fingerprint {spki} to trust its public key (a renewal \
                         that keeps the key keeps the pin)"
                    ))
                    .unwrap_or_default()
            );
        }
    }
    let mut json = serde_json::to_value(report).unwrap_or_default();
    if report.certificate.is_some() {
        json["certificate"]["verified"] =
            serde_json::json!(failed_verification.is_none() && !settings.tls.insecure);
        json["certificate"]["verification"] = serde_json::json!(verification);
    }
    if let Some(login) = login {
        json["login"] = serde_json::json!(login);
    }
    json["warnings"] = serde_json::json!(warnings);
    json["status"] = serde_json::json!("ok");
    Report {
        human: h.trim_end().to_string(),
        json: Some(json),
        data: true,
        exit: None,
    }
}
