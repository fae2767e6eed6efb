#!/usr/bin/env python3
"""Python's smtplib against `posta serve`, on TCP (host:port) or a Unix socket
(unix:PATH; smtplib has no such transport, so connect() is given the socket).

Usage: smtplib_serve.py ADDRESS TAG COUNT FROM TO [TO...]
Sends COUNT messages over one connection, the Bcc recipients in the envelope only, and
prints one JSON object: the reply to each end of data.
"""
import json
import smtplib
import socket
import sys
from email.message import EmailMessage


class UnixSMTP(smtplib.SMTP):
    def __init__(self, path):
        self.path = path
        super().__init__()

    def connect(self, host="localhost", port=0, source_address=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)
        self.file = None
        return self.getreply()


def main():
    address, tag, count, sender, to, *bcc = sys.argv[1:]
    if address.startswith("unix:"):
        smtp = UnixSMTP(address[len("unix:"):])
        smtp.connect()
    else:
        host, port = address.rsplit(":", 1)
        smtp = smtplib.SMTP(host, int(port), timeout=60)
    smtp.ehlo("smtplib.client")
    replies = []
    for i in range(int(count)):
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = f"{tag} {i}"
        msg.set_content(f"message {i}\n.starts with a dot\n")
        smtp.mail(sender)
        for r in [to, *bcc]:
            code, text = smtp.rcpt(r)
            assert code == 250, (code, text)
        code, text = smtp.data(msg.as_bytes())
        replies.append([code, text.decode()])
    smtp.quit()
    json.dump({"replies": replies}, sys.stdout)


if __name__ == "__main__":
    main()
