#!/usr/bin/env python3
"""Self-test for the posta e2e mail server started by scripts/mailserver.sh.

Usage: scripts/mailserver-selftest.py [DIR/env.sh | DIR]
       (default: $POSTA_E2E_DIR/env.sh, else <repo>/.e2e/env.sh)

Stdlib only.  Prints one line per check; exits 1 if any check failed.
"""
import email
import email.policy
import os
import shlex
import smtplib
import socket
import ssl
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}: {name}{' -- ' + detail if detail else ''}", flush=True)
    return ok


def run(name, fn):
    """Run fn(); an exception counts as a failed check."""
    try:
        res = fn()
    except Exception as e:  # noqa: BLE001
        return check(name, False, f"{type(e).__name__}: {e}")
    if isinstance(res, tuple):
        return check(name, *res)
    return check(name, bool(res) or res is None)


def load_env(argv):
    if len(argv) > 1:
        p = Path(argv[1])
        if p.is_dir():
            p = p / "env.sh"
    elif os.environ.get("POSTA_E2E_DIR"):
        p = Path(os.environ["POSTA_E2E_DIR"]) / "env.sh"
    else:
        p = Path(__file__).resolve().parent.parent / ".e2e" / "env.sh"
    env = {}
    for line in p.read_text().splitlines():
        parts = shlex.split(line)
        if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
            k, v = parts[1].split("=", 1)
            env[k] = v
    return env


E = load_env(sys.argv)
HOST = "localhost"
CA = E["POSTA_E2E_CA"]
ALICE, ALICE_PW = E["POSTA_E2E_USER1"], E["POSTA_E2E_PASS1"]
BOB, BOB_PW = E["POSTA_E2E_USER2"], E["POSTA_E2E_PASS2"]
CAROL = E["POSTA_E2E_USER3"]
UNKNOWN = E["POSTA_E2E_UNKNOWN_RCPT"]
MAILROOT = Path(E["POSTA_E2E_MAILDIR_ROOT"])
PORT = {k: int(E[f"POSTA_E2E_{k}_PORT"]) for k in ("PLAIN", "SUBMISSION", "SMTPS", "ALT", "SMALL")}
SMALL_LIMIT = int(E["POSTA_E2E_SMALL_SIZE_LIMIT"])
RUN = uuid.uuid4().hex[:10]
TIMEOUT = 10

# (mailbox user, subject) that must arrive
EXPECTED = []


def tls_ctx():
    return ssl.create_default_context(cafile=CA)  # verifies chain + hostname


def make_msg(subject, to, bcc=None, body="Hello from the posta e2e self-test.\n"):
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = ALICE
    m["To"] = ", ".join(to)
    if bcc:
        m["Bcc"] = ", ".join(bcc)
    m["Subject"] = subject
    m["Message-ID"] = email.utils.make_msgid(domain="example.test")
    m["Date"] = email.utils.formatdate(localtime=True)
    m.set_content(body)
    return m


def starttls_session(port, host=HOST):
    s = smtplib.SMTP(host, port, timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    s.starttls(context=tls_ctx())
    s.ehlo("selftest.example.test")
    return s


def expect_code(fn, codes, what):
    try:
        fn()
    except smtplib.SMTPResponseException as e:
        return (e.smtp_code in codes, f"{what}: {e.smtp_code} {e.smtp_error.decode(errors='replace')}")
    except smtplib.SMTPRecipientsRefused as e:
        (code, msg), = e.recipients.values()
        return (code in codes, f"{what}: {code} {msg.decode(errors='replace')}")
    return (False, f"{what}: accepted, expected {codes}")


# ---------------------------------------------------------------- checks

def t_submission():
    s = smtplib.SMTP(HOST, PORT["SUBMISSION"], timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    pre = dict(s.esmtp_features)
    assert "starttls" in pre, "STARTTLS not advertised"
    assert "auth" not in pre, "AUTH advertised before TLS"
    code, msg = s.mail(ALICE)
    assert code == 530, f"MAIL before STARTTLS gave {code} {msg!r}, expected 530"
    s.rset()
    s.starttls(context=tls_ctx())
    s.ehlo("selftest.example.test")
    feats = s.esmtp_features
    cert = s.sock.getpeercert()
    missing = [k for k in ("auth", "pipelining", "8bitmime", "smtputf8", "dsn", "enhancedstatuscodes", "size")
               if k not in feats]
    assert not missing, f"missing EHLO keywords after TLS: {missing}"
    assert "PLAIN" in feats["auth"].upper().split(), feats["auth"]
    s.login(ALICE, ALICE_PW, initial_response_ok=True)
    subj = f"selftest {RUN} submission"
    msg = make_msg(subj, [BOB], bcc=[CAROL])
    refused = s.send_message(msg)  # strips Bcc, sends RCPT to bob + carol
    s.quit()
    assert not refused, refused
    EXPECTED.extend([("bob", subj), ("carol", subj)])
    return True, f"TLS {s.sock.version() if s.sock else 'ok'}, cert subject {cert.get('subject')}, EHLO ok"


def t_submission_plain_auth_explicit():
    # AUTH PLAIN explicitly (smtplib would otherwise pick CRAM/PLAIN/LOGIN).
    s = starttls_session(PORT["SUBMISSION"])
    s.user, s.password = ALICE, ALICE_PW
    code, resp = s.auth("PLAIN", s.auth_plain, initial_response_ok=True)
    s.quit()
    return code == 235, f"{code} {resp.decode()}"


def t_submission_unauth_refused():
    s = starttls_session(PORT["SUBMISSION"])
    r = expect_code(lambda: s.sendmail(ALICE, [BOB], make_msg("x", [BOB]).as_bytes()),
                    range(500, 600), "unauthenticated RCPT")
    s.close()
    return r


def t_wrong_password():
    s = starttls_session(PORT["SUBMISSION"])
    r = expect_code(lambda: s.login(ALICE, "wrong-password"), (535,), "AUTH wrong password")
    s.close()
    return r


def t_unknown_rcpt():
    s = starttls_session(PORT["SUBMISSION"])
    s.login(ALICE, ALICE_PW)
    s.mail(ALICE)
    code, msg = s.rcpt(UNKNOWN)
    s.quit()
    ok = 500 <= code < 600 and b"5.1.1" in msg
    return ok, f"RCPT {UNKNOWN}: {code} {msg.decode()}"


def t_relay_refused():
    s = starttls_session(PORT["SUBMISSION"])
    s.login(ALICE, ALICE_PW)
    s.mail(ALICE)
    code, msg = s.rcpt("someone@elsewhere.invalid")
    s.quit()
    return 500 <= code < 600, f"authenticated relay: {code} {msg.decode()}"


def t_smtps():
    s = smtplib.SMTP_SSL(HOST, PORT["SMTPS"], timeout=TIMEOUT, context=tls_ctx())
    s.ehlo("selftest.example.test")
    assert "starttls" not in s.esmtp_features
    s.login(BOB, BOB_PW)
    subj = f"selftest {RUN} smtps"
    s.send_message(make_msg(subj, [ALICE]), from_addr=BOB)
    s.quit()
    EXPECTED.append(("alice", subj))
    return True, "implicit TLS + AUTH as bob -> alice"


def t_plain_noauth():
    s = smtplib.SMTP(HOST, PORT["PLAIN"], timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    assert "starttls" not in s.esmtp_features, "STARTTLS advertised on plain port"
    assert "auth" in s.esmtp_features, "AUTH not advertised on plain port"
    subj = f"selftest {RUN} plain-noauth"
    s.send_message(make_msg(subj, [BOB]))
    s.quit()
    EXPECTED.append(("bob", subj))
    return True, "no STARTTLS offered, unauthenticated local delivery accepted"


def t_plain_auth():
    s = smtplib.SMTP(HOST, PORT["PLAIN"], timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    s.login(ALICE, ALICE_PW)
    subj = f"selftest {RUN} plain-auth \u00e9t\u00e9"  # non-ASCII subject (RFC 2047 encoded)
    s.send_message(make_msg(subj, [CAROL]))
    s.quit()
    EXPECTED.append(("carol", subj))
    return True, "AUTH in clear text accepted, sent to carol"


def t_plain_wrong_password_and_relay():
    s = smtplib.SMTP(HOST, PORT["PLAIN"], timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    ok1, d1 = expect_code(lambda: s.login(ALICE, "nope"), (535,), "AUTH wrong password")
    s.mail(ALICE)
    code, msg = s.rcpt("someone@elsewhere.invalid")
    s.rset()
    s.mail(ALICE)
    code2, msg2 = s.rcpt(UNKNOWN)
    s.quit()
    ok = ok1 and 500 <= code < 600 and 500 <= code2 < 600
    return ok, f"{d1}; relay {code} {msg.decode()}; unknown {code2} {msg2.decode()}"


def t_alt():
    s = starttls_session(PORT["ALT"])
    s.login(ALICE, ALICE_PW)
    subj = f"selftest {RUN} alt"
    s.send_message(make_msg(subj, [BOB]))
    s.quit()
    EXPECTED.append(("bob", subj))
    return True


def t_small():
    s = smtplib.SMTP(HOST, PORT["SMALL"], timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    s.starttls(context=tls_ctx())
    s.ehlo("selftest.example.test")
    size = s.esmtp_features.get("size")
    assert size == str(SMALL_LIMIT), f"SIZE advertised as {size!r}"
    s.login(ALICE, ALICE_PW)
    subj = f"selftest {RUN} small"
    s.send_message(make_msg(subj, [BOB]))
    EXPECTED.append(("bob", subj))
    # too big, declared via SIZE=: refused at MAIL
    code, msg = s.mail(ALICE, [f"SIZE={SMALL_LIMIT * 2}"])
    s.rset()
    assert code == 552, f"MAIL SIZE={SMALL_LIMIT*2}: {code} {msg!r}"
    # too big, undeclared: refused after DATA
    big = make_msg("too big", [BOB], body=("x" * 76 + "\n") * 2000).as_bytes()
    s.mail(ALICE)
    s.rcpt(BOB)
    code2, msg2 = s.data(big)
    s.quit()
    assert 500 <= code2 < 600, f"oversized DATA: {code2} {msg2!r}"
    return True, f"SIZE {size}; SIZE= too big -> {code}; oversized DATA -> {code2} {msg2.decode()}"


def t_ipv6():
    if not E.get("POSTA_E2E_HOST_V6"):
        return True, "skipped (no ::1)"
    s = smtplib.SMTP("::1", PORT["SUBMISSION"], timeout=TIMEOUT)
    s.ehlo("selftest.example.test")
    s.starttls(context=tls_ctx())  # server_hostname "::1" -> IP SAN check
    s.ehlo("selftest.example.test")
    s.login(ALICE, ALICE_PW)
    s.quit()
    return True, "STARTTLS to [::1] verified (IP SAN) + AUTH"


def t_server_keeps_bcc():
    # Raw message with a Bcc header: the server must keep it, so that a
    # client-side "Bcc is stripped" test is meaningful.
    s = starttls_session(PORT["SUBMISSION"])
    s.login(ALICE, ALICE_PW)
    subj = f"selftest {RUN} raw-bcc"
    raw = make_msg(subj, [BOB], bcc=[CAROL]).as_bytes()
    s.sendmail(ALICE, [BOB], raw)
    s.quit()
    EXPECTED.append(("bob", subj, "keep-bcc"))
    return True, "sent (Bcc presence checked on delivery)"


# ---------------------------------------------------------------- delivery

def read_maildir(user):
    out = []
    for sub in ("new", "cur"):
        d = MAILROOT / user / sub
        if d.is_dir():
            for f in d.iterdir():
                try:
                    out.append(email.message_from_bytes(f.read_bytes(), policy=email.policy.default))
                except FileNotFoundError:
                    pass
    return out


def t_delivery():
    deadline = time.monotonic() + 15
    pending = list(EXPECTED)
    found = {}
    while pending and time.monotonic() < deadline:
        for exp in list(pending):
            user, subj = exp[0], exp[1]
            for m in read_maildir(user):
                if str(m["Subject"]) == subj:
                    found[exp] = m
                    pending.remove(exp)
                    break
        if pending:
            time.sleep(0.2)
    for exp in EXPECTED:
        user, subj = exp[0], exp[1]
        m = found.get(exp)
        if m is None:
            check(f"delivered to {user}: {subj!r}", False, "not in Maildir after 15 s")
            continue
        keep_bcc = len(exp) > 2
        has_bcc = m["Bcc"] is not None
        ok = has_bcc if keep_bcc else not has_bcc
        check(f"delivered to {user}: {subj!r}", ok,
              f"Bcc header {'present' if has_bcc else 'absent'}, Return-Path {m['Return-Path']}")


def main():
    print(f"# posta e2e mail server self-test (run {RUN}), maildirs in {MAILROOT}")
    run(f"{PORT['SUBMISSION']} STARTTLS (CA-verified) + AUTH + send to bob, carol(Bcc)", t_submission)
    run(f"{PORT['SUBMISSION']} AUTH PLAIN explicitly", t_submission_plain_auth_explicit)
    run(f"{PORT['SUBMISSION']} unauthenticated sending refused (5xx)", t_submission_unauth_refused)
    run(f"{PORT['SUBMISSION']} wrong password -> 535", t_wrong_password)
    run(f"{PORT['SUBMISSION']} unknown recipient {UNKNOWN} -> 5xx 5.1.1 at RCPT", t_unknown_rcpt)
    run(f"{PORT['SUBMISSION']} relaying to other domains refused", t_relay_refused)
    run(f"{PORT['SMTPS']} implicit TLS + AUTH + send", t_smtps)
    run(f"{PORT['PLAIN']} plain, no AUTH, send", t_plain_noauth)
    run(f"{PORT['PLAIN']} plain, AUTH in clear, send", t_plain_auth)
    run(f"{PORT['PLAIN']} wrong password 535, relay + unknown refused", t_plain_wrong_password_and_relay)
    run(f"{PORT['ALT']} STARTTLS + AUTH + send", t_alt)
    run(f"{PORT['SMALL']} advertises SIZE {SMALL_LIMIT}, enforces it", t_small)
    run("[::1] STARTTLS + AUTH", t_ipv6)
    run("server keeps a Bcc header sent verbatim", t_server_keeps_bcc)
    t_delivery()
    failed = RESULTS.count(False)
    print(f"{len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
