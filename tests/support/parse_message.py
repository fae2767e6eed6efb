#!/usr/bin/env python3
"""Independent check of posta's output: parse the message on stdin with Python's
`email` package (policy.default) and print what a mail client would see, as JSON.

Used by tests/it/compose.rs so that posta's encoder is judged by a parser it shares no
code with.
"""
import email
import hashlib
import json
import sys
from email import policy


def addresses(msg, name):
    header = msg[name]
    if header is None:
        return None
    return [{"name": a.display_name, "addr": a.addr_spec} for a in header.addresses]


def describe(part):
    info = {
        "content_type": part.get_content_type(),
        "cte": (part.get("Content-Transfer-Encoding") or "").lower() or None,
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "content_id": part.get("Content-ID"),
    }
    if part.is_multipart():
        info["parts"] = [describe(p) for p in part.iter_parts()]
    elif part.get_content_maintype() == "text":
        info["text"] = part.get_content().replace("\r\n", "\n")
    else:
        data = part.get_payload(decode=True) or b""
        info["sha256"] = hashlib.sha256(data).hexdigest()
        info["size"] = len(data)
    info["defects"] = [type(d).__name__ for d in part.defects]
    return info


def shape(info):
    if "parts" in info:
        return "%s[%s]" % (info["content_type"], ",".join(shape(p) for p in info["parts"]))
    return info["content_type"]


def main():
    raw = sys.stdin.buffer.read()
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if any(b > 127 for b in head):
        # Raw UTF-8 headers (RFC 6532, as sendmail input may carry): the bytes parser
        # would keep them as surrogate escapes, so parse the decoded text instead.
        msg = email.message_from_string(raw.decode("utf-8"), policy=policy.default)
    else:
        msg = email.message_from_bytes(raw, policy=policy.default)
    lines = raw.split(b"\r\n")
    body = describe(msg)
    result = {
        "subject": msg["Subject"],
        "from": addresses(msg, "From"),
        "to": addresses(msg, "To"),
        "cc": addresses(msg, "Cc"),
        "reply_to": addresses(msg, "Reply-To"),
        "bcc_present": "Bcc" in msg,
        "date": msg["Date"],
        "date_parsed": msg["Date"] is not None and msg["Date"].datetime is not None,
        "message_id": msg["Message-ID"],
        "in_reply_to": msg["In-Reply-To"],
        "references": msg["References"],
        "mime_version": msg["MIME-Version"],
        "headers": {k: str(v) for k, v in msg.items()},
        "header_names": list(msg.keys()),
        "shape": shape(body),
        "body": body,
        "max_line_len": max(len(l) for l in lines),
        # Every line ends in CRLF: no bare CR or LF anywhere, and a final CRLF.
        "all_crlf": raw.endswith(b"\r\n") and all(b"\n" not in l and b"\r" not in l for l in lines),
        "ascii_only": all(b < 128 for b in raw),
        "raw_header_lines": [l.decode("utf-8", "replace") for l in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")],
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
