//! The one support module of the integration tests, shared by both test binaries
//! (tests/it, and tests/e2e which needs the mail server): the hermetic `posta`
//! command, a port nobody listens on, the config file, reading posta's output, and
//! Python's `email` parser as an independent oracle. The scripted SMTP server is in
//! [`scripted_server`]; the mail server's side of the end-to-end suite in tests/support/e2e.rs.

pub mod scram_server;
pub mod scripted_server;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Make `cmd` hermetic: no inherited POSTA_* variables, HOME and the XDG directories
/// in `home` (config in `config/posta`, queue in `data/posta`, the usage ledger in
/// `state/posta/usage`, the system-wide config in `etc/posta`), stdin closed.
pub fn hermetic<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    for (k, _) in std::env::vars() {
        if k.starts_with("POSTA_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        // No machine's /etc/posta/config.toml: a test that wants one writes it here.
        .env("POSTA_SYSTEM_CONFIG", home.join("etc/posta/config.toml"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .stdin(Stdio::null())
}

/// `posta` with no config, no inherited POSTA_* variables, HOME and the XDG
/// directories in `home` (see [`hermetic`]).
pub fn posta(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_posta"));
    hermetic(&mut cmd, home);
    cmd
}

/// [`posta`] with no controlling terminal, as under cron (`setsid`): /dev/tty cannot
/// be opened, so nobody can be asked for a password.
pub fn posta_without_terminal(home: &Path) -> Command {
    let mut cmd = Command::new("setsid");
    cmd.arg(env!("CARGO_BIN_EXE_posta"));
    hermetic(&mut cmd, home);
    cmd
}

/// A port on 127.0.0.1 that nobody listens on (bound, then let go): connecting is
/// refused, a temporary failure.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where [`posta`] reads its config: `home/config/posta/config.toml`.
pub fn config_path(home: &Path) -> PathBuf {
    home.join("config/posta/config.toml")
}

/// Where [`posta`] keeps the usage ledger of `profile` (its daily limit).
pub fn usage_file(home: &Path, profile: &str) -> PathBuf {
    home.join("state/posta/usage").join(profile)
}

/// Write [`config_path`] (0600, so a literal password in it is accepted) and return it.
pub fn write_config(home: &Path, toml: &str) -> PathBuf {
    let path = config_path(home);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, toml).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// Run with `input` on stdin.
pub fn run_with_input(mut cmd: Command, input: &[u8]) -> Output {
    use std::io::Write;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // posta may refuse and exit before reading stdin: a broken pipe is expected then.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

/// stdout as one JSON value (`--json`), or a panic showing both streams.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

/// stdout as JSON lines (`--json batch`).
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// SHA-256 in lower-case hex, as parse_message.py gives it for each part.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Parse a message with Python's `email` (policy.default) via tests/support/parse_message.py,
/// which shares no code with posta.
pub fn parse(message: &[u8]) -> serde_json::Value {
    use std::io::Write;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/parse_message.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("python3 is needed to parse messages independently (install python3): {e}")
        });
    let mut stdin = child.stdin.take().unwrap();
    let input = message.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "parse_message.py failed: {}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parser JSON")
}
