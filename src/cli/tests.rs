//! The clap definition checked as a whole, and what a command line parses into.

use super::*;
use clap::CommandFactory;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("posta").chain(args.iter().copied()))
}

#[test]
fn definition_is_consistent() {
    Cli::command().debug_assert();
    super::command().debug_assert();
}

#[test]
fn send_collects_repeated_and_positional_recipients() {
    let cli = parse(&[
        "send",
        "--to",
        "a@x.org",
        "--to",
        "b@x.org,c@x.org",
        "d@x.org",
        "-s",
        "Hi",
    ])
    .unwrap();
    let Command::Send(send) = cli.command else {
        panic!("not send")
    };
    assert_eq!(send.to, ["a@x.org", "b@x.org,c@x.org"]);
    assert_eq!(send.recipients, ["d@x.org"]);
    assert_eq!(send.subject.as_deref(), Some("Hi"));
}

#[test]
fn body_and_body_file_conflict() {
    let err = parse(&["send", "--body", "x", "--body-file", "y", "a@x.org"]).unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
}

#[test]
fn global_options_after_the_subcommand() {
    let cli = parse(&["send", "-vv", "--json", "-p", "work", "a@x.org"]).unwrap();
    assert_eq!(cli.global.verbose, 2);
    assert!(cli.global.json);
    assert_eq!(cli.global.profile.as_deref(), Some("work"));
}

#[test]
fn account_is_an_alias_of_profile() {
    let cli = parse(&["--account", "home", "profile", "list"]).unwrap();
    assert_eq!(cli.global.profile.as_deref(), Some("home"));
}

#[test]
fn sendmail_takes_its_own_flags_verbatim() {
    let cli = parse(&["sendmail", "-t", "-oi", "-f", "a@x.org", "--", "b@x.org"]).unwrap();
    let Command::Sendmail(s) = cli.command else {
        panic!("not sendmail")
    };
    assert_eq!(s.args, ["-t", "-oi", "-f", "a@x.org", "--", "b@x.org"]);
}

#[test]
fn bad_connection_values_are_usage_errors_naming_the_flag() {
    for (flag, value) in [
        ("--tls-fingerprint", "zz"),
        ("--timeout", "0"),
        ("--timeout", "soon"),
        ("--server", "127.0.0.1:99999"),
        ("--server", "h:0"),
        ("--server", ""),
        ("--port", "0"),
    ] {
        let err = parse(&["send", flag, value, "a@x.org"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(err.to_string().contains(flag), "{flag} {value}: {err}");
    }
    let hex = "ab:".repeat(31) + "ab";
    let cli = parse(&["send", "--tls-fingerprint", &hex, "--timeout", "5"]).unwrap();
    let Command::Send(send) = cli.command else {
        panic!("not send")
    };
    let pinned = &send.connection.tls_fingerprint[0];
    assert_eq!(
        (pinned.digest(), pinned.as_str()),
        ([0xab; 32], hex.as_str())
    );
    assert_eq!(send.connection.timeout, Some(5));
    // Repeatable: every pin is kept, in order.
    let spki = format!("spki:{}", "A".repeat(43) + "=");
    let cli = parse(&[
        "send",
        "--tls-fingerprint",
        &hex,
        "--tls-fingerprint",
        &spki,
    ])
    .unwrap();
    let Command::Send(send) = cli.command else {
        panic!("not send")
    };
    let pins: Vec<&str> = send
        .connection
        .tls_fingerprint
        .iter()
        .map(|p| p.as_str())
        .collect();
    assert_eq!(pins, [hex.as_str(), spki.as_str()]);
}

#[test]
fn connection_flags_become_overrides_and_globals_a_request() {
    let cli = parse(&[
        "-c",
        "/c.toml",
        "-p",
        "w",
        "send",
        "--server",
        "h:2525",
        "--security",
        "tls",
        "--auth",
        "oauthbearer",
        "--user",
        "u",
        "--password-command",
        "pw",
        "--ca-file",
        "ca.pem",
        "--timeout",
        "9",
        "--ehlo",
        "me",
        "--insecure",
        "a@x.org",
    ])
    .unwrap();
    let Command::Send(send) = cli.command else {
        panic!("not send")
    };
    let r = cli.global.request(&send.connection, Some("Jo <jo@x.org>"));
    assert_eq!(
        r.config_path.as_deref(),
        Some(std::path::Path::new("/c.toml"))
    );
    assert_eq!(r.profile.as_deref(), Some("w"));
    assert_eq!(r.from_hint.as_deref(), Some("Jo <jo@x.org>"));
    let o = r.overrides;
    assert_eq!(
        o.server.as_ref().map(|s| (s.host(), s.port())),
        Some(("h", Some(2525)))
    );
    assert_eq!(
        (o.security, o.auth),
        (Some(Security::Tls), Some(AuthMechanism::OauthBearer))
    );
    assert_eq!(
        (o.user.as_deref(), o.password_command.as_deref()),
        (Some("u"), Some("pw"))
    );
    assert_eq!(o.ca_file.as_deref(), Some(std::path::Path::new("ca.pem")));
    assert_eq!((o.timeout, o.ehlo.as_deref()), (Some(9), Some("me")));
    assert!(o.insecure && !o.allow_insecure_auth);
    assert_eq!(o.oauth_token_command, None);
}

#[test]
fn security_value_is_checked() {
    assert!(parse(&["send", "--security", "tsl", "a@x.org"]).is_err());
    assert!(parse(&["send", "--security", "tls", "a@x.org"]).is_ok());
}

#[test]
fn long_help_shows_global_options_under_their_own_heading() {
    let mut cmd = super::command();
    cmd.build(); // copies the global options into the subcommands, as parsing does
    let send = cmd
        .find_subcommand_mut("send")
        .unwrap()
        .render_long_help()
        .to_string();
    let heading = send.find("\nGlobal options:\n").expect(&send);
    assert!(send.find("--cc").unwrap() < heading, "{send}");
    assert!(send.find("--bcc").unwrap() < heading, "{send}");
    assert!(send.find("--verbose").unwrap() > heading, "{send}");
    assert!(send.find("--profile").unwrap() > heading, "{send}");
    // Only batch takes a list of profiles, and only its help says so.
    assert!(!send.contains("a,b,c"), "{send}");
    let batch = cmd
        .find_subcommand_mut("batch")
        .unwrap()
        .render_long_help()
        .to_string();
    assert!(batch.contains("a list a,b,c of profiles"), "{batch}");
}

#[test]
fn profile_name_arguments_are_described() {
    let mut cmd = super::command();
    for path in [
        ["profile", "show"],
        ["profile", "remove"],
        ["profile", "test"],
        ["profile", "add"],
        ["password", "set"],
    ] {
        let sub = cmd
            .find_subcommand_mut(path[0])
            .unwrap()
            .find_subcommand_mut(path[1])
            .unwrap();
        let positional = sub.get_positionals().next().unwrap();
        assert!(positional.get_help().is_some(), "{path:?}");
        assert_eq!(
            positional.get_value_names().unwrap()[0].as_str(),
            "PROFILE",
            "{path:?}"
        );
    }
}

#[test]
fn batch_takes_its_list_of_profiles_into_the_global_options() {
    use clap::FromArgMatches;
    let parse = |args: &[&str]| {
        let m = super::command()
            .try_get_matches_from(std::iter::once("posta").chain(args.iter().copied()))
            .unwrap();
        Cli::from_arg_matches(&m).unwrap()
    };
    for args in [
        &["batch", "-p", "a,b", "outbox"][..],
        &["-p", "a,b", "batch", "outbox"][..],
    ] {
        assert_eq!(
            parse(args).global.profile.as_deref(),
            Some("a,b"),
            "{args:?}"
        );
    }
    assert_eq!(
        parse(&["send", "--profile", "w", "x@y.org"])
            .global
            .profile
            .as_deref(),
        Some("w")
    );
}
