//! After the login: the access token refreshed when it expires (the refresh token
//! rotated and stored), a revoked grant (77, queued in sendmail mode), two processes
//! refreshing at once, and sendmail mode with no terminal (cron).

use std::process::Stdio;

use super::*;

#[test]
fn an_expired_access_token_is_refreshed_silently_and_the_refresh_token_rotated() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("s", "posta-short", ALICE, ""));
    ok(&login_with_browser(home.path(), "s", ALICE));
    let (access, refresh) = (
        stored_text(home.path(), "s", "access"),
        stored_text(home.path(), "s", "refresh"),
    );
    // posta-short's access tokens live 2 s: this one has expired.
    std::thread::sleep(Duration::from_secs(3));
    let subject = token("oauth-refresh");
    ok(&send_as(home.path(), "s", &subject, &[]));
    wait_for_message(BOB, &subject);
    assert_ne!(stored_text(home.path(), "s", "access"), access);
    assert_ne!(
        stored_text(home.path(), "s", "refresh"),
        refresh,
        "the server rotates refresh tokens: the new one must be stored"
    );
}

/// The grant revoked at the server behind posta's back: the cached access token is
/// refused, the refresh that follows fails for good: 77 with the login to run; in
/// sendmail mode the message is queued instead.
#[test]
fn a_revoked_grant_is_77_with_the_login_to_run_and_queued_in_sendmail_mode() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("r", "posta", ALICE, ""));
    ok(&login_with_browser(home.path(), "r", ALICE));
    let refresh = stored_text(home.path(), "r", "refresh");
    let revoke = Command::new("node")
        .args([
            "-e",
            "fetch(process.argv[1], {method: 'POST', body: new URLSearchParams({client_id: 'posta', token: process.argv[2]})}).then(r => process.exit(r.status === 200 ? 0 : 1))",
            &format!("{}/token/revocation", issuer()),
            &refresh,
        ])
        .status()
        .unwrap();
    assert!(revoke.success());

    let subject = token("oauth-revoked");
    let out = send_as(home.path(), "r", &subject, &[]);
    assert_eq!(out.status.code(), Some(77), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("posta auth login r"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains(&refresh));

    let message = format!("From: {ALICE}\nTo: {BOB}\nSubject: {subject}-sendmail\n\nhi\n");
    let mut cmd = posta(home.path());
    cmd.args(["-p", "r", "sendmail", "-t"]);
    let out = run_with_input(cmd, message.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let list = posta(home.path()).args(["queue", "list"]).output().unwrap();
    assert!(
        text(&list.stdout).contains(&format!("{subject}-sendmail"))
            || text(&list.stdout).contains(BOB),
        "{}",
        text(&list.stdout)
    );
}

/// Two posta processes whose cached token has expired refresh at once: the server
/// takes a rotated refresh token once (a reuse revokes the grant), so without the
/// lock one of them would fail and the login would be lost. Both send; a third still can.
#[test]
fn two_concurrent_refreshes_keep_the_login() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("c", "posta-short", ALICE, ""));
    ok(&login_with_browser(home.path(), "c", ALICE));
    std::thread::sleep(Duration::from_secs(3));
    let subjects = [token("oauth-concurrent-a"), token("oauth-concurrent-b")];
    let children: Vec<_> = subjects
        .iter()
        .map(|s| {
            posta(home.path())
                .args(["-p", "c", "send", "--to", BOB, "-s", s, "--body", "hi"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        ok(&child.wait_with_output().unwrap());
    }
    for s in &subjects {
        wait_for_message(BOB, s);
    }
    std::thread::sleep(Duration::from_secs(3));
    let third = token("oauth-concurrent-c");
    ok(&send_as(home.path(), "c", &third, &[]));
    wait_for_message(BOB, &third);
}

/// As from cron: sendmail mode with no terminal, an expired access token refreshed
/// silently from the file store, the message delivered.
#[test]
fn sendmail_mode_without_a_terminal_refreshes_and_delivers() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "default = \"m\"\n{}",
            profile("m", "posta-short", ALICE, "")
        ),
    );
    ok(&login_with_browser(home.path(), "m", ALICE));
    std::thread::sleep(Duration::from_secs(3));
    let subject = token("oauth-cron");
    let message = format!("From: {ALICE}\nTo: {BOB}\nSubject: {subject}\n\nfrom cron\n");
    let mut cmd = posta_without_terminal(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(cmd, message.as_bytes());
    ok(&out);
    wait_for_message(BOB, &subject);
    let list = posta(home.path()).args(["queue", "list"]).output().unwrap();
    assert!(
        !text(&list.stdout).contains(&subject),
        "{}",
        text(&list.stdout)
    );
}
