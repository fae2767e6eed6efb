//! Unit tests of the spool.

use super::*;

fn queue() -> (tempfile::TempDir, Queue) {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path().join("queue")).unwrap();
    (dir, q)
}

fn meta(now: i64) -> Meta {
    let mut m = Meta::new(now, String::new());
    m.envelope.from = "a@x.org".into();
    m.envelope.to = vec!["b@x.org".into()];
    m
}

fn add(q: &Queue, now: i64, body: &[u8]) -> String {
    q.add(meta(now), &mut |out| out.write_all(body)).unwrap()
}

#[test]
fn ids_sort_by_time_and_are_checked() {
    let a = new_id(1_700_000_000).unwrap();
    let b = new_id(1_700_000_001).unwrap();
    assert!(a < b, "{a} {b}");
    assert!(a.starts_with("20231114T221320-"), "{a}");
    assert!(is_valid_id(&a) && is_valid_id(&b));
    for bad in [
        "",
        "..",
        "../etc",
        "20231114T221320-3FA9C1D2",
        "x/y",
        "failed",
    ] {
        assert!(!is_valid_id(bad), "{bad}");
    }
    assert_ne!(new_id(0).unwrap(), new_id(0).unwrap());
}

#[test]
fn backoff_doubles_from_a_minute_to_an_hour() {
    let mins: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs() / 60).collect();
    assert_eq!(mins, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(backoff(u32::MAX), MAX_RETRY);
    let mut m = meta(1000);
    m.record_failure(1000, "421".into());
    m.record_failure(1100, "421".into());
    assert_eq!((m.attempts, m.next_attempt), (2, 1100 + 120));
    assert!(!m.is_due(1219) && m.is_due(1220));
}

#[test]
fn expiry_after_five_days() {
    let m = meta(0);
    assert!(!m.is_expired(5 * 86400 - 1));
    assert!(m.is_expired(5 * 86400));
}

#[test]
fn an_entry_round_trips_with_its_exact_bytes() {
    let (_d, q) = queue();
    let body = b"Subject: x\r\n\r\nbody\r\n.\r\n\xff";
    let id = add(&q, now(), body);
    let listed = q.list(Place::Queued).unwrap().entries;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].size, body.len() as u64);
    let mut locked = q.lock(Place::Queued, &id).unwrap().unwrap();
    let mut bytes = Vec::new();
    locked.write_message(&mut bytes).unwrap();
    locked.write_message(&mut Vec::new()).unwrap();
    assert_eq!(bytes, body);
    assert_eq!(q.headers(Place::Queued, &id).unwrap(), "Subject: x\n");
    // Nothing but the entry and failed/ is left in the directory.
    let mut names: Vec<String> = fs::read_dir(q.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, [id.clone(), "failed".into()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: PathBuf| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(q.dir().to_path_buf()), 0o700);
        assert_eq!(mode(q.dir().join(&id).join(MESSAGE)), 0o600);
        assert_eq!(mode(q.dir().join(&id).join(META)), 0o600);
    }
}

#[test]
fn a_failed_write_leaves_nothing() {
    let (_d, q) = queue();
    let err = q
        .add(meta(now()), &mut |out| {
            out.write_all(b"half a mess")?;
            Err(io::Error::other("stdin broke"))
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "stdin broke");
    assert!(q.list(Place::Queued).unwrap().entries.is_empty());
    let names: Vec<_> = fs::read_dir(q.dir()).unwrap().collect();
    assert_eq!(names.len(), 1, "only failed/ is left: {names:?}");
}

#[test]
fn leftovers_are_cleaned_after_the_grace_period_and_an_entry_without_metadata_is_reported() {
    let (_d, q) = queue();
    let id = add(&q, now(), b"x");
    // What a crash leaves: a temp dir. What damage leaves: an entry without metadata.
    let tmp = q.dir().join(".tmp-20260101T000000-00000000");
    fs::create_dir(&tmp).unwrap();
    fs::write(tmp.join(MESSAGE), b"half").unwrap();
    let bare = q.dir().join("20260101T000000-11111111");
    fs::create_dir(&bare).unwrap();
    fs::write(bare.join(MESSAGE), b"no meta").unwrap();
    fs::create_dir(q.dir().join(".trash-20260101T000000-22222222")).unwrap();
    let listing = q.list(Place::Queued).unwrap();
    let ids: Vec<String> = listing.entries.into_iter().map(|m| m.id).collect();
    assert_eq!(ids, std::slice::from_ref(&id));
    assert_eq!(listing.unusable.len(), 1, "{:?}", listing.unusable);
    assert_eq!(listing.unusable[0].id, "20260101T000000-11111111");
    assert!(
        listing.unusable[0].reason.contains("meta.json: missing"),
        "{:?}",
        listing.unusable
    );
    assert!(
        q.lock(Place::Queued, "20260101T000000-11111111")
            .unwrap()
            .is_none()
    );
    // Young leftovers may belong to a live writer: only the trash goes.
    assert_eq!(q.clean().unwrap(), 1);
    assert!(tmp.exists() && bare.exists());
    let old = std::time::SystemTime::now() - INCOMPLETE_GRACE - Duration::from_secs(1);
    for p in [&tmp, &bare] {
        File::open(p).unwrap().set_modified(old).unwrap();
    }
    // The old temp dir goes; the message without metadata is never deleted unseen.
    assert_eq!(q.clean().unwrap(), 1);
    assert!(!tmp.exists() && bare.join(MESSAGE).exists());
    assert!(q.dir().join(&id).join(META).exists());
}

#[cfg(target_os = "linux")]
#[test]
fn entries_and_directories_not_the_users_own_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, q) = queue();
    let id = add(&q, now(), b"x");
    let meta_path = q.dir().join(&id).join(META);
    // Writable by others: unusable, and cannot be taken.
    fs::set_permissions(&meta_path, fs::Permissions::from_mode(0o666)).unwrap();
    let listing = q.list(Place::Queued).unwrap();
    assert!(listing.entries.is_empty());
    assert!(listing.unusable[0].reason.contains("writable by others"));
    assert!(q.lock(Place::Queued, &id).is_err());
    fs::set_permissions(&meta_path, fs::Permissions::from_mode(0o600)).unwrap();
    // A metadata file that names another entry (its id picks paths): unusable.
    let text = fs::read_to_string(&meta_path).unwrap();
    fs::remove_file(&meta_path).unwrap();
    fs::write(&meta_path, text.replace(&id, "../../elsewhere")).unwrap();
    let listing = q.list(Place::Queued).unwrap();
    assert!(listing.unusable[0].reason.contains("names another entry"));
    // The queue directory itself, writable by others: refused whole.
    fs::set_permissions(q.dir(), fs::Permissions::from_mode(0o777)).unwrap();
    let err = Queue::existing(q.dir()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("writable by others"), "{err}");
    assert!(Queue::open(q.dir()).is_err());
}

#[test]
fn the_lock_is_exclusive_and_a_removed_entry_cannot_be_taken() {
    let (_d, q) = queue();
    let id = add(&q, now(), b"x");
    let first = q.lock(Place::Queued, &id).unwrap().expect("free");
    assert!(q.lock(Place::Queued, &id).unwrap().is_none(), "held");
    // A second process opened the file before the first removed the entry.
    let early = File::open(q.dir().join(&id).join(MESSAGE)).unwrap();
    first.remove().unwrap();
    early.try_lock().unwrap();
    assert!(q.lock(Place::Queued, &id).unwrap().is_none(), "gone");
    assert!(q.list(Place::Queued).unwrap().entries.is_empty());
    assert_eq!(q.clean().unwrap(), 0);
}

#[test]
fn the_lock_is_released_when_dropped() {
    let (_d, q) = queue();
    let id = add(&q, now(), b"x");
    drop(q.lock(Place::Queued, &id).unwrap().unwrap());
    assert!(q.lock(Place::Queued, &id).unwrap().is_some());
}

#[test]
fn updates_persist_and_moving_aside_keeps_the_entry() {
    let (_d, q) = queue();
    let id = add(&q, 100, b"x");
    let mut l = q.lock(Place::Queued, &id).unwrap().unwrap();
    l.meta.record_failure(200, "451 later".into());
    l.save().unwrap();
    drop(l);
    let (place, m) = q.get(&id).unwrap().unwrap();
    assert_eq!((place, m.attempts), (Place::Queued, 1));
    assert_eq!(m.last_error.as_deref(), Some("451 later"));
    q.lock(Place::Queued, &id)
        .unwrap()
        .unwrap()
        .move_aside("expired".into())
        .unwrap();
    assert!(q.list(Place::Queued).unwrap().entries.is_empty());
    let failed = q.list(Place::Failed).unwrap().entries;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].failed.as_deref(), Some("expired"));
    assert_eq!(q.get(&id).unwrap().unwrap().0, Place::Failed);
    assert!(q.get("../x").unwrap().is_none());
}

#[test]
fn the_fuzz_seeds_of_queue_meta_read_as_meant() {
    let entry = include_bytes!("../../fuzz/seeds/queue_meta/entry.json");
    assert_eq!(
        crate::fuzzing::queue_meta(entry).as_deref(),
        Ok("20260101T000000-00000000")
    );
    let other = include_bytes!("../../fuzz/seeds/queue_meta/other-id.json");
    let refused = crate::fuzzing::queue_meta(other).unwrap_err();
    assert!(refused.contains("names another entry"), "{refused}");
}
