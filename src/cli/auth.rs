//! A profile's credentials: `posta password` (the OS keyring) and `posta auth` (the
//! built-in OAuth 2.0 login).

use clap::Subcommand;

use super::PROFILE_NAME_HELP;

/// Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in: the authorization code grant with PKCE in a browser (a redirect to
    /// 127.0.0.1), or the device grant with --device; stores the refresh token
    Login {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        profile: String,
        /// Show a code and a URL to open on any other device, and wait (RFC 8628): for
        /// servers and SSH sessions
        #[arg(long)]
        device: bool,
        /// Print the URL to open instead of starting a browser
        #[arg(long)]
        no_browser: bool,
    },
    /// Show the stored login: scopes, expiry of the access token, where it is kept
    /// (never the tokens)
    Status {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        profile: String,
    },
    /// Revoke the login at the provider (where it offers revocation), then forget it
    Logout {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        profile: String,
    },
}

/// Store or delete a profile's password in the OS keyring.
#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Store the password (read from a prompt or stdin)
    Set {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        profile: String,
    },
    /// Delete the stored password
    Delete {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        profile: String,
    },
}
