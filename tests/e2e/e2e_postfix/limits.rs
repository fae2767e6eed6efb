//! A profile's daily limit, counted against real deliveries.

use super::*;

/// Daily limits against Postfix: a send through a profile with `daily_limit` is counted
/// in the ledger; a queued message that would go over it is held by `queue flush`
/// (even with --all) without logging in, and delivered once the ledger has room.
#[test]
fn daily_limit_counts_sends_and_holds_queued_messages_until_there_is_room() {
    let home = tempfile::tempdir().unwrap();
    let closed = closed_port();
    let write_config = |port: &str| {
        write_config(
            home.path(),
            &format!(
                "default = \"capped\"\n[profiles.capped]\nhost = \"localhost\"\nport = {port}\n\
                 security = \"starttls\"\nca_file = \"{}\"\nuser = \"{ALICE}\"\nfrom = \"{ALICE}\"\n\
                 password_env = \"CAPPED_PW\"\nqueue = \"on-temporary-failure\"\ntimeout = 10\n\
                 daily_limit = 3\n",
                ca()
            ),
        );
    };
    let usage = home.path().join("state/posta/usage/capped");
    let total = || -> u64 {
        std::fs::read_to_string(&usage)
            .unwrap()
            .lines()
            .map(|l| l.split_once(' ').unwrap().1.parse::<u64>().unwrap())
            .sum()
    };
    let send = |subject: &str| {
        let mut cmd = posta(home.path());
        cmd.env("CAPPED_PW", env("POSTA_E2E_PASS1")).args([
            "send", "--to", BOB, "--cc", CAROL, "-s", subject, "--body", "x",
        ]);
        cmd.output().unwrap()
    };

    write_config(&port("SUBMISSION"));
    let first = token("capped-first");
    ok(&send(&first));
    wait_for_message(BOB, &first);
    assert_eq!(total(), 2);

    // The server is away: the next message is queued.
    write_config(&closed.to_string());
    let second = token("capped-second");
    let out = send(&second);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));

    // It is back, but 2 + 2 > 3: held, with no password needed (none is given).
    write_config(&port("SUBMISSION"));
    let out = posta(home.path())
        .args(["--json", "queue", "flush", "--all"])
        .output()
        .unwrap();
    ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deferred"][0]["over_daily_limit"], true, "{v}");
    assert!(
        v["deferred"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("daily limit of 3 recipients reached for profile capped"),
        "{v}"
    );
    assert_no_message(BOB, &second);

    // A day later: the first send has left the window.
    let day_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 24 * 3600
        - 1;
    std::fs::write(&usage, format!("{day_ago} 2\n")).unwrap();
    let out = posta(home.path())
        .env("CAPPED_PW", env("POSTA_E2E_PASS1"))
        .args(["--json", "queue", "flush", "--all"])
        .output()
        .unwrap();
    ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 1, "{v}");
    wait_for_message(CAROL, &second);
    assert_eq!(total(), 2, "the old entry pruned, the flushed one counted");
}
