"""Run a command with its stdin on a pseudo-terminal that is also its controlling
terminal (stdout and stderr inherited), and exit with the command's code.

    python3 pty_stdin.py COMMAND [ARG...]

For tests of what posta does only when stdin is a terminal (`posta send` with no body
opens $EDITOR). Nothing is typed: whatever the terminal is sent is read and dropped,
so an editor that draws on /dev/tty never blocks.
"""

import fcntl
import os
import pty
import subprocess
import sys
import termios

command = sys.argv[1:]
master, slave = pty.openpty()


def take_terminal():
    # Runs in the child after setsid (start_new_session) and after stdin is the pty:
    # make it the controlling terminal, so /dev/tty is this pty, not the test runner's.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


child = subprocess.Popen(command, stdin=slave, start_new_session=True, preexec_fn=take_terminal)
os.close(slave)
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: every copy of the terminal's other end is closed
        break
    if not chunk:
        break
sys.exit(child.wait())
