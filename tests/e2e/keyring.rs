//! The OS keyring against a real Secret Service: a private D-Bus session bus and
//! gnome-keyring (Debian: dbus, gnome-keyring), both started here and stopped at the end.
//! Round trip: `password set` → `profile show` names the source → `send` logs in with
//! the stored password (scripted SMTP server) → `password delete` → `send` says what is
//! missing. Needs the packages scripts/test.sh installs, hence the e2e-tests feature.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::hermetic;
use crate::support::scripted_server::{Config, Server};

const PASSWORD: &str = "s3cret-Pa55";

/// A session bus with gnome-keyring on it, torn down on drop.
struct Session {
    bus: Child,
    address: String,
    home: PathBuf,
}

impl Session {
    fn start(home: &Path) -> Session {
        let socket = home.join("bus");
        let address = format!("unix:path={}", socket.display());
        let bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus) must be installed");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "dbus-daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let session = Session {
            bus,
            address,
            home: home.to_path_buf(),
        };
        // --unlock reads the login keyring's password from stdin (no newline) and creates
        // that keyring, unlocked, as the default collection: no prompt anywhere.
        let mut keyring = session
            .command("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (Debian package gnome-keyring) must be installed");
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"test-keyring-password")
            .unwrap();
        wait_bounded(&mut keyring, Duration::from_secs(20));
        session
    }

    /// A command in this session: its bus, its HOME, nothing from the caller's desktop.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        hermetic(&mut cmd, &self.home)
            .env("XDG_RUNTIME_DIR", &self.home)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env_remove("DISPLAY")
            .env_remove("GNOME_KEYRING_CONTROL");
        cmd
    }

    fn posta(&self, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
        let mut child = self
            .command(env!("CARGO_BIN_EXE_posta"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin);
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().expect("exited"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // gnome-keyring-daemon leaves when its bus goes away.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn wait_bounded(child: &mut Child, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("timed out after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn write_config(home: &Path, port: u16) {
    crate::support::write_config(
        home,
        &format!(
            "default = \"work\"\n\n[profiles.work]\nhost = \"127.0.0.1\"\nport = {port}\n\
             security = \"plain\"\nallow_insecure_auth = true\nuser = \"jane\"\n\
             from = \"jane@example.com\"\nkeyring = true\n"
        ),
    );
}

#[test]
fn keyring_round_trip_through_a_real_secret_service() {
    let home = tempfile::tempdir().unwrap();
    let session = Session::start(home.path());
    let server = Server::start(Config {
        password: PASSWORD.into(),
        ..Config::default()
    });
    write_config(home.path(), server.port());

    let (code, out, err) = session.posta(
        &["password", "set", "nosuch"],
        format!("{PASSWORD}\n").as_bytes(),
    );
    assert_eq!(code, 78, "an unknown profile stores nothing: {out}{err}");
    assert!(err.contains("valid profiles: work"), "{err}");

    let (code, out, err) = session.posta(
        &["password", "set", "work"],
        format!("{PASSWORD}\n").as_bytes(),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("stored the password of profile work"), "{err}");

    let (code, out, err) = session.posta(&["profile", "show", "work"], b"");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("OS keyring (service \"posta\", user \"work\")"),
        "{out}"
    );
    assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));

    let (code, out, err) = session.posta(
        &[
            "send",
            "--to",
            "bob@example.com",
            "-s",
            "hi",
            "--body",
            "hi",
        ],
        b"",
    );
    assert_eq!(code, 0, "send with the keyring's password: {out}{err}");
    let record = server.finish();
    assert_eq!(record.authenticated.as_deref(), Some("jane"), "{record:?}");

    let (code, _, err) = session.posta(&["password", "delete", "work"], b"");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = session.posta(&["password", "delete", "work"], b"");
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("holds no password for profile work"), "{err}");

    // Nothing stored any more: a clear error before any connection, never a prompt.
    let (code, _, err) = session.posta(
        &[
            "send",
            "--to",
            "bob@example.com",
            "-s",
            "hi",
            "--body",
            "hi",
        ],
        b"",
    );
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("posta password set work"), "{err}");

    // Removing a profile that reads the keyring takes its password along.
    let (code, out, err) = session.posta(
        &["password", "set", "work"],
        format!("{PASSWORD}\n").as_bytes(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = session.posta(&["profile", "remove", "work"], b"");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("deleted its password from the OS keyring"),
        "{err}"
    );
    let (code, _, err) = session.posta(&["password", "delete", "work"], b"");
    assert_eq!(code, 78, "nothing left behind: {err}");
}

/// The built-in OAuth login kept in the keyring (the default `token_store`): logged in
/// with the real OAuth server, a message sent by XOAUTH2 through Postfix and Dovecot's
/// oauth2 passdb, nothing on disk but the lock; `auth logout` revokes and forgets, and
/// the next send is 77 naming the login to run.
#[test]
fn an_oauth_login_kept_in_the_keyring_sends_and_logs_out() {
    use crate::e2e::{ca, env, port, token, wait_for_message};
    let home = tempfile::tempdir().unwrap();
    let session = Session::start(home.path());
    let alice = env("POSTA_E2E_USER1");
    crate::support::write_config(
        home.path(),
        &format!(
            "[profiles.k]\nhost = \"localhost\"\nport = {}\nca_file = \"{}\"\n\
             user = \"{alice}\"\nfrom = \"{alice}\"\nauth = \"xoauth2\"\n\
             oauth2_client_id = \"posta\"\noauth2_issuer = \"{}\"\n\
             oauth2_scopes = [\"openid\"]\n",
            port("SUBMISSION"),
            ca(),
            env("POSTA_E2E_OAUTH_ISSUER")
        ),
    );
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nexec node {} \"$1\" {alice} >/dev/null 2>&1\n",
            env("POSTA_E2E_OAUTH_DRIVER")
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut login = session.command(env!("CARGO_BIN_EXE_posta"));
    login.args(["auth", "login", "k"]).env("BROWSER", &browser);
    let mut child = login
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_bounded(&mut child, Duration::from_secs(60));
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !home.path().join("data/posta/oauth/k.json").exists(),
        "the tokens are in the keyring, not a file"
    );

    let (code, out, _) = session.posta(&["auth", "status", "k"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("user \"oauth:k\""), "{out}");

    let subject = token("oauth-keyring");
    let send = [
        "-p", "k", "send", "--to", &alice, "-s", &subject, "--body", "hi",
    ];
    let (code, out, err) = session.posta(&send, b"");
    assert_eq!(code, 0, "{out}{err}");
    wait_for_message(&alice, &subject);

    let (code, _, err) = session.posta(&["auth", "logout", "k"], b"");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("revoked at the provider and forgotten"),
        "{err}"
    );
    let (code, _, err) = session.posta(&send, b"");
    assert_eq!(code, 77, "{err}");
    assert!(err.contains("posta auth login k"), "{err}");
}
