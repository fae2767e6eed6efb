//! `posta serve` started by systemd socket activation (contrib/systemd/posta.socket):
//! the sockets come as descriptors 3, 4, … with `LISTEN_FDS` and `LISTEN_PID`, here
//! passed by a few lines of Python that bind them and exec posta, as systemd does.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::serve_warm::{messages, stop};
use crate::support::posta;
use crate::support::scripted_server::{Config, Server};

/// Bind 127.0.0.1:0 and a Unix socket at argv[1], print the port, and exec argv[2:]
/// with them as descriptors 3 and 4 (the exec keeps the pid LISTEN_PID names).
const ACTIVATE: &str = r#"
import os, socket, sys
tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen(16)
unix = socket.socket(socket.AF_UNIX); unix.bind(sys.argv[1]); unix.listen(16)
print(tcp.getsockname()[1], flush=True)
os.dup2(tcp.fileno(), 3); os.dup2(unix.fileno(), 4)
os.set_inheritable(3, True); os.set_inheritable(4, True)
os.environ["LISTEN_FDS"] = "2"; os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
"#;

#[test]
fn the_sockets_systemd_passes_are_served_and_left_to_systemd() {
    let server = Server::start(Config {
        extensions: Vec::new(),
        ..Config::default()
    });
    let home = tempfile::tempdir().unwrap();
    let socket = home.path().join("smtp.sock");
    // The command line posta() builds (its environment), run through the activator.
    let template = posta(home.path());
    let mut cmd = Command::new("python3");
    cmd.envs(template.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .args(["-c", ACTIVATE])
        .arg(&socket)
        .arg(template.get_program())
        .args(["serve", "--queue", "never", "--flush-interval", "0"])
        .args(["--security", "plain", "--server"])
        .arg(format!("127.0.0.1:{}", server.port()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut port = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let port: u16 = port.trim().parse().expect("the activator's port");
    let ends = messages(port, &["b@example.org"]);
    let stderr = child.stderr.take().unwrap();
    stop(child);
    let mut said = String::new();
    BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .for_each(|l| said.push_str(&format!("{l}\n")));
    let record = server.finish();
    assert!(ends[0].starts_with("250"), "{ends:?}\n{said}");
    assert_eq!(record.messages.len(), 1, "{said}");
    assert!(
        said.contains(&format!("listening on 127.0.0.1:{port}")),
        "{said}"
    );
    assert!(
        said.contains(&format!("listening on unix:{}", socket.display())),
        "{said}"
    );
    // systemd's socket: still there after the service stopped.
    assert!(socket.exists(), "{said}");
}

#[test]
fn without_listen_and_without_systemd_there_is_nothing_to_serve() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["serve", "--server", "127.0.0.1:9"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("nothing to listen on"), "{stderr}");
}
