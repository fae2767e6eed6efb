//! `profile show`'s line about the copy in Sent: whether a message sent through the
//! profile is copied, where to, and why (the preset's IMAP server, a provider that
//! files a copy itself), as `config::resolve` decides it for a send.

use std::path::Path;

use crate::config::{self, Overrides};

/// "on: imap.yandex.ru:993 (tls), the folder marked \Sent", "off (…)", or `None` when
/// the profile cannot be resolved (its other errors are `profile test`'s to say).
pub(super) fn describe(config_path: &Path, name: &str) -> Option<String> {
    let account = config::resolve_recorded(Some(config_path), Some(name), &Overrides::default());
    let account = account.ok()?;
    let Some(save) = &account.save_sent else {
        return Some(match account.preset {
            Some(p) if p.files_sent => format!(
                "off ({} files a copy of what is sent itself; save_sent = true to add one)",
                p.title
            ),
            _ => "off (no imap_server; set one to save a copy of each message sent)".into(),
        });
    };
    let Some(server) = &save.server else {
        return Some("asked for, but no imap_server is known: each send warns".into());
    };
    let folder = match &save.folder {
        Some(f) => format!("folder {}", crate::model::text::for_terminal(f)),
        None => "the folder marked \\Sent, else Sent".into(),
    };
    Some(format!(
        "on: {} ({}), {folder}",
        server.address(),
        if server.implicit_tls {
            "tls"
        } else {
            "starttls"
        }
    ))
}
