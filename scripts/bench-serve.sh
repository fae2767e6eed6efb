#!/usr/bin/env bash
# posta serve's throughput and memory, with the local Postfix of scripts/mailserver.sh as
# the upstream (STARTTLS + AUTH on its submission port, as a provider would be):
#   - messages/s through `posta serve` with 1 and with 8 clients (Postfix's smtp-source,
#     each client keeping its connection: -d), COUNT messages of SIZE bytes each time;
#   - posta serve's resident memory (VmRSS now, VmHWM peak) with 100 idle connections.
# Prints figures; asserts nothing. Needs the mail server started:
#   scripts/mailserver.sh start && . .e2e/env.sh && scripts/bench-serve.sh [COUNT] [SIZE]
# Port for posta serve: BENCH_PORT (default 12726).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
size=${2:-1000}
port=${BENCH_PORT:-12726}
: "${POSTA_E2E_SUBMISSION_PORT:?start scripts/mailserver.sh and source .e2e/env.sh first}"
command -v /usr/sbin/smtp-source >/dev/null || { echo "missing smtp-source (postfix)"; exit 1; }
cargo build --release --quiet
posta=$PWD/target/release/posta
work=$(mktemp -d)
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

home=$work/home
mkdir -p "$home/config/posta"
cat > "$home/config/posta/config.toml" <<TOML
default = "bench"
[profiles.bench]
host = "localhost"
port = $POSTA_E2E_SUBMISSION_PORT
security = "starttls"
user = "$POSTA_E2E_USER1"
from = "$POSTA_E2E_USER1"
ca_file = "$POSTA_E2E_CA"
password_env = "BENCH_PASSWORD"
TOML
export -n POSTA_PASSWORD POSTA_PROFILE POSTA_CONFIG 2>/dev/null || true
HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_STATE_HOME=$home/state \
  BENCH_PASSWORD=$POSTA_E2E_PASS1 "$posta" serve --listen 127.0.0.1:"$port" --flush-interval 0 --max-clients 128 \
  2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }
echo "$count messages of $size bytes through posta serve (127.0.0.1:$port) to Postfix's" \
  "submission port (STARTTLS + AUTH)"
for clients in 1 8; do
  s=$(now)
  /usr/sbin/smtp-source -d -s "$clients" -m "$count" -l "$size" -f "$POSTA_E2E_USER1" \
    -t "$POSTA_E2E_USER2" 127.0.0.1:"$port"
  e=$(now)
  awk -v c="$clients" -v n="$count" -v s="$s" -v e="$e" \
    'BEGIN { t = e - s; printf "%d client(s): %8.2f s %8.1f msg/s\n", c, t, n / t }'
done
refused=$(grep -c ' [45][0-9][0-9] ' "$work/serve.log" || true)
echo "replies other than 250 in the log: $refused"

rss() { awk -v k="$1:" '$1 == k { print $2 " kB" }' /proc/"$serve_pid"/status; }
python3 - "$port" "$serve_pid" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def status(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return line.split(None, 1)[1].strip()
before = status("VmRSS")
idle = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port))
    s.recv(512)  # the greeting: the client's thread is running
    s.sendall(b"EHLO idle\r\n")
    s.recv(512)
    idle.append(s)
time.sleep(1)
print(f"100 idle connections: VmRSS {status('VmRSS')} (before: {before}), "
      f"threads {status('Threads')}, peak VmHWM {status('VmHWM')}")
PY
