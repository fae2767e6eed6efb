#!/usr/bin/env bash
# 1,000 small messages to Postfix's smtp-sink on loopback, in one run:
#   posta batch (one connection, and --connections 4) vs Postfix's load generator
#   smtp-source (same count and size; with and without -d, one connection for all or one
#   per message) vs a loop of 1,000 msmtp runs. The fast ones run ROUNDS times, taking
#   turns (a shared machine drifts), and the median is printed with the spread.
#   Prints wall times and rates; asserts nothing.
#   scripts/bench-batch.sh [COUNT] [SIZE] [ROUNDS]   (port: BENCH_PORT, default 12725)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
size=${2:-1000}
rounds=${3:-5}
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

# One timed run of a command, as seconds.
timed() { local s e; s=$(now); "$@" >/dev/null || echo "exit $? from $1" >&2; e=$(now); echo "$e - $s" | bc -l; }
posta1() { HOME=$home XDG_CONFIG_HOME=$home/config "$posta" -q batch --server 127.0.0.1:"$port" \
  --security plain "$work/eml"; }
posta4() { HOME=$home XDG_CONFIG_HOME=$home/config "$posta" -q batch --server 127.0.0.1:"$port" \
  --security plain --connections 4 "$work/eml"; }
source1() { /usr/sbin/smtp-source -s 1 -m "$count" -l "$size" -f a@example.org -t b@example.org \
  127.0.0.1:"$port"; }
sourced() { /usr/sbin/smtp-source -d -s 1 -m "$count" -l "$size" -f a@example.org \
  -t b@example.org 127.0.0.1:"$port"; }
declare -A times
for r in $(seq 1 "$rounds"); do
  for t in posta1 posta4 source1 sourced; do
    times[$t]+="$(timed "$t") "
  done
done
median() { # name, then the times: median rate and the range of rates
  local name=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v n="$name" -v c="$count" '
    { t[NR] = $1 } END { m = t[int((NR + 1) / 2)];
      printf "%-34s %8.3f s %10.1f msg/s  (%.0f-%.0f over %d rounds)\n", n, m, c / m, c / t[NR], c / t[1], NR }'
}
median "posta batch" ${times[posta1]}
median "posta batch --connections 4" ${times[posta4]}
median "smtp-source -s 1 (conn/message)" ${times[source1]}
median "smtp-source -d -s 1 (one conn)" ${times[sourced]}
ratio() { printf '%s\n' $1 | sort -g | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }
echo "posta batch / smtp-source -d: $(echo "$(ratio "${times[sourced]}") / $(ratio "${times[posta1]}")" | bc -l | cut -c1-4) (rates, medians)"

s=$(now)
for f in "$work"/eml/*.eml; do
  msmtp --host=127.0.0.1 --port="$port" --tls=off --auth=off --from=a@example.org \
    b@example.org < "$f"
done
echo "$(report "msmtp, one run per message" "$s" "$(now)")"
