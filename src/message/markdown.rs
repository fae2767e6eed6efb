//! `--markdown` / `--markdown-file`: the Markdown source becomes the text/plain part and
//! its rendering (pulldown-cmark: tables, strikethrough, footnotes, task lists) the
//! text/html part. Local images it references are attached inline and the reference is
//! rewritten to `cid:`; remote ones (http, https, …) stay links. Raw HTML in the source
//! is escaped unless the caller allows it: Markdown from elsewhere should not be able
//! to smuggle markup into the message.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

use super::{BodySource, ComposeError};

/// The largest Markdown source rendered (it is read whole to render).
pub const MAX_MARKDOWN: u64 = 10 << 20;

/// A Markdown body as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown {
    pub source: BodySource,
    /// Where relative image paths are looked up: the Markdown file's directory, or the
    /// current directory for TEXT and stdin.
    pub base: PathBuf,
    /// Pass raw HTML through instead of escaping it.
    pub allow_html: bool,
}

/// The rendered body: the source, the HTML, and the local images with their Content-IDs.
#[derive(Debug)]
pub struct Rendered {
    pub source: String,
    pub html: String,
    pub images: Vec<(PathBuf, String)>,
}

/// Read (bounded) and render `md`.
pub fn render(md: &Markdown) -> Result<Rendered, ComposeError> {
    let source = read_source(&md.source)?;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut images: Vec<(PathBuf, String)> = Vec::new();
    let mut events = Vec::new();
    for event in Parser::new_ext(&source, options) {
        let event = match event {
            Event::Html(raw) | Event::InlineHtml(raw) if !md.allow_html => Event::Text(raw),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match local_path(&dest_url) {
                    Some(rel) => {
                        let path = md.base.join(super::cid::percent_decoded(rel.as_bytes()));
                        let cid = match images.iter().find(|(p, _)| p == &path) {
                            Some((_, cid)) => cid.clone(),
                            None => {
                                let cid = content_id(images.len() + 1, &path);
                                images.push((path, cid.clone()));
                                cid
                            }
                        };
                        CowStr::from(format!("cid:{cid}"))
                    }
                    None => dest_url,
                };
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => other,
        };
        events.push(event);
    }
    let mut body = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut body, events.into_iter());
    let html = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"></head>\n<body>\n{body}</body>\n</html>\n"
    );
    Ok(Rendered {
        source,
        html,
        images,
    })
}

fn read_source(source: &BodySource) -> Result<String, ComposeError> {
    let (what, bytes) = match source {
        BodySource::Text(t) => ("--markdown".to_string(), t.clone().into_bytes()),
        BodySource::Stdin => ("--markdown-file -".to_string(), {
            bounded_read(io::stdin().lock(), Path::new("-"))?
        }),
        BodySource::File(path) => {
            let file = crate::regular_file::open(path).map_err(|source| ComposeError::NoInput {
                path: path.clone(),
                source,
            })?;
            (path.display().to_string(), bounded_read(file, path)?)
        }
    };
    if bytes.len() as u64 > MAX_MARKDOWN {
        return Err(ComposeError::BadInput(format!(
            "{what}: the Markdown is over {} MiB, more than posta renders; send it as \
             --body-file or attach it with -a",
            MAX_MARKDOWN >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        ComposeError::BadInput(format!(
            "{what}: the Markdown is not UTF-8 text (convert it, e.g. with iconv)"
        ))
    })
}

/// At most one byte over the limit, so that an endless input is not read to its end.
fn bounded_read(input: impl Read, path: &Path) -> Result<Vec<u8>, ComposeError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_MARKDOWN + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ComposeError::NoInput {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(bytes)
}

/// The file an image URL names, when it names a local file: no scheme (http:, cid:,
/// data:, …), no network path (`//host/x`), no fragment-only or empty URL.
fn local_path(url: &str) -> Option<&str> {
    let url = url.trim();
    if url.is_empty() || url.starts_with('#') || url.starts_with("//") {
        return None;
    }
    if let Some((scheme, _)) = url.split_once(':') {
        let is_scheme = scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if is_scheme {
            return None;
        }
    }
    Some(url)
}

/// `img<n>.<file name, as safe ASCII>@posta`: unique within the message, and a valid
/// msg-id for the Content-ID header.
fn content_id(n: usize, path: &Path) -> String {
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("img{n}.{name}@posta")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str, allow_html: bool) -> Rendered {
        render(&Markdown {
            source: BodySource::Text(text.into()),
            base: PathBuf::from("/base"),
            allow_html,
        })
        .unwrap()
    }

    #[test]
    fn local_images_become_cid_references_and_remote_ones_stay() {
        let r = md(
            "![a](logo.png) ![b](https://x.org/a.png) ![c](logo.png) ![d](<sub/my pic.png>) ![e](sub/my%20pic.png)",
            false,
        );
        assert_eq!(
            r.images,
            [
                (
                    PathBuf::from("/base/logo.png"),
                    "img1.logo.png@posta".into()
                ),
                (
                    PathBuf::from("/base/sub/my pic.png"),
                    "img2.my_pic.png@posta".into()
                ),
            ]
        );
        assert!(
            r.html.contains(r#"src="cid:img1.logo.png@posta""#),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(r#"src="https://x.org/a.png""#),
            "{}",
            r.html
        );
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let src = "<script>alert(1)</script>\n\nhi <b>there</b>\n";
        let escaped = md(src, false).html;
        assert!(
            !escaped.contains("<script>") && !escaped.contains("<b>"),
            "{escaped}"
        );
        assert!(escaped.contains("&lt;script&gt;"), "{escaped}");
        let allowed = md(src, true).html;
        assert!(
            allowed.contains("<script>") && allowed.contains("<b>"),
            "{allowed}"
        );
    }

    #[test]
    fn schemes_are_not_local_files() {
        for url in [
            "http://x/a.png",
            "cid:a",
            "data:image/png;base64,AA",
            "//host/a.png",
            "#x",
        ] {
            assert_eq!(local_path(url), None, "{url}");
        }
        assert_eq!(local_path("img/a.png"), Some("img/a.png"));
        assert_eq!(local_path("C:x.png"), Some("C:x.png"));
    }
}
