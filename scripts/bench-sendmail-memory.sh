#!/usr/bin/env bash
# Peak memory and time of `posta sendmail` piping a large message (default 200 MiB)
# to Postfix's smtp-sink on loopback, the same bytes piped to msmtp beside it.
# The target: max RSS under 32 MiB. Prints figures; asserts nothing.
#   scripts/bench-sendmail-memory.sh [SIZE_MIB]
# POSTA_BENCH_PORT picks smtp-sink's port (default 12699), for runs beside another.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-200}
port=${POSTA_BENCH_PORT:-12699}
[ -x /usr/sbin/smtp-sink ] || { echo "needs Postfix's smtp-sink: scripts/mailserver.sh install" >&2; exit 69; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
cargo build --release --quiet
tmp=$(mktemp -d)
/usr/sbin/smtp-sink -u nobody "127.0.0.1:$port" 100 >/dev/null 2>&1 &
sink=$!
trap 'kill $sink 2>/dev/null; rm -rf "$tmp"' EXIT
# A message of 76-column base64 lines, as a large attachment would be.
{ printf 'From: a@example.com\nTo: b@example.org\nSubject: big\n\n'
  head -c "$((size_mib * 1024 * 1024 * 3 / 4))" /dev/urandom | base64 -w 76; } > "$tmp/msg"
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "message: $(($(stat -c %s "$tmp/msg") / 1048576)) MiB"
run() {
  local name=$1; shift
  /usr/bin/time -f "$name: max RSS %M KiB, wall %e s, user %U s, sys %S s" "$@" < "$tmp/msg"
}
run posta target/release/posta sendmail --server "127.0.0.1:$port" --security plain -f a@example.com b@example.org
if command -v msmtp >/dev/null; then
  run msmtp msmtp --host=127.0.0.1 --port=$port --tls=off --auth=off --from=a@example.com b@example.org
fi
