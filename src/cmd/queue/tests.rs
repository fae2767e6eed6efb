//! Unit tests of `posta queue`.

use super::*;
use crate::cli::ConnectionArgs;
use crate::envelope::{Dsn, Envelope};
use crate::submit::queueing::{self, Pending};

#[test]
fn a_deferred_entry_waits_with_its_reason_and_no_attempt_counted() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let spool = dir.path().join("spool");
    std::fs::write(
        &config,
        format!(
            "queue_dir = \"{}\"\ndefault = \"w\"\n[profiles.w]\nhost = \"h\"\ndaily_limit = 5\n",
            spool.display()
        ),
    )
    .unwrap();
    let global = GlobalArgs {
        config: Some(config),
        ..GlobalArgs::default()
    };
    let connection = ConnectionArgs::default();
    let account = config::resolve(&global.request(&connection, None)).unwrap();
    let envelope = Envelope {
        from: "a@x.org".into(),
        to: vec!["b@x.org".into(), "c@x.org".into()],
        smtputf8: false,
    };
    let origin = global.origin(&connection);
    let pending = Pending {
        origin: &origin,
        account: &account,
        envelope: &envelope,
        dsn: &Dsn::default(),
        message_id: "m@x.org",
        eight_bit: false,
        login_hint: Some("a@x.org".into()),
        bcc: b"",
    };
    let queued = queueing::deferred(&pending, "over the cap".into(), 4_000_000_000, &mut |out| {
        out.write_all(b"Subject: x\r\n\r\nx\r\n")
    })
    .unwrap();
    assert_eq!(queued.stage, None);
    let id = queued.id;
    let q = Queue::existing(&spool).unwrap().unwrap();
    let (place, meta) = q.get(&id).unwrap().unwrap();
    assert_eq!(place, Place::Queued);
    assert_eq!(meta.attempts, 0);
    assert_eq!(meta.last_error.as_deref(), Some("over the cap"));
    assert_eq!(meta.next_attempt, 4_000_000_000);
    assert!(!meta.is_due(queue::now()));
    assert_eq!(meta.profile.as_deref(), Some("w"));
    assert_eq!(meta.envelope.to, envelope.to);
    assert_eq!(meta.login_hint.as_deref(), Some("a@x.org"));
    assert_eq!((meta.message_id.as_str(), meta.size), ("m@x.org", 17));
}
