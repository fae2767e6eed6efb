//! Header fields on the wire: RFC 2047 encoded words, RFC 2231 parameters, and folding.
//!
//! Our own encoder rather than lettre's: lettre leaves a long unbroken token on one
//! line (a 1,210-byte line was measured, over RFC 5322's hard limit of 998), and we
//! must *guarantee* that limit. Here every token that might not fit a line is turned
//! into encoded words, and encoded words are cut to fit the line they land on, always
//! on a UTF-8 character boundary, never longer than 75 characters.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Where we fold when we can (RFC 5322 §2.1.1 "SHOULD").
pub const SOFT_LIMIT: usize = 78;
/// What no line may ever exceed, CRLF excluded (RFC 5322 §2.1.1 "MUST").
pub const HARD_LIMIT: usize = 998;
/// RFC 2047 §2: an encoded word is at most 75 characters.
pub const MAX_ENCODED_WORD: usize = 75;
/// `=?utf-8?B?` + `?=`.
const EW_OVERHEAD: usize = 12;
/// Room needed to place at least one 4-byte character in an encoded word.
const MIN_EW_ROOM: usize = EW_OVERHEAD + 8;

/// A piece of a header value; pieces are separated by one space, where we may fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Emitted as is (ASCII, or a UTF-8 address); never split.
    Word(String),
    /// Text emitted as encoded words (`=?utf-8?B?…?=`), cut to fit lines.
    Encoded(String),
}

/// Render `Name: tokens…` folded, with a trailing CRLF.
pub fn fold(name: &str, tokens: &[Token]) -> String {
    let mut out = format!("{name}:");
    let start = out.len();
    let mut col = out.len();
    for token in tokens {
        match token {
            Token::Word(w) => {
                if col > start && col + 1 + w.len() > SOFT_LIMIT {
                    out.push_str("\r\n");
                    col = 0;
                }
                out.push(' ');
                out.push_str(w);
                col += 1 + w.len();
            }
            Token::Encoded(text) => {
                let mut rest = text.as_str();
                while !rest.is_empty() {
                    let bytes_for = |col: usize| {
                        let room = SOFT_LIMIT.saturating_sub(col + 1);
                        (room.clamp(MIN_EW_ROOM, MAX_ENCODED_WORD) - EW_OVERHEAD) / 4 * 3
                    };
                    let here = cut_point(rest, bytes_for(col));
                    // Fold first when the line is nearly full, or when the rest of this
                    // line would end the encoded word inside a word of the text and a
                    // fresh line would not.
                    let fold_first = col > start
                        && (SOFT_LIMIT.saturating_sub(col + 1) < MIN_EW_ROOM
                            || (!here.1 && cut_point(rest, bytes_for(0)).1));
                    let (cut, _) = if fold_first {
                        out.push_str("\r\n");
                        col = 0;
                        cut_point(rest, bytes_for(col))
                    } else {
                        here
                    };
                    let word = encoded_word(&rest[..cut]);
                    out.push(' ');
                    out.push_str(&word);
                    col += 1 + word.len();
                    rest = &rest[cut..];
                }
            }
        }
    }
    out.push_str("\r\n");
    out
}

/// Where to end the next encoded word: just after the last space that fits, else
/// at a character boundary. RFC 2047 decoders drop
/// the whitespace between encoded words either way; but some (CPython before
/// gh-128110, in display names) keep it, and then a cut at a space costs them a
/// doubled space where a cut inside a word would split the word.
/// Returns the index and whether it falls between words (or at the end).
fn cut_point(s: &str, max: usize) -> (usize, bool) {
    let cut = char_boundary_at_most(s, max);
    if cut == s.len() {
        return (cut, true);
    }
    match s[..cut].rfind(' ') {
        Some(space) if space > 0 => (space + 1, true),
        _ => (cut, false),
    }
}

/// The largest index ≤ `max` on a char boundary, but at least one whole character.
fn char_boundary_at_most(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    if i == 0 {
        s.chars().next().map_or(0, char::len_utf8)
    } else {
        i
    }
}

/// One B-encoded word for `text` (the caller keeps it short enough).
pub fn encoded_word(text: &str) -> String {
    format!("=?utf-8?B?{}?=", STANDARD.encode(text.as_bytes()))
}

/// Whether a word cannot go out as is in unstructured text or a phrase.
fn needs_encoding(word: &str, max_len: usize) -> bool {
    !word.is_ascii()
        || word.len() > max_len
        || word.chars().any(|c| c.is_ascii_control())
        // A word that starts an encoded word would be decoded by the reader; and lenient
        // readers (mail-parser, Python's email) decode one that spans words, even a
        // fold: "=?utf-8?q?x" … "?=" (found by fuzz/header_encode). So "=?" alone.
        || word.contains("=?")
}

/// Unstructured text (Subject, extra headers). Words longer than `long_word` octets
/// are encoded so that they can be split; runs of words that need encoding become
/// one encoded run, so the spaces between them survive (RFC 2047 §6.2 drops
/// whitespace between adjacent encoded words). Runs of whitespace collapse to one.
pub fn unstructured(value: &str, long_word: usize) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut run: Option<String> = None;
    for word in value.split_whitespace() {
        if needs_encoding(word, long_word) {
            match &mut run {
                Some(r) => {
                    r.push(' ');
                    r.push_str(word);
                }
                None => run = Some(word.to_string()),
            }
        } else {
            if let Some(r) = run.take() {
                tokens.push(Token::Encoded(r));
            }
            tokens.push(Token::Word(word.to_string()));
        }
    }
    if let Some(r) = run {
        tokens.push(Token::Encoded(r));
    }
    tokens
}

/// Longest word we emit as is: one that fits a continuation line.
pub const LONG_WORD: usize = SOFT_LIMIT - 1;

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// A display name (RFC 5322 phrase): atoms as they are, specials quoted, non-ASCII
/// (or anything too long to quote on one line) as encoded words.
pub fn phrase(name: &str) -> Vec<Token> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words
        .iter()
        .all(|w| w.chars().all(is_atext) && !needs_encoding(w, LONG_WORD))
    {
        return words
            .into_iter()
            .map(|w| Token::Word(w.to_string()))
            .collect();
    }
    if name.is_ascii() && !name.chars().any(|c| c.is_ascii_control()) && !name.contains("=?") {
        let quoted = quote(name);
        if quoted.len() <= LONG_WORD {
            return vec![Token::Word(quoted)];
        }
    }
    vec![Token::Encoded(name.to_string())]
}

/// An RFC 5322 quoted-string.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// `value; p1; p2` as tokens, the `;` glued to the token before it.
pub fn with_params(value: &str, params: Vec<String>) -> Vec<Token> {
    let mut tokens = vec![value.to_string()];
    tokens.extend(params);
    let n = tokens.len();
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| Token::Word(if i + 1 < n { format!("{t};") } else { t }))
        .collect()
}

fn is_attr_char(b: u8) -> bool {
    // RFC 2231 attribute-char: token characters minus '*', '\'' and '%'.
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `filename=…` for Content-Disposition: quoted when plain ASCII and short, otherwise
/// RFC 2231 `filename*=utf-8''…`, split into `filename*0*`, `filename*1*`, … when long
/// (never splitting a character, so each piece stays ≤ ~70 octets).
pub fn rfc2231_param(param: &str, value: &str) -> Vec<String> {
    let plain = value.chars().all(|c| (' '..='~').contains(&c));
    if plain && value.len() + param.len() + 3 <= LONG_WORD {
        return vec![format!("{param}={}", quote(value))];
    }
    let mut pieces = vec![String::from("utf-8''")];
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut enc = String::new();
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            if is_attr_char(b) {
                enc.push(b as char);
            } else {
                enc.push_str(&format!("%{b:02X}"));
            }
        }
        let last = pieces.last_mut().expect("never empty");
        if last.len() + enc.len() > 60 {
            pieces.push(enc);
        } else {
            last.push_str(&enc);
        }
    }
    if pieces.len() == 1 {
        return vec![format!("{param}*={}", pieces[0])];
    }
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, p)| format!("{param}*{i}*={p}"))
        .collect()
}

/// `name=…` for Content-Type, for clients that ignore RFC 2231: quoted ASCII, or RFC
/// 2047 words inside the quotes (not standard, but what such clients understand).
/// File names are at most 255 octets, so this token stays far below 998.
pub fn legacy_name_param(value: &str) -> String {
    if value.chars().all(|c| (' '..='~').contains(&c)) {
        return format!("name={}", quote(value));
    }
    let mut words = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let cut = char_boundary_at_most(rest, 45);
        words.push(encoded_word(&rest[..cut]));
        rest = &rest[cut..];
    }
    format!("name=\"{}\"", words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(h: &str) -> Vec<&str> {
        assert!(h.ends_with("\r\n"));
        h[..h.len() - 2].split("\r\n").collect()
    }

    /// A small RFC 2047 decoder for the round trips (B encoding only, as we emit).
    fn decode(h: &str) -> String {
        let unfolded = h.trim_end_matches("\r\n").replace("\r\n", "");
        let value = unfolded.split_once(':').unwrap().1;
        let mut out = String::new();
        let mut prev_encoded = false;
        for (i, w) in value.split(' ').enumerate().skip(1) {
            if let Some(b64) = w
                .strip_prefix("=?utf-8?B?")
                .and_then(|w| w.strip_suffix("?="))
            {
                let bytes = STANDARD.decode(b64).unwrap();
                if !prev_encoded && i > 1 {
                    out.push(' ');
                }
                out.push_str(std::str::from_utf8(&bytes).expect("split a character"));
                prev_encoded = true;
            } else {
                if i > 1 {
                    out.push(' ');
                }
                out.push_str(w);
                prev_encoded = false;
            }
        }
        out
    }

    fn check_limits(h: &str) {
        for line in lines(h) {
            assert!(line.len() <= HARD_LIMIT, "line of {} octets", line.len());
            for w in line.split(' ').filter(|w| w.starts_with("=?")) {
                assert!(w.len() <= MAX_ENCODED_WORD, "encoded word of {}", w.len());
            }
        }
    }

    #[test]
    fn plain_subject_stays_plain_and_folds_at_spaces() {
        let text = "word ".repeat(40);
        let h = fold("Subject", &unstructured(&text, LONG_WORD));
        assert!(!h.contains("=?"));
        assert!(lines(&h).iter().all(|l| l.len() <= SOFT_LIMIT));
        assert!(lines(&h).len() > 1);
        assert_eq!(decode(&h), text.trim_end());
    }

    #[test]
    fn non_ascii_subjects_round_trip_within_limits() {
        for text in [
            "Привет, мир! Это тестовое письмо с длинной темой на русском языке для проверки",
            "Καλημέρα κόσμε — ελληνικό θέμα",
            "日本語の件名テスト、長い件名を正しく折り返すことができるかどうかを確認します。",
            "🎉🚀 emoji party 👩‍👩‍👧‍👦 and more 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
            "mixed ascii and ünïcödé words",
        ] {
            let h = fold("Subject", &unstructured(text, LONG_WORD));
            check_limits(&h);
            assert!(lines(&h).iter().all(|l| l.len() <= SOFT_LIMIT), "{h}");
            assert_eq!(decode(&h), text);
        }
    }

    #[test]
    fn long_unbroken_token_is_split() {
        let text = "x".repeat(1200);
        let h = fold("Subject", &unstructured(&text, LONG_WORD));
        check_limits(&h);
        assert!(lines(&h).iter().all(|l| l.len() <= SOFT_LIMIT));
        assert_eq!(decode(&h), text);
    }

    #[test]
    fn pseudo_random_values_stay_within_limits_and_round_trip() {
        // A fixed-seed generator over pieces that stress the encoder: multi-byte
        // characters of every width, long tokens, specials, and look-alike encoded words.
        let pieces = [
            "a",
            "Z",
            " ",
            "  ",
            "é",
            "Ж",
            "Ω",
            "日",
            "🎉",
            "=?",
            "?=",
            "\"",
            ",",
            "x".repeat(90).leak(),
            "\t",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let len = (next() % 200) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let h = fold("Subject", &unstructured(&text, LONG_WORD));
            check_limits(&h);
            assert!(lines(&h).iter().all(|l| l.len() <= SOFT_LIMIT), "{h}");
            assert_eq!(
                decode(&h),
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            let name = fold("From", &phrase(&text));
            check_limits(&name);
        }
    }

    #[test]
    fn phrases_are_atoms_quoted_or_encoded() {
        assert_eq!(
            phrase("Jane Doe"),
            vec![Token::Word("Jane".into()), Token::Word("Doe".into())]
        );
        assert_eq!(
            phrase("Doe, Jane"),
            vec![Token::Word("\"Doe, Jane\"".into())]
        );
        assert_eq!(
            phrase(r#"a "b" c"#),
            vec![Token::Word(r#""a \"b\" c""#.into())]
        );
        assert_eq!(phrase("Иван"), vec![Token::Encoded("Иван".into())]);
    }

    #[test]
    fn long_filenames_use_continuations_without_splitting_characters() {
        let name = "отчёт за очень длинный период времени с примечаниями.pdf";
        let params = rfc2231_param("filename", name);
        assert!(params.len() > 1);
        let mut bytes = Vec::new();
        for (i, p) in params.iter().enumerate() {
            assert!(p.len() < 80);
            let value = p.strip_prefix(&format!("filename*{i}*=")).unwrap();
            let value = value.strip_prefix("utf-8''").unwrap_or(value);
            let piece = percent_decode(value);
            assert!(
                std::str::from_utf8(&piece).is_ok(),
                "piece {i} splits a character"
            );
            bytes.extend(piece);
        }
        assert_eq!(String::from_utf8(bytes).unwrap(), name);
        assert_eq!(
            rfc2231_param("filename", "a.txt"),
            vec!["filename=\"a.txt\""]
        );
    }

    fn percent_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }
}
