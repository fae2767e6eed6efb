//! sendmail mode's flag parsing and global options, checked without a server.

use super::*;

#[test]
fn f_takes_the_null_sender_and_angle_brackets() {
    assert_eq!(
        p(&["-f", "<>", "a@x.org"])
            .unwrap()
            .envelope_from
            .as_deref(),
        Some("")
    );
    assert_eq!(
        p(&["-f<>", "a@x.org"]).unwrap().envelope_from.as_deref(),
        Some("")
    );
    assert_eq!(
        p(&["-r", "<b@x.org>", "a@x.org"])
            .unwrap()
            .envelope_from
            .as_deref(),
        Some("b@x.org")
    );
}

fn after_globals(args: &[&str]) -> Option<Vec<String>> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args_after_global_options(&args)
}

#[test]
fn global_options_before_sendmail_become_its_own_spellings() {
    assert_eq!(
        after_globals(&["-c", "a.toml", "-pwork", "-vv", "--json", "sendmail", "-t"]).unwrap(),
        [
            "--config",
            "a.toml",
            "--profile",
            "work",
            "-v",
            "-v",
            "--json",
            "-t"
        ]
    );
    assert_eq!(
        after_globals(&["--account=x", "--config=b", "-q", "sendmail", "-V", "id"]).unwrap(),
        ["--profile", "x", "--config", "b", "--quiet", "-V", "id"]
    );
    // Later ones win: the profile after `sendmail` is parsed last.
    let args = after_globals(&["-p", "a", "sendmail", "-p", "b"]).unwrap();
    assert_eq!(
        p(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .unwrap()
            .profile
            .as_deref(),
        Some("b")
    );
    assert_eq!(after_globals(&["sendmail", "bob"]).unwrap(), ["bob"]);
    // Not sendmail, or asking for help: clap's business.
    assert_eq!(after_globals(&["send", "sendmail"]), None);
    assert_eq!(after_globals(&["-p", "a", "sendmail", "--help"]), None);
    assert_eq!(after_globals(&["sendmail", "-h"]), None);
    assert_eq!(after_globals(&["-p"]), None);
    assert_eq!(after_globals(&[]), None);
}

fn p(args: &[&str]) -> anyhow::Result<SendmailFlags> {
    parse_flags(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

#[test]
fn common_invocations() {
    let f = p(&["-t", "-oi", "-f", "cron@x.org", "-FCron Daemon"]).unwrap();
    assert!(f.extract_recipients);
    assert_eq!(f.envelope_from.as_deref(), Some("cron@x.org"));
    assert_eq!(f.full_name.as_deref(), Some("Cron Daemon"));
    let f = p(&["-ti", "-fme@x.org", "--", "-odd@x.org", "b@x.org"]).unwrap();
    assert!(f.extract_recipients);
    assert_eq!(f.envelope_from.as_deref(), Some("me@x.org"));
    assert_eq!(f.recipients, ["-odd@x.org", "b@x.org"]);
}

#[test]
fn legacy_flags_are_ignored() {
    let f = p(&[
        "-oem",
        "-odi",
        "-bm",
        "-i",
        "-O",
        "DeliveryMode=b",
        "-em",
        "a@x.org",
    ])
    .unwrap();
    assert_eq!(f.recipients, ["a@x.org"]);
}

#[test]
fn queue_policy_flag() {
    let f = p(&["--queue", "never", "a@x.org"]).unwrap();
    assert_eq!(f.queue, Some(QueuePolicy::Never));
    assert_eq!(f.recipients, ["a@x.org"]);
    let f = p(&["--queue=on-temporary-failure", "-t"]).unwrap();
    assert_eq!(f.queue, Some(QueuePolicy::OnTemporaryFailure));
    assert!(p(&["--queue", "always"]).is_err());
    assert!(p(&["--queue"]).is_err());
    assert_eq!(p(&["a@x.org"]).unwrap().queue, None);
}

#[test]
fn dsn_flags() {
    let f = p(&[
        "-N",
        "success,failure",
        "-R",
        "HDRS",
        "-V",
        "env1",
        "a@x.org",
    ])
    .unwrap();
    assert_eq!(f.dsn_notify.as_deref(), Some("SUCCESS,FAILURE"));
    assert_eq!(f.dsn_return.as_deref(), Some("HDRS"));
    assert_eq!(f.envid.as_deref(), Some("env1"));
    assert!(p(&["-R", "all"]).is_err());
    let err = p(&["-N", "never,success"]).unwrap_err();
    assert_eq!(crate::report::code_of(&err), Code::Usage);
}

#[test]
fn queue_and_daemon_modes_are_refused_with_64() {
    for args in [&["-bs"][..], &["-bp"], &["-q"], &["-q30m"], &["-bd"]] {
        let err = p(args).unwrap_err();
        assert_eq!(crate::report::code_of(&err), Code::Usage, "{args:?}");
        assert!(err.to_string().contains("not supported"), "{err}");
    }
}

#[test]
fn posta_options_and_verbosity() {
    let f = p(&["-p", "home", "-pESMTP", "a@x.org"]).unwrap();
    assert_eq!(f.profile.as_deref(), Some("home"));
    assert_eq!(f.recipients, ["a@x.org"]);
    let f = p(&["-v", "-v", "--profile", "work", "--json", "a@x.org"]).unwrap();
    assert_eq!((f.verbose, f.json), (2, true));
    assert_eq!(f.profile.as_deref(), Some("work"));
    assert!(p(&["-f"]).is_err());
    assert!(p(&["--bogus"]).is_err());
    let f = p(&[
        "--server",
        "127.0.0.1:2525",
        "--insecure",
        "--timeout=5",
        "a@x.org",
    ])
    .unwrap();
    assert_eq!(
        f.connection.server.as_ref().map(|s| s.as_str()),
        Some("127.0.0.1:2525")
    );
    assert!(f.connection.insecure);
    assert_eq!(f.connection.timeout, Some(5));
}
