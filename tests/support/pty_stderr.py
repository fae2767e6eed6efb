"""Run a command with its stderr on a pseudo-terminal (stdin and stdout inherited),
write everything the terminal received to OUTFILE, and exit with the command's code.

    python3 pty_stderr.py OUTFILE COMMAND [ARG...]

For tests of what posta draws only on a terminal (progress bars): a pipe would not do,
and a pty for stderr alone leaves stdin free to carry a message.
"""

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

outfile, command = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
# 24 rows, 120 columns: a bar needs a width, and a fresh pty has none.
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
child = subprocess.Popen(command, stderr=slave)
os.close(slave)
received = bytearray()
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: every copy of the terminal's other end is closed
        break
    if not chunk:
        break
    received += chunk
code = child.wait()
with open(outfile, "wb") as f:
    f.write(received)
sys.exit(code)
