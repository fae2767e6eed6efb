#!/usr/bin/env bash
# Peak memory of composing a message with a large attachment (--dry-run, output to
# /dev/null). Attachments are streamed, so the peak must not grow with the file:
# the target is a max RSS under 32 MiB for a 200 MiB attachment.
#
# Usage: scripts/bench-compose-memory.sh [SIZE_MIB]   (default 200)
# Needs GNU time (Debian package `time`).
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
if [ "$rss_kib" -ge $((32 * 1024)) ]; then
  echo "bench: max RSS is not under 32 MiB" >&2
  exit 1
fi
