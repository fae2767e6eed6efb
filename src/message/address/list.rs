//! Address lists as written: one quote/comment scanner ([`Scan`]) and the readers built
//! on it, which split a list into mailboxes (a person's comma-separated `--to`, or a
//! header's RFC 5322 address-list with groups), strip comments, and find backslashes
//! outside quotes. Each mailbox is then read by [`super::parse_mailbox`].

use super::{Lexeme, Mailbox, lex, parse_mailbox};

/// Where a character of a header value stands: RFC 5322 quoted strings and (nested)
/// comments, each with `\\` escapes. One scanner for all the readers below, so that
/// they cannot disagree about where a comment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Outside quotes and comments (a backslash here is no escape).
    Plain,
    /// In a quoted string, its quotes and escapes included.
    Quoted,
    /// The `(` that opens a comment outside any other.
    CommentOpen,
    /// In a comment, its closing `)` and escapes included.
    Comment,
}

struct Scan<'a> {
    chars: std::str::Chars<'a>,
    quote: bool,
    depth: u32,
    escaped: bool,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan {
            chars: s.chars(),
            quote: false,
            depth: 0,
            escaped: false,
        }
    }
}

impl Iterator for Scan<'_> {
    type Item = (char, Part);

    fn next(&mut self) -> Option<(char, Part)> {
        let c = self.chars.next()?;
        let inside = if self.depth > 0 {
            Part::Comment
        } else {
            Part::Quoted
        };
        if self.escaped {
            self.escaped = false;
            return Some((c, inside));
        }
        if self.depth > 0 {
            match c {
                '\\' => self.escaped = true,
                '(' => self.depth += 1,
                ')' => self.depth -= 1,
                _ => {}
            }
            return Some((c, Part::Comment));
        }
        if self.quote {
            match c {
                '\\' => self.escaped = true,
                '"' => self.quote = false,
                _ => {}
            }
            return Some((c, Part::Quoted));
        }
        Some(match c {
            '"' => {
                self.quote = true;
                (c, Part::Quoted)
            }
            '(' => {
                self.depth = 1;
                (c, Part::CommentOpen)
            }
            _ => (c, Part::Plain),
        })
    }
}

/// `s` without its comments (parentheses outside quoted strings), each replaced by a
/// space; an unclosed comment runs to the end.
pub(super) fn strip_comments(s: &str) -> String {
    Scan::new(s)
        .filter_map(|(c, part)| match part {
            Part::CommentOpen => Some(' '),
            Part::Comment => None,
            Part::Plain | Part::Quoted => Some(c),
        })
        .collect()
}

/// Parse a comma-separated list. Commas inside quotes, comments or angle brackets do
/// not split.
/// Empty items (`a@x,,b@x`, a trailing comma) are skipped.
pub fn parse_list(input: &str) -> Result<Vec<Mailbox>, String> {
    split_list(input)?
        .into_iter()
        .filter(|item| !item.trim().is_empty())
        .map(|item| parse_mailbox(&item))
        .collect()
}

fn split_list(input: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut in_angle = false;
    let mut scan = Scan::new(input);
    for (c, part) in scan.by_ref() {
        if part == Part::Plain {
            match c {
                '<' => in_angle = true,
                '>' => in_angle = false,
                ',' if !in_angle => {
                    items.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
        }
        cur.push(c);
    }
    if scan.quote {
        return Err(format!("unbalanced quote in {input:?}"));
    }
    if scan.depth > 0 {
        return Err(format!("unbalanced '(' in {input:?}"));
    }
    items.push(cur);
    Ok(items)
}

/// Parse an RFC 5322 address-list as headers hold it (§3.4): mailboxes and groups,
/// `display-name ":" [mailbox-list] ";"`, each group giving its members
/// (`undisclosed-recipients:;` gives none, `Team: a@x, b@y;` gives both). Unlike
/// [`parse_list`], which reads what a person typed as `--to` (a group is no mailbox to
/// send to), this reads the To, Cc and Bcc of a finished message.
pub fn parse_address_list(input: &str) -> Result<Vec<Mailbox>, String> {
    split_address_list(input)?
        .iter()
        .map(|item| parse_mailbox(item))
        .collect()
}

/// The mailboxes of an address-list, unparsed, each group replaced by its members.
/// Commas inside quotes, comments, angle brackets or a domain literal do not split;
/// empty items are skipped. Lenient where it costs nothing: a group's closing ';' may
/// be left out at the end, its name may be empty, and a ';' outside a group separates
/// like a comma (as some mail programs write lists).
pub fn split_address_list(input: &str) -> Result<Vec<String>, String> {
    let mut items: Vec<String> = Vec::new();
    let mut cur = String::new();
    let (mut in_angle, mut in_literal, mut in_group) = (false, false, false);
    let mut scan = Scan::new(input);
    for (c, part) in scan.by_ref() {
        if part == Part::Plain && !in_angle && !in_literal {
            match c {
                ',' | ';' => {
                    in_group &= c == ',';
                    items.push(std::mem::take(&mut cur));
                    continue;
                }
                ':' => {
                    let name = std::mem::take(&mut cur);
                    if in_group {
                        return Err(format!(
                            "a group inside a group (a ';' is missing before {:?})",
                            name.trim()
                        ));
                    }
                    check_group_name(&name)
                        .map_err(|e| format!("malformed group {:?}: {e}", name.trim()))?;
                    in_group = true;
                    continue;
                }
                _ => {}
            }
        }
        if part == Part::Plain {
            match c {
                '<' => in_angle = true,
                '>' => in_angle = false,
                '[' if !in_angle => in_literal = true,
                ']' => in_literal = false,
                _ => {}
            }
        }
        cur.push(c);
    }
    if scan.quote {
        return Err(format!("unbalanced quote in {input:?}"));
    }
    if scan.depth > 0 {
        return Err(format!("unbalanced '(' in {input:?}"));
    }
    items.push(cur);
    items.retain(|item| !item.trim().is_empty());
    Ok(items)
}

/// A group's display name: a phrase (words, quoted strings, comments), or nothing.
fn check_group_name(name: &str) -> Result<(), String> {
    if lex(name.trim())?
        .iter()
        .any(|l| matches!(l, Lexeme::At | Lexeme::Open | Lexeme::Close))
    {
        return Err("'@', '<' or '>' in the name before ':'".into());
    }
    Ok(())
}

/// The item of an address list (as written in a header) that has a backslash outside
/// a quoted string and a comment, where RFC 5322 allows it only in obsolete syntax.
pub fn backslash_outside_quotes(list: &str) -> Option<String> {
    let items = split_list(list).unwrap_or_else(|_| vec![list.to_string()]);
    items
        .into_iter()
        .find(|item| Scan::new(item).any(|(c, part)| c == '\\' && part == Part::Plain))
        .map(|item| item.trim().to_string())
}
