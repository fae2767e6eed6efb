#!/usr/bin/env bash
# The cost of the copy in Sent (issue 20) on the local rig: `posta send` with and without
# --save-sent (hyperfine), a 7 MB attachment's peak memory each way (the literal is
# streamed, so the copy must not add the message's size), and a 50-message batch with
# and without --save-sent (one IMAP session for all). Prints figures; asserts nothing.
#   [POSTA_BIN=target/debug/posta] scripts/bench-sent-copy.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
scripts/mailserver.sh status >/dev/null 2>&1 || scripts/mailserver.sh start >/dev/null
# shellcheck disable=SC1091
. .e2e/env.sh
# POSTA_BIN: another build to measure (a debug one, say); else the release build.
if [ -z "${POSTA_BIN:-}" ]; then cargo build --release --quiet; fi
posta=${POSTA_BIN:-$PWD/target/release/posta}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/config/posta" "$home/batch"
cat >"$home/config/posta/config.toml" <<TOML
default = "t"
[profiles.t]
host = "localhost"
port = $POSTA_E2E_SUBMISSION_PORT
user = "$POSTA_E2E_USER1"
from = "$POSTA_E2E_USER1"
password = "$POSTA_E2E_PASS1"
ca_file = "$POSTA_E2E_CA"
imap_server = "localhost:$POSTA_E2E_IMAP_PORT"
TOML
chmod 600 "$home/config/posta/config.toml"
run="env -i HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_STATE_HOME=$home/state PATH=/usr/bin:/bin $posta -q"
send="$run send --to $POSTA_E2E_USER2 -s bench --body x"
echo "== one small message, $runs runs"
hyperfine --style basic --warmup 2 --runs "$runs" \
  -n no-copy "$send --no-save-sent" -n copy "$send --save-sent"
echo "== a 7 MB attachment: peak memory"
head -c 7000000 /dev/urandom >"$home/big.bin"
for mode in --no-save-sent --save-sent; do
  /usr/bin/time -f "$mode: max RSS %M KiB, %e s" $send -a "$home/big.bin" $mode
done
echo "== batch of 50"
for i in $(seq 50); do
  printf 'From: %s\r\nTo: %s\r\nSubject: b%s\r\n\r\nx\r\n' "$POSTA_E2E_USER1" "$POSTA_E2E_USER2" "$i" \
    >"$home/batch/$i.eml"
done
hyperfine --style basic --runs 3 -n batch "$run batch $home/batch" \
  -n batch-save-sent "$run batch --save-sent $home/batch"
