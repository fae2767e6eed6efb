//! The README's shell blocks marked `<!-- runnable -->` are run, in order, by bash in
//! one empty home (HOME and the XDG directories in a temp dir, `posta` on the PATH),
//! so the commands it shows are the commands that work. They must not need the
//! network: only dry runs and local files.

use std::path::Path;

/// The ```sh blocks that follow a line starting with `<!-- runnable`.
fn runnable_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("<!-- runnable") {
            continue;
        }
        assert_eq!(
            lines.next(),
            Some("```sh"),
            "a runnable mark not above ```sh"
        );
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        blocks.push(block.join("\n"));
    }
    blocks
}

#[test]
fn the_readmes_runnable_blocks_run() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks = runnable_blocks(&readme);
    assert!(blocks.len() >= 3, "{} runnable blocks", blocks.len());
    let home = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_posta")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for block in blocks {
        let mut cmd = std::process::Command::new("bash");
        crate::support::hermetic(&mut cmd, home.path());
        let out = cmd
            .env_remove("BASH_COMPLETION_USER_DIR")
            .env("PATH", &path)
            .current_dir(home.path())
            .args(["--norc", "-e", "-o", "pipefail", "-c", &block])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README block failed ({:?}):\n{block}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the blocks say they make.
    assert!(home.path().join("preview/00002.eml").exists());
    assert!(
        home.path()
            .join("data/bash-completion/completions/posta")
            .exists()
    );
}
