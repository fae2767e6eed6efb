//! The end-to-end tests: the real Postfix + Dovecot of scripts/mailserver.sh (started by
//! scripts/test.sh), real clients of the sendmail interface, a real Secret Service and
//! a real DNS server. Built only with the e2e-tests feature; one test binary, a module
//! per former test file.

// The scripted server and the helpers are shared with tests/it, which uses most of them.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

#[path = "../support/e2e.rs"]
mod e2e;

mod batch;
mod batch_rotation;
mod chunking;
mod client_cert;
// Needs root, unshare (util-linux), cron, mailutils and php-cli (scripts/test.sh).
mod cron_machine;
// Needs dnsmasq (scripts/test.sh installs dnsmasq-base).
mod discovery;
mod e2e_postfix;
mod e2e_protocol;
mod interop;
// Needs node and the OAuth server of scripts/oauth-server.sh (started by mailserver.sh).
mod oauth;
// Needs php-cli and php-symfony-mailer (scripts/test.sh installs them).
mod serve;
mod serve_hostile;
mod smtp_in;
// Needs dbus and gnome-keyring (scripts/test.sh installs them).
#[cfg(feature = "keyring")]
mod keyring;
mod queue_e2e;
mod sasl;
mod tls_pins;
// Needs dovecot-lmtpd and dante-server (scripts/mailserver.sh installs and starts them).
mod reach;
// Needs the IMAP side of the rig (Dovecot's imapd, scripts/mailserver.sh).
mod sent_copy;
mod sent_copy_faults;
