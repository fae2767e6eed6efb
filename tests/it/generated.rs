//! The committed completions and man pages must match what the binary generates
//! from cli.rs; run scripts/generate.sh after changing the CLI.

use std::path::Path;
use std::process::Command;

fn posta(args: &[&str]) -> Vec<u8> {
    let home = tempfile::tempdir().unwrap();
    let out = crate::support::posta(home.path())
        .args(args)
        .output()
        .expect("run posta");
    assert!(
        out.status.success(),
        "posta {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn committed(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read(&full)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/generate.sh", full.display()))
}

#[test]
fn completions_are_fresh() {
    for (shell, file) in [
        ("bash", "posta.bash"),
        ("zsh", "_posta"),
        ("fish", "posta.fish"),
        ("elvish", "posta.elv"),
        ("powershell", "_posta.ps1"),
    ] {
        let generated = posta(&["completions", shell]);
        assert!(!generated.is_empty(), "{shell}: empty completion script");
        assert!(
            generated == committed(&format!("completions/{file}")),
            "completions/{file} is stale: run scripts/generate.sh"
        );
    }
}

#[test]
fn man_pages_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    posta(&["man", "--dir", dir.path().to_str().unwrap()]);
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.contains(&"posta.1".to_string()), "{names:?}");
    assert!(names.contains(&"posta-send.1".to_string()), "{names:?}");
    let mut committed_names: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("man"))
            .expect("man/ exists; run scripts/generate.sh")
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
    committed_names.sort();
    assert_eq!(
        names, committed_names,
        "man/ is stale: run scripts/generate.sh"
    );
    for name in names {
        let generated = std::fs::read(dir.path().join(&name)).unwrap();
        assert!(
            generated == committed(&format!("man/{name}")),
            "man/{name} is stale: run scripts/generate.sh"
        );
    }
    // The single page printed to stdout is the top one.
    let top = String::from_utf8(posta(&["man"])).unwrap();
    assert!(
        top.starts_with(".ie \\n(.g .ds Aq") && top.contains(".TH posta 1"),
        "{top}"
    );
}

#[test]
fn version_names_the_tls_backend() {
    let out = String::from_utf8(posta(&["--version"])).unwrap();
    assert!(
        out.starts_with(&format!("posta {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(
        out.contains("TLS: rustls") || out.contains("TLS: native-tls"),
        "{out}"
    );
}

#[test]
fn completions_into_a_closed_pipe_exit_quietly() {
    use std::process::Stdio;
    // The bash script is larger than a pipe's buffer: its write meets the closed end
    // whenever the reader goes away.
    let mut child = Command::new(env!("CARGO_BIN_EXE_posta"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn man_dir_says_where_it_wrote_and_json_is_one_object() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let out = Command::new(env!("CARGO_BIN_EXE_posta"))
        .args(["--json", "man", "--dir"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "written");
    assert_eq!(json["dir"], target.to_str().unwrap());
    assert!(target.join("posta.1").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_posta"))
        .args(["man", "--dir"])
        .arg(&target)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrote the man pages to "), "{err}");
}
