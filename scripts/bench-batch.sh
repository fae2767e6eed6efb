#!/usr/bin/env bash
# 1,000 small messages to Postfix's smtp-sink on loopback, in one run:
#   posta batch (one connection) vs Postfix's load generator smtp-source (same count and
#   size; with and without -d, one connection for all or one per message) vs a loop of
#   1,000 msmtp runs. Prints wall times and rates; asserts nothing.
#   scripts/bench-batch.sh [COUNT] [SIZE]      (port: BENCH_PORT, default 12725)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
size=${2:-1000}
port=${BENCH_PORT:-12725}
for tool in /usr/sbin/smtp-sink /usr/sbin/smtp-source msmtp; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/mailserver.sh install)"; exit 1; }
done
cargo build --release --quiet
posta=$PWD/target/release/posta
work=$(mktemp -d)
sink_pid=
cleanup() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$port" 1000 >/dev/null 2>&1 &
sink_pid=$!
sleep 0.5

# COUNT messages of about SIZE bytes each (headers included).
mkdir "$work/eml"
body=$(head -c "$size" /dev/zero | tr '\0' 'x' | fold -w 70)
for i in $(seq -w 1 "$count"); do
  printf 'From: a@example.org\nTo: b@example.org\nSubject: bench %s\n\n%s\n' "$i" \
    "${body:0:$((size - 80))}" > "$work/eml/$i.eml"
done
one=$(find "$work/eml" -name "*.eml" -print -quit)
echo "$count messages of $(wc -c < "$one") bytes to smtp-sink on 127.0.0.1:$port"

now() { date +%s.%N; }
report() { # name start end
  awk -v n="$1" -v s="$2" -v e="$3" -v c="$count" \
    'BEGIN { t = e - s; printf "%-34s %8.3f s %10.1f msg/s\n", n, t, c / t }'
}
export -n POSTA_PASSWORD POSTA_PROFILE POSTA_CONFIG 2>/dev/null || true
home=$work/home; mkdir -p "$home"

s=$(now)
HOME=$home XDG_CONFIG_HOME=$home/config "$posta" -q batch --server 127.0.0.1:"$port" \
  --security plain "$work/eml" || echo "posta batch: exit $?"
posta_t=$(report "posta batch" "$s" "$(now)")
echo "$posta_t"

s=$(now)
/usr/sbin/smtp-source -s 1 -m "$count" -l "$size" -f a@example.org -t b@example.org 127.0.0.1:"$port"
echo "$(report "smtp-source -s 1 (conn/message)" "$s" "$(now)")"

s=$(now)
/usr/sbin/smtp-source -d -s 1 -m "$count" -l "$size" -f a@example.org -t b@example.org 127.0.0.1:"$port"
echo "$(report "smtp-source -d -s 1 (one conn)" "$s" "$(now)")"

s=$(now)
for f in "$work"/eml/*.eml; do
  msmtp --host=127.0.0.1 --port="$port" --tls=off --auth=off --from=a@example.org \
    b@example.org < "$f"
done
echo "$(report "msmtp, one run per message" "$s" "$(now)")"
