#!/usr/bin/env bash
# The OAuth 2.0 authorization server of the end-to-end tests: npm oidc-provider
# (scripts/oauth/server.mjs) on loopback over plain http. scripts/mailserver.sh starts and
# stops it with the mail server (Dovecot's oauth2 passdb introspects tokens there).
#
#   scripts/oauth-server.sh install        apt-get nodejs + npm (root), npm ci
#   scripts/oauth-server.sh start DIR      start it; DIR/oauth-env.sh has its address
#   scripts/oauth-server.sh stop  DIR
#
# Port: POSTA_E2E_OAUTH_PORT (default 13080). Access tokens of client `posta` live
# POSTA_OAUTH_ACCESS_TTL seconds (default 600), those of `posta-short`
# POSTA_OAUTH_SHORT_TTL (default 2).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APP=$SCRIPT_DIR/oauth
PORT=${POSTA_E2E_OAUTH_PORT:-13080}
INTROSPECTION_SECRET=dovecot-introspection-secret
START_TIMEOUT=${POSTA_E2E_START_TIMEOUT:-30}

log() { printf 'oauth-server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cmd_install() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        [ "$(id -u)" -eq 0 ] || die "node and npm are missing: run as root to install them"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    fi
    # oidc-provider 9 needs Node.js 20 or later (Debian 12's own is 18: use NodeSource's).
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    [ "$major" -ge 20 ] || die "Node.js $major is too old for oidc-provider 9: install Node.js 20 or later"
    # The lockfile pins every package; node_modules is git-ignored.
    (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    log "installed into $APP/node_modules"
}

cmd_stop() {
    local dir=$1 pid i
    [ -f "$dir/oauth.pid" ] || return 0
    pid=$(cat "$dir/oauth.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/oauth.pid"
}

cmd_start() {
    local dir=$1 deadline
    command -v node >/dev/null || die "node is not installed: run '$0 install' first"
    [ -d "$APP/node_modules/oidc-provider" ] || die "oidc-provider is not installed: run '$0 install' first"
    cmd_stop "$dir"
    port_open "$PORT" && die "port $PORT is already in use by another process"
    POSTA_OAUTH_PORT=$PORT POSTA_OAUTH_INTROSPECTION_SECRET=$INTROSPECTION_SECRET \
        setsid node "$APP/server.mjs" >"$dir/oauth.log" 2>&1 </dev/null &
    echo $! >"$dir/oauth.pid"
    deadline=$((SECONDS + START_TIMEOUT))
    until port_open "$PORT"; do
        if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$dir/oauth.pid")" 2>/dev/null; then
            tail -n 20 "$dir/oauth.log" >&2 || true
            die "the OAuth server did not start on port $PORT"
        fi
        sleep 0.1
    done
    cat >"$dir/oauth-env.sh" <<ENV
export POSTA_E2E_OAUTH_PORT=$PORT
export POSTA_E2E_OAUTH_ISSUER='http://127.0.0.1:$PORT'
export POSTA_E2E_OAUTH_CLIENT='posta'
export POSTA_E2E_OAUTH_SHORT_CLIENT='posta-short'
export POSTA_E2E_OAUTH_DRIVER='$APP/drive.mjs'
export POSTA_E2E_OAUTH_LOG='$dir/oauth.log'
ENV
}

# The Dovecot side: what the oauth2 passdb needs to introspect at this server.
cmd_dovecot_conf() {
    cat <<CONF
introspection_mode = post
introspection_url = http://dovecot:$INTROSPECTION_SECRET@127.0.0.1:$PORT/token/introspection
username_attribute = sub
active_attribute = active
active_value = true
timeout_msecs = 5000
CONF
}

case "${1:-}" in
    install) cmd_install ;;
    start) [ -n "${2:-}" ] || die "usage: $0 start DIR"; cmd_start "$2" ;;
    stop) [ -n "${2:-}" ] || die "usage: $0 stop DIR"; cmd_stop "$2" ;;
    dovecot-conf) cmd_dovecot_conf ;;
    *) echo "usage: $0 install | start DIR | stop DIR | dovecot-conf" >&2; exit 2 ;;
esac
