#!/usr/bin/env bash
# Peak memory and time of `posta send -a` with a large attachment: composing only
# (--dry-run, output to /dev/null), then sending it end to end to Postfix's smtp-sink on
# loopback, beside msmtp piping the same bytes (the --dry-run output) to the same sink.
# Attachments are streamed, so the peak must not grow with the file: the target is a max
# RSS under 32 MiB for a 200 MiB attachment (the script exits 1 when the dry run is over).
#
# Usage: scripts/bench-compose-memory.sh [SIZE_MIB]   (default 200; sink port BENCH_PORT,
# default 12698). Needs GNU time (Debian package `time`), smtp-sink and msmtp for the
# end-to-end part (scripts/mailserver.sh install).
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${1:-200}
if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time missing; install the Debian package 'time' (apt-get install -y time)" >&2
  exit 69
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$tmp/big.bin"

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/posta

/usr/bin/time -v "$bin" send --from a@example.com --to b@example.org -s big \
  -a "$tmp/big.bin" --dry-run < /dev/null > /dev/null 2> "$tmp/time.txt"

rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$tmp/time.txt")
echo "attachment: ${size_mib} MiB"
echo "max RSS:    ${rss_kib} KiB ($((rss_kib / 1024)) MiB)"
echo "wall time:  ${wall}"
over=0
[ "$rss_kib" -ge $((32 * 1024)) ] && over=1

# End to end: the same attachment sent to smtp-sink; msmtp pipes the exact bytes.
port=${BENCH_PORT:-12698}
if [ -x /usr/sbin/smtp-sink ] && command -v msmtp >/dev/null; then
  /usr/sbin/smtp-sink -u nobody "127.0.0.1:$port" 100 >/dev/null 2>&1 &
  sink=$!
  trap 'kill $sink 2>/dev/null; rm -rf "$tmp"' EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  "$bin" send --from a@example.com --to b@example.org -s big -a "$tmp/big.bin" --dry-run \
    < /dev/null > "$tmp/msg" 2>/dev/null
  measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -v "$@" > /dev/null 2> "$tmp/t.txt" || { echo "$label: exit $?"; cat "$tmp/t.txt"; }
    printf '%-44s max RSS %6s KiB  wall %s\n' "$label" \
      "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/t.txt")" \
      "$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$tmp/t.txt")"
  }
  echo "end to end, $(wc -c < "$tmp/msg") bytes to smtp-sink on 127.0.0.1:$port:"
  measure "posta send -a (composed while sending)" env -u POSTA_PROFILE HOME="$tmp" \
    XDG_CONFIG_HOME="$tmp/config" "$bin" -q send --from a@example.com --to b@example.org \
    -s big -a "$tmp/big.bin" --server "127.0.0.1:$port" --security plain < /dev/null
  measure "msmtp < the same bytes" sh -c "msmtp --host=127.0.0.1 --port=$port --tls=off \
    --auth=off --from=a@example.com b@example.org < '$tmp/msg'"
fi
if [ "$over" = 1 ]; then
  echo "bench: max RSS is not under 32 MiB" >&2
  exit 1
fi
