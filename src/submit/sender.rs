//! The provider's rules on who a message is from, checked before connecting, for every
//! way in: what the provider would refuse after the whole upload (Yandex and Mail.ru
//! take MAIL FROM and From only as the login) is refused here with the reason (65).

use crate::config::Account;
use crate::config::presets::FromRule;
use crate::model::exit_code::{Code, fail};

/// Refuse before connecting what the provider would refuse after the upload.
pub fn check_provider_rules(account: &Account, from_address: &str) -> anyhow::Result<()> {
    let (Some(preset), Some(user)) = (account.preset, account.login_user(Some(from_address)))
    else {
        return Ok(());
    };
    if preset.from_rule == FromRule::MustEqualLogin && !from_address.eq_ignore_ascii_case(&user) {
        return Err(fail(
            Code::DataErr,
            format!(
                "{} refuses a From address other than the login: From is {from_address} but the login is {user}; \
                 send from {user} or use that address's own profile",
                preset.title
            ),
        ));
    }
    Ok(())
}
