#!/usr/bin/env bash
# One message through 587 STARTTLS + AUTH to the local Postfix: posta vs msmtp, wall
# time and CPU, in one hyperfine run. Prints figures; asserts nothing.
#   scripts/bench-submit.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
command -v msmtp >/dev/null || apt-get install -y -qq msmtp >/dev/null
scripts/mailserver.sh status >/dev/null 2>&1 || scripts/mailserver.sh start >/dev/null
# shellcheck disable=SC1091
. .e2e/env.sh
cargo build --release --quiet
posta=$PWD/target/release/posta
msg=$(mktemp)
md=$(mktemp)
trap 'rm -f "$msg" "$md"' EXIT
printf 'From: %s\nTo: %s\nSubject: bench\n\n%s\n' "$POSTA_E2E_USER1" "$POSTA_E2E_USER2" \
  "$(head -c 3000 /dev/zero | tr '\0' 'x' | fold -w 70)" > "$msg"
export POSTA_PASSWORD=$POSTA_E2E_PASS1
port=$POSTA_E2E_SUBMISSION_PORT
echo "posta $("$posta" --version | cut -d' ' -f2-) vs $(msmtp --version | head -1); $(wc -c < "$msg") byte message, $runs runs"
hyperfine --style basic --warmup 3 --runs "$runs" --export-markdown "$md" \
  -n posta "$posta sendmail --server localhost:$port --ca-file $POSTA_E2E_CA --user $POSTA_E2E_USER1 -f $POSTA_E2E_USER1 $POSTA_E2E_USER2 < $msg" \
  -n msmtp "msmtp --host=localhost --port=$port --tls=on --tls-starttls=on --tls-trust-file=$POSTA_E2E_CA --auth=on --user=$POSTA_E2E_USER1 --passwordeval='echo \$POSTA_PASSWORD' --from=$POSTA_E2E_USER1 $POSTA_E2E_USER2 < $msg"
cat "$md"
