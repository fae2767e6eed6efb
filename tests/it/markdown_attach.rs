//! Issue 21 items 11 and 12: `send --markdown` and attachments from a pipe, checked
//! through the binary with `--dry-run` and Python's email parser.

use std::path::Path;
use std::process::{Output, Stdio};

use crate::support::{hermetic, parse, posta, stderr};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n not really a png \x00\x01\x02";

fn send(home: &Path, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = posta(home);
    cmd.current_dir(dir)
        .args(["send", "--dry-run", "--from", "jane@example.com"])
        .args(["--to", "bob@example.org", "-s", "s"])
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        // posta may refuse the command line and exit before reading stdin: then the
        // pipe is closed, and that is not the test's failure.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    child.wait_with_output().unwrap()
}

fn part<'a>(node: &'a serde_json::Value, content_type: &str) -> Option<&'a serde_json::Value> {
    if node["content_type"] == content_type {
        return Some(node);
    }
    node["parts"]
        .as_array()?
        .iter()
        .find_map(|p| part(p, content_type))
}

const MARKDOWN: &str = "# Report\n\n\
| a | b |\n|---|---|\n| 1 | 2 |\n\n\
```\nlet x = 1 < 2;\n```\n\n\
<script>alert(1)</script>\n\n\
![logo](img/logo.png) and ![remote](https://example.org/r.png)\n";

#[test]
fn markdown_file_is_sent_as_its_source_and_its_rendering_with_images_inline() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("notes/img")).unwrap();
    std::fs::write(dir.path().join("notes/report.md"), MARKDOWN).unwrap();
    std::fs::write(dir.path().join("notes/img/logo.png"), PNG).unwrap();
    // Run from elsewhere: the image is found relative to the Markdown file.
    let out = send(
        home.path(),
        dir.path(),
        &["--markdown-file", "notes/report.md"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = parse(&out.stdout);
    assert_eq!(
        m["shape"], "multipart/alternative[text/plain,multipart/related[text/html,image/png]]",
        "{m}"
    );
    let body = &m["body"];
    assert_eq!(part(body, "text/plain").unwrap()["text"], MARKDOWN);
    let html = part(body, "text/html").unwrap()["text"].as_str().unwrap();
    assert!(
        html.contains("<table>") && html.contains("<td>1</td>"),
        "{html}"
    );
    assert!(
        html.contains("<pre><code>let x = 1 &lt; 2;\n</code></pre>"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains(r#"src="https://example.org/r.png""#),
        "{html}"
    );
    let image = part(body, "image/png").unwrap();
    assert_eq!(image["disposition"], "inline");
    assert_eq!(image["size"], PNG.len());
    let cid = image["content_id"].as_str().unwrap();
    let cid = cid.trim_start_matches('<').trim_end_matches('>');
    assert!(
        html.contains(&format!(r#"src="cid:{cid}""#)),
        "{cid} in {html}"
    );
}

#[test]
fn markdown_text_allows_html_on_request_and_conflicts_with_other_bodies() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = send(
        home.path(),
        dir.path(),
        &["--markdown", "hi <b>there</b>", "--markdown-allow-html"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = parse(&out.stdout);
    let html = part(&m["body"], "text/html").unwrap()["text"]
        .as_str()
        .unwrap();
    assert!(html.contains("<p>hi <b>there</b></p>"), "{html}");

    for other in [["--body", "x"], ["--html", "<p>x</p>"]] {
        let out = send(
            home.path(),
            dir.path(),
            &[&["--markdown", "x"][..], &other[..]].concat(),
            None,
        );
        assert_eq!(out.status.code(), Some(64), "{other:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // A missing image is a missing input file, named.
    let out = send(
        home.path(),
        dir.path(),
        &["--markdown", "![x](nope.png)"],
        None,
    );
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("nope.png"), "{}", stderr(&out));
}

#[test]
fn markdown_from_stdin_and_over_the_limit() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = send(
        home.path(),
        dir.path(),
        &["--markdown-file", "-"],
        Some(b"*a* ~~b~~\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = parse(&out.stdout);
    assert_eq!(
        part(&m["body"], "text/plain").unwrap()["text"],
        "*a* ~~b~~\n"
    );
    let html = part(&m["body"], "text/html").unwrap()["text"]
        .as_str()
        .unwrap();
    assert!(html.contains("<em>a</em> <del>b</del>"), "{html}");

    let big = dir.path().join("big.md");
    std::fs::write(&big, vec![b'x'; (10 << 20) + 1]).unwrap();
    let out = send(
        home.path(),
        dir.path(),
        &["--markdown-file", "big.md"],
        None,
    );
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("10 MiB"), "{}", stderr(&out));
}

fn attachment<'a>(m: &'a serde_json::Value, filename: &str) -> &'a serde_json::Value {
    m["body"]["parts"]
        .as_array()
        .unwrap_or_else(|| panic!("not multipart: {m}"))
        .iter()
        .find(|p| p["filename"] == filename)
        .unwrap_or_else(|| panic!("no attachment {filename}: {m}"))
}

fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(data))
}

#[test]
fn an_attachment_from_a_shell_pipe_is_spooled_and_named() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "n\n").unwrap();
    // A real process substitution: posta gets /dev/fd/63, a pipe.
    let mut bash = std::process::Command::new("bash");
    hermetic(&mut bash, home.path());
    let out = bash
        .arg("-c")
        .arg(
            r#""$0" -v send --dry-run --from jane@example.com --to bob@example.org --body hi \
                -a <(printf 'a,b\n1,2\n'; head -c 200000 /dev/zero | tr '\0' x) --attach-name report.csv \
                -a notes.txt --attach-type application/x-notes"#,
        )
        .arg(env!("CARGO_BIN_EXE_posta"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = parse(&out.stdout);
    let data = format!("a,b\n1,2\n{}", "x".repeat(200_000));
    let csv = attachment(&m, "report.csv");
    assert_eq!(csv["content_type"], "text/csv");
    assert_eq!(csv["disposition"], "attachment");
    assert!(csv["text"] == data.as_str(), "the CSV's bytes differ");
    let notes = attachment(&m, "notes.txt");
    assert_eq!(notes["content_type"], "application/x-notes", "{notes}");
    assert!(
        stderr(&out).contains("into a temporary file (a pipe has no size up front)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_attachment_from_stdin_leaves_the_body_to_the_flags() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = b"%PDF-1.4 \x00\xff binary".as_slice();
    let out = send(
        home.path(),
        dir.path(),
        &[
            "--body",
            "see attached",
            "-a",
            "-",
            "--attach-name",
            "scan.pdf",
        ],
        Some(data),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = parse(&out.stdout);
    assert_eq!(
        m["shape"], "multipart/mixed[text/plain,application/pdf]",
        "{m}"
    );
    assert_eq!(m["body"]["parts"][0]["text"], "see attached\n");
    let pdf = attachment(&m, "scan.pdf");
    assert_eq!(pdf["sha256"], sha256(data), "{pdf}");

    // No body flag: stdin is the attachment, and the message has no text part.
    let out = send(home.path(), dir.path(), &["-a", "-"], Some(data));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = parse(&out.stdout);
    assert_eq!(m["shape"], "application/octet-stream", "{m}");
    assert_eq!(m["body"]["filename"], "attachment", "{m}");
    assert_eq!(m["body"]["sha256"], sha256(data), "{m}");

    // Stdin read twice, a name for no -a, a name given twice, a bad type: usage errors.
    for args in [
        &["-a", "-", "--body-file", "-"][..],
        &["-a", "-", "-a", "-"],
        &["--attach-name", "x.csv", "-a", "-"],
        &["-a", "-", "--attach-name", "x", "--attach-name", "y"],
    ] {
        let out = send(home.path(), dir.path(), args, Some(data));
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = send(
        home.path(),
        dir.path(),
        &["-a", "-", "--attach-type", "pdf"],
        Some(data),
    );
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--attach-type \"pdf\""),
        "{}",
        stderr(&out)
    );
}
