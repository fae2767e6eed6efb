//! sendmail mode's flags, written once: `posta sendmail --help` (also `sendmail --help`)
//! and the posta-sendmail(1) man page are both made from these tables, so neither can
//! list a flag the other leaves out. The parsing is src/cmd/sendmail.rs.

/// sendmail's own flags: spelling, meaning.
pub const SENDMAIL_FLAGS: &[(&str, &str)] = &[
    (
        "-t",
        "Recipients from To, Cc and Bcc too (Bcc is removed from the message)",
    ),
    (
        "-f ADDR, -r ADDR",
        "Envelope sender (MAIL FROM); '<>' is the null sender of bounces",
    ),
    (
        "-F NAME",
        "Full name for the From header posta adds when there is none",
    ),
    (
        "-N LIST",
        "Delivery status notification: never, or success,failure,delay",
    ),
    (
        "-R full|hdrs",
        "DSN: return the full message or its headers",
    ),
    ("-V ENVID", "DSN envelope id"),
    (
        "-v",
        "SMTP transcript on stderr (credentials hidden); twice: the message too",
    ),
    (
        "-p NAME",
        "posta's profile (an attached -pPROTOCOL is sendmail's, and ignored)",
    ),
    (
        "-i, -oi, -bm",
        "Accepted: a lone dot never ends the message; submitting is the default",
    ),
    (
        "-bp",
        "List the queue, as `posta queue list` (also as `mailq`)",
    ),
    (
        "-q",
        "Send what is due in the queue once, as `posta queue flush` (silent unless \
         something failed)",
    ),
    (
        "-bs",
        "SMTP on stdin and stdout (Symfony Mailer's and Laravel's default): each message \
         is sent as one on stdin would be, and the reply to its end of data is the outcome",
    ),
    (
        "-bd -bv -qINTERVAL -I",
        "Refused (exit 64): no daemon or queue runner (run -q from cron or a timer, or \
         `posta serve`), no alias database",
    ),
    (
        "-o..., -B, -C, -h, -L, -X, -A, -e, -m, -n, -U, -G, -d",
        "Accepted and ignored",
    ),
];

/// posta's options that work after `sendmail` too: spelling, meaning.
pub const POSTA_OPTIONS: &[(&str, &str)] = &[
    (
        "--profile NAME, --account NAME",
        "Account profile [default: $POSTA_PROFILE, the config's default]",
    ),
    (
        "--config PATH",
        "Configuration file [default: $POSTA_CONFIG, $XDG_CONFIG_HOME/posta/config.toml]",
    ),
    ("--json", "One JSON object on stdout describing the outcome"),
    (
        "--queue never|on-temporary-failure",
        "On a temporary failure [default: the profile's queue, else on-temporary-failure: \
         queued, exit 0, one line saying so]",
    ),
    (
        "--server HOST[:PORT], --port N, --security starttls|tls|plain, --user NAME, \
         --auth auto|scram-sha-256|scram-sha-1|plain|login|cram-md5|external|xoauth2|\
         oauthbearer, --password-command CMD, \
         --oauth-token-command CMD, --ca-file PATH, --tls-cert PATH, --tls-key PATH, \
         --tls-fingerprint PIN (repeatable), \
         --timeout SECONDS, --ehlo NAME, --allow-insecure-auth, --insecure, \
         --protocol smtp|lmtp, --proxy socks5[h]://HOST:PORT",
        "As for `posta send` (see `posta send --help`)",
    ),
];

/// posta's global options before `sendmail`: spelling, meaning.
pub const GLOBAL_OPTIONS: &[(&str, &str)] = &[
    (
        "-c, --config PATH; -p, --profile NAME; -v, --verbose; --json",
        "As after `sendmail`",
    ),
    (
        "-q, --quiet",
        "No line for a queued message (errors are still said)",
    ),
];

const INTRO: &str = "Read a message on stdin and submit it, like sendmail(8). Also what runs \
when posta is invoked as `sendmail`. Silent on success; one line on stderr otherwise.";

const EXIT: &str =
    "Exit status: 0 sent, or queued; otherwise sysexits(3), as `posta send` (see posta(1)).";

const SECTIONS: [(&str, &[(&str, &str)]); 3] = [
    ("sendmail's flags:", SENDMAIL_FLAGS),
    ("posta's options (after `sendmail` too):", POSTA_OPTIONS),
    ("posta's global options, before `sendmail`:", GLOBAL_OPTIONS),
];

/// The text of `posta sendmail --help`.
pub fn help() -> String {
    let mut out = wrap(INTRO, 0, 92);
    out.push_str(
        "\nUsage: posta [GLOBAL OPTIONS] sendmail [FLAGS] [--] [RECIPIENT]...\n       \
         sendmail [FLAGS] [--] [RECIPIENT]...\n",
    );
    for (title, rows) in SECTIONS {
        out.push('\n');
        out.push_str(title);
        out.push('\n');
        for (spelling, meaning) in rows {
            let lead = format!("  {}", spelling);
            if lead.len() < 21 {
                out.push_str(&format!("{lead:<21}"));
                out.push_str(wrap(meaning, 21, 92).trim_start());
            } else {
                out.push_str(&wrap(spelling, 2, 92));
                out.push_str(&wrap(meaning, 21, 92));
            }
        }
    }
    out.push('\n');
    out.push_str(EXIT);
    out.push('\n');
    out
}

/// The description of posta-sendmail(1): every row of the same tables, one paragraph
/// each (clap_mangen makes a paragraph of each blank-line-separated block).
pub fn man_description() -> String {
    let mut out = format!("{INTRO}\n\n");
    for (title, rows) in SECTIONS {
        out.push_str(title);
        out.push_str("\n\n");
        for (spelling, meaning) in rows {
            out.push_str(&format!("{spelling}: {meaning}\n\n"));
        }
    }
    out.push_str(EXIT);
    out
}

/// `text` in lines of at most `width` columns, each indented by `indent` spaces.
fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent + line.len() + 1 + word.len() > width {
            out.push_str(&format!("{:indent$}{line}\n", ""));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{:indent$}{line}\n", ""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_and_man_page_list_every_flag_of_the_table() {
        let help = help();
        let man = man_description();
        for (spelling, _) in SENDMAIL_FLAGS.iter().chain(POSTA_OPTIONS) {
            for flag in spelling.split([',', ' ']).filter(|w| w.starts_with('-')) {
                assert!(help.contains(flag), "{flag} missing from the help:\n{help}");
                assert!(
                    man.contains(flag),
                    "{flag} missing from the man page:\n{man}"
                );
            }
        }
        assert!(
            man.contains("-bd -bv -qINTERVAL -I: Refused (exit 64)"),
            "{man}"
        );
        assert!(help.lines().all(|l| l.len() <= 92), "{help}");
    }
}
