//! The DATA writer: line-ending normalisation and dot-stuffing, fed in pieces.
//! Properties: un-stuffing the wire gives the normalised input; no "." line before
//! the end; no bare CR or LF on the wire.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// Every CRLF, bare CR and bare LF becomes CRLF; a last line without one gets one.
fn normalise(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let (pieces, input) = match data {
        [a, b, rest @ ..] => (vec![usize::from(*a), usize::from(*b)], rest),
        _ => (vec![1], data),
    };
    let wire = posta::fuzzing::data_wire(input, &pieces);
    assert!(wire.ends_with(b".\r\n"));
    // No bare CR or LF anywhere.
    for (i, &b) in wire.iter().enumerate() {
        if b == b'\r' {
            assert_eq!(wire.get(i + 1), Some(&b'\n'), "bare CR at {i}");
        }
        if b == b'\n' {
            assert!(i > 0 && wire[i - 1] == b'\r', "bare LF at {i}");
        }
    }
    // Reference reader: split into lines, the first "." line ends the data.
    let lines: Vec<&[u8]> = wire[..wire.len() - 2].split(|&b| b == b'\n').collect();
    let mut unstuffed = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"." {
            assert_eq!(n, lines.len() - 1, "a '.' line before the end");
            break;
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        unstuffed.extend_from_slice(line);
        unstuffed.extend_from_slice(b"\r\n");
    }
    assert_eq!(unstuffed, normalise(input));
});
