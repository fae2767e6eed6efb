#!/usr/bin/env bash
# Time of a send that must refresh its OAuth access token vs one with the token cached,
# against the local rig (Postfix + Dovecot's oauth2 passdb + oidc-provider). Prints
# figures, asserts nothing.
#
#   . .e2e/env.sh; scripts/bench-oauth.sh [RUNS] [POSTA]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
posta=${2:-target/debug/posta}
: "${POSTA_E2E_OAUTH_ISSUER:?source .e2e/env.sh first}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/config/posta"
cat >"$home/config/posta/config.toml" <<TOML
[profiles.b]
host = "localhost"
port = $POSTA_E2E_SUBMISSION_PORT
ca_file = "$POSTA_E2E_CA"
user = "$POSTA_E2E_USER1"
from = "$POSTA_E2E_USER1"
auth = "xoauth2"
oauth2_client_id = "posta"
oauth2_issuer = "$POSTA_E2E_OAUTH_ISSUER"
oauth2_scopes = ["openid", "offline_access"]
token_store = "file"
TOML
chmod 600 "$home/config/posta/config.toml"
printf '#!/bin/sh\nexec node %s "$1" %s >/dev/null 2>&1\n' "$POSTA_E2E_OAUTH_DRIVER" "$POSTA_E2E_USER1" >"$home/browser"
chmod +x "$home/browser"
run() { env -i PATH="$PATH" HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" "$@"; }
run DISPLAY=:99 BROWSER="$home/browser" "$posta" auth login b >/dev/null 2>&1
store=$home/data/posta/oauth/b.json
expire() { python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["expires_at"]=0; json.dump(d,open(p,"w"))' "$store"; }
one() {  # prints milliseconds of one send
    local t0 t1
    t0=$(date +%s%N)
    run "$posta" -p b send --to "$POSTA_E2E_USER2" -s "bench-oauth" --body hi >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}
stats() { sort -n | awk '{a[NR]=$1; s+=$1} END {printf "median %d ms, mean %.1f ms, min %d, max %d (n=%d)\n", a[int((NR+1)/2)], s/NR, a[1], a[NR], NR}'; }
cached=$(for _ in $(seq "$runs"); do one; done)
refreshing=$(for _ in $(seq "$runs"); do expire; one; done)
echo "cached token:      $(stats <<<"$cached")"
echo "refresh each send: $(stats <<<"$refreshing")"
