#!/usr/bin/env python3
"""Python's smtplib speaking SMTP to `sendmail -bs` through the child's stdin/stdout
pipes (smtplib only knows sockets: a small object with sendall/makefile stands in).

Usage: smtplib_pipe.py SENDMAIL TAG FROM TO [TO...]
Sends two messages in one dialogue (the second one 8-bit, declared BODY=8BITMIME) and
prints one JSON object: the reply to each end of data.
"""
import json
import smtplib
import subprocess
import sys
from email.message import EmailMessage


class Pipe:
    def __init__(self, proc):
        self.proc = proc

    def sendall(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def makefile(self, mode):
        return self.proc.stdout

    def close(self):
        self.proc.stdin.close()


def main():
    sendmail, tag, sender, *rcpts = sys.argv[1:]
    proc = subprocess.Popen([sendmail, "-bs"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    smtp = smtplib.SMTP()
    smtp.sock = Pipe(proc)
    greeting = smtp.getreply()
    smtp.ehlo("smtplib.client")
    replies = []
    for i, body in enumerate(["plain text\n", "ünïcödé text\n"]):
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = rcpts[0]
        msg["Subject"] = f"{tag} {i}"
        msg.set_content(body, cte="8bit" if i else "7bit")
        options = ["BODY=8BITMIME"] if i else []
        smtp.mail(sender, options)
        for r in rcpts:
            code, text = smtp.rcpt(r)
            assert code == 250, (code, text)
        code, text = smtp.data(msg.as_bytes().replace(b"\n", b"\r\n"))
        replies.append([code, text.decode()])
    quit_reply = smtp.docmd("QUIT")
    proc.stdin.close()
    status = proc.wait(timeout=30)
    json.dump(
        {"greeting": greeting[0], "replies": replies, "quit": quit_reply[0], "status": status},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
