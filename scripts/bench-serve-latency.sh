#!/usr/bin/env bash
# `posta serve` in front of a distant server: the profile's server (the local Postfix's
# 587, STARTTLS + AUTH) is reached through scripts/delay-proxy.py, DELAY_MS each way
# (a round trip of 2 x DELAY_MS). One client connection (loopback, no delay) sends
# MESSAGES messages in a row; the table shows, per message, the time from MAIL to the
# reply to its end of data and that time in upstream round trips. The first message
# opens the upstream session (connect, EHLO, STARTTLS, EHLO, AUTH); the next ones find
# it warm (listen/warm.rs). Median of RUNS runs. Prints figures; asserts nothing.
# Needs the local mail server (scripts/mailserver.sh start).
#   scripts/bench-serve-latency.sh [DELAY_MS] [MESSAGES] [RUNS]   (ports from BENCH_PORT, default 12760)
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${1:-25}
messages=${2:-3}
runs=${3:-3}
base=${BENCH_PORT:-12760}
scripts/mailserver.sh status >/dev/null 2>&1 || { echo "start the mail server first: scripts/mailserver.sh start"; exit 1; }
# shellcheck disable=SC1091
. .e2e/env.sh
cargo build --quiet
posta=${POSTA_BIN:-$PWD/target/debug/posta}
work=$(mktemp -d)
proxy_port=$base; serve_port=$((base + 1))
pids=()
cleanup() { for p in "${pids[@]}" ${serving:-}; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
nice -n -10 python3 scripts/delay-proxy.py "$delay" "$proxy_port:$POSTA_E2E_SUBMISSION_PORT" > "$work/proxy.out" &
pids+=($!)
for _ in $(seq 50); do grep -q ready "$work/proxy.out" 2>/dev/null && break; sleep 0.1; done
home=$work/home; mkdir -p "$home"
export -n POSTA_PROFILE POSTA_CONFIG 2>/dev/null || true
# A new service per run: its first message finds no warm session.
serve() {
  HOME=$home XDG_CONFIG_HOME=$home/config POSTA_PASSWORD=$POSTA_E2E_PASS1 "$posta" serve \
    --listen 127.0.0.1:"$serve_port" --queue never --flush-interval 0 \
    --server localhost:"$proxy_port" --ca-file "$POSTA_E2E_CA" --user "$POSTA_E2E_USER1" \
    2> "$work/serve.err" &
  serving=$!
}
# One client connection, MESSAGES messages; per message the seconds from MAIL to the
# reply to its end of data, one line per run.
client() {
  python3 - "$serve_port" "$messages" "$POSTA_E2E_USER1" "$POSTA_E2E_USER2" <<'PY'
import socket, sys, time
port, n, frm, to = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        break
    except OSError:
        time.sleep(0.05)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if len(line) < 4 or line[3:4] != b"-":
            return line.decode(errors="replace").strip()
def say(text):
    s.sendall(text.encode() + b"\r\n")
reply(); say("EHLO bench.test"); reply()
times = []
for i in range(n):
    start = time.monotonic()
    say(f"MAIL FROM:<{frm}>"); reply()
    say(f"RCPT TO:<{to}>"); reply()
    say("DATA"); reply()
    say(f"From: {frm}\r\nTo: {to}\r\nSubject: serve bench {i}\r\n\r\n" + "x" * 900 + "\r\n.")
    end = reply()
    if not end.startswith("250"):
        sys.exit(f"message {i + 1}: {end}")
    times.append(time.monotonic() - start)
say("QUIT"); reply()
print(" ".join(f"{t:.4f}" for t in times))
PY
}
for _ in $(seq "$runs"); do
  serve
  client
  kill "$serving"; wait "$serving" || true
done > "$work/times"
rtt=$(echo "2 * $delay / 1000" | bc -l)
echo "posta serve, upstream through a ${delay} ms each way proxy (round trip $(echo "$rtt * 1000" | bc -l | cut -d. -f1) ms), $messages messages per client connection, median of $runs runs"
echo
echo "| message | wall (median) | upstream round trips |"
echo "|---|---|---|"
for i in $(seq "$messages"); do
  awk -v i="$i" '{ print $i }' "$work/times" | sort -g | awk -v n="$runs" -v i="$i" -v rtt="$rtt" \
    '{ l[NR] = $0 } END { m = l[int((n + 1) / 2)]; printf "| %d | %.3f s | %.2f |\n", i, m, m / rtt }'
done
