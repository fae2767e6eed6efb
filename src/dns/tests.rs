use super::*;

fn srv(priority: u16, weight: u16, target: &str) -> Srv {
    Srv {
        priority,
        weight,
        port: 465,
        target: target.into(),
    }
}

#[test]
fn lowest_priority_then_highest_weight() {
    let c = choose(vec![
        srv(20, 100, "c.example"),
        srv(10, 1, "b.example"),
        srv(10, 5, "a.example"),
    ]);
    assert!(matches!(c, Choice::Use(s) if s.target == "a.example"));
    assert!(matches!(choose(vec![srv(0, 0, ".")]), Choice::NotOffered));
    assert!(matches!(choose(vec![]), Choice::None));
}

/// A reply as a server writes it: the question, then the answer's owner name as a
/// pointer to it, and a target that shares a suffix with the question.
#[test]
fn parses_a_compressed_answer() {
    let mut msg = build_query(0x1234, "_submissions._tcp.example.net").unwrap();
    msg[2] = 0x81;
    msg[3] = 0x80;
    msg[7] = 1; // one answer
    msg.extend_from_slice(&[0xc0, 12]); // owner: the question's name
    msg.extend_from_slice(&[0, 33, 0, 1, 0, 0, 0, 60]);
    let mut rdata = vec![0, 10, 0, 5, 1, 0xd1]; // priority 10, weight 5, port 465
    rdata.extend_from_slice(&[4, b'm', b'a', b'i', b'l']);
    rdata.extend_from_slice(&[0xc0, 12 + 1 + 12 + 1 + 4]); // → "example.net"
    msg.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    msg.extend_from_slice(&rdata);
    let records = parse_reply(&msg, 0x1234).unwrap();
    assert_eq!(
        records,
        vec![Srv {
            priority: 10,
            weight: 5,
            port: 465,
            target: "mail.example.net".into()
        }]
    );
}

#[test]
fn host_names_are_ldh_labels_only() {
    for good in [
        "mail.example.org",
        "MAIL.Example.org.",
        "a-b.c1",
        "localhost",
    ] {
        assert_eq!(check_host_name(good), Ok(()), "{good}");
    }
    let long_label = format!("{}.example", "a".repeat(64));
    let long_name = ["abcdefghi"; 26].join(".");
    for bad in [
        "",
        ".",
        "smtp\x1b[31m.example.org",
        "smtp\0.example.org",
        "smtp\n.example.org",
        "smtp example.org",
        "under_score.example",
        "-lead.example",
        "trail-.example",
        "a..b",
        "caf\u{e9}.example",
        &long_label,
        &long_name,
    ] {
        assert!(check_host_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn within_a_domain_means_the_domain_or_under_it() {
    assert!(is_within("smtp.example.org", "example.org"));
    assert!(is_within("SMTP.Example.ORG.", "example.org"));
    assert!(is_within("example.org", "example.org"));
    assert!(!is_within("smtp.evil.test", "example.org"));
    assert!(!is_within("badexample.org", "example.org"));
    assert!(!is_within("example.org.evil.test", "example.org"));
    assert!(!is_within("x", ""));
}

#[test]
fn nxdomain_is_empty_and_a_wrong_id_is_refused() {
    let mut msg = build_query(7, "_submission._tcp.nowhere.example").unwrap();
    msg[2] = 0x81;
    msg[3] = 0x83;
    assert_eq!(parse_reply(&msg, 7).unwrap(), vec![]);
    assert!(parse_reply(&msg, 8).is_err());
}

#[test]
fn a_pointer_loop_is_malformed() {
    let msg = [0xc0, 0];
    assert!(read_name(&msg, 0).is_none());
}

#[test]
fn resolv_conf_and_the_env_knob() {
    assert_eq!(
        nameserver_from("# x\nsearch lan\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n"),
        Some("192.0.2.1:53".parse().unwrap())
    );
    assert_eq!(
        nameserver_from("nameserver ::1\n"),
        Some("[::1]:53".parse().unwrap())
    );
    assert_eq!(
        parse_server("127.0.0.1:5353"),
        Some("127.0.0.1:5353".parse().unwrap())
    );
    assert_eq!(
        parse_server("10.0.0.1"),
        Some("10.0.0.1:53".parse().unwrap())
    );
    assert_eq!(parse_server("nonsense"), None);
}
