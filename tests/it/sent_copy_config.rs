//! The copy in Sent as configured (issue 20): `profile show` says whether a profile's
//! messages are copied and where to, as a send would decide it — on for a preset that
//! knows its IMAP server, off for a provider that files a copy itself, the profile's
//! own imap_server and sent_folder. (Saving itself is tested against Dovecot, in
//! tests/e2e/sent_copy.rs.)

use crate::support::*;

#[test]
fn profile_show_says_where_the_copy_in_sent_goes() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "[profiles.ya]\npreset = \"yandex\"\nfrom = \"jo@yandex.ru\"\n\
         [profiles.gm]\npreset = \"gmail\"\nfrom = \"jo@gmail.com\"\n\
         [profiles.own]\nhost = \"smtp.example.org\"\nimap_server = \"imap.example.org:143\"\n\
         sent_folder = \"Отправленные\"\n\
         [profiles.bare]\nhost = \"smtp.example.org\"\n",
    );
    let show = |name: &str| {
        let out = posta(home.path())
            .args(["--json", "profile", "show", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out)["profile"]["sent_copy"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        show("ya"),
        "on: imap.yandex.ru:993 (tls), the folder marked \\Sent, else Sent"
    );
    assert!(
        show("gm").starts_with("off (Gmail files a copy"),
        "{}",
        show("gm")
    );
    assert_eq!(
        show("own"),
        "on: imap.example.org:143 (starttls), folder Отправленные"
    );
    assert!(
        show("bare").starts_with("off (no imap_server"),
        "{}",
        show("bare")
    );
}
