#!/usr/bin/env bash
# End-to-end test mail server for posta: a private Postfix instance (own
# config, queue and data directories) plus a private Dovecot instance used
# for SASL authentication and as the IMAP server of the copy in Sent (issue
# 20; the Maildirs Postfix delivers to).  Loopback only, no relaying, no DNS.
#
#   scripts/mailserver.sh install          apt-get install the packages (root)
#   scripts/mailserver.sh start  [DIR]     (re)create everything in DIR and start
#   scripts/mailserver.sh stop   [DIR]     stop both daemons, keep the files
#   scripts/mailserver.sh status [DIR]     show whether they run / ports listen
#
# DIR defaults to <repo root>/.e2e.  See scripts/README.md.
#
# With it runs the OAuth 2.0 authorization server of scripts/oauth-server.sh (port
# POSTA_E2E_OAUTH_PORT, default 13080): Dovecot's oauth2 passdb validates XOAUTH2 and
# OAUTHBEARER tokens through its introspection endpoint.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

PLAIN_PORT=${POSTA_E2E_PLAIN_PORT:-10025}
SUBMISSION_PORT=${POSTA_E2E_SUBMISSION_PORT:-10587}
SMTPS_PORT=${POSTA_E2E_SMTPS_PORT:-10465}
ALT_PORT=${POSTA_E2E_ALT_PORT:-12525}
SMALL_PORT=${POSTA_E2E_SMALL_PORT:-10588}
IMAP_PORT=${POSTA_E2E_IMAP_PORT:-10143}
IMAPS_PORT=${POSTA_E2E_IMAPS_PORT:-10993}
SMALL_SIZE_LIMIT=100000
# SCRAM-SHA-256/1 and CRAM-MD5 offered (STARTTLS + AUTH); see add_sasl_mechanisms.
SASL_PORT=${POSTA_E2E_SASL_PORT:-10589}
# STARTTLS, asks for a client certificate and relays for the rig's; see add_client_cert_port.
CCERT_PORT=${POSTA_E2E_CCERT_PORT:-10590}
# Reaching every server (issue 19): danted on loopback, without and with a login
# (the username method checks a system user's password, so the rig makes one), and
# Dovecot's LMTP server on a Unix socket delivering to the same Maildirs.
# By default next to the plain port (11080 and 11081 for 10025), so that instances
# started with ports of their own do not share these.
SOCKS_PORT=${POSTA_E2E_SOCKS_PORT:-$((PLAIN_PORT + 1055))}
SOCKS_AUTH_PORT=${POSTA_E2E_SOCKS_AUTH_PORT:-$((PLAIN_PORT + 1056))}
SOCKS_USER=posta-e2e-socks
SOCKS_PASS=socks-e2e-pw
# Bob's LMTP mailbox is over quota: a recipient the LMTP server refuses after the
# message (a temporary refusal: quota_full_tempfail), while Alice's gets it.
LMTP_OVER_QUOTA_USER=bob
START_TIMEOUT=${POSTA_E2E_START_TIMEOUT:-30}

ALICE_USER=alice@example.test
ALICE_PASS=alice-secret-pw
BOB_USER=bob@example.test
BOB_PASS=bob-secret-pw
CAROL_USER=carol@example.test
# IMAP users: alice's Sent folder is "Sent Messages", marked \Sent (RFC 6154
# SPECIAL-USE), beside an unmarked "Sent"; bob has only an unmarked "Sent";
# dave's is the Cyrillic "Отправленные", marked \Sent.
DAVE_USER=dave@example.test
DAVE_PASS=dave-secret-pw

# Mailbox owner for virtual delivery: Debian's standard "mail" user (8:8).
VMAIL_UID=8
VMAIL_GID=8

PACKAGES=(postfix dovecot-core dovecot-lmtpd dovecot-imapd dante-server openssl ca-certificates python3 msmtp)

log() { printf 'mailserver: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (Postfix/Dovecot need it)"
}

resolve_dir() {
    local d=${1:-$REPO_ROOT/.e2e}
    mkdir -p "$d"
    (cd "$d" && pwd -P)
}

have_ipv6_lo() {
    [ -e /proc/net/if_inet6 ] && grep -qE '^0{31}1 ' /proc/net/if_inet6
}

# ---------------------------------------------------------------- install
cmd_install() {
    need_root
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "all packages already installed"
        "$SCRIPT_DIR/oauth-server.sh" install
        return 0
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
    echo 'postfix postfix/mailname string localhost' | debconf-set-selections
    # Do not let the packages' postinst start the system-wide daemons.
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local rc=0
    {
        apt-get update -qq &&
        apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "${missing[@]}"
    } >/tmp/posta-e2e-apt.log 2>&1 || rc=$?
    if [ $made_policy -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ $rc -ne 0 ]; then
        tail -n 40 /tmp/posta-e2e-apt.log >&2
        die "apt-get failed (rc=$rc), full log in /tmp/posta-e2e-apt.log"
    fi
    log "installed"
    "$SCRIPT_DIR/oauth-server.sh" install
}

# ---------------------------------------------------------------- helpers
postfix_running() {  # $1 = postfix config dir
    [ -f "$1/main.cf" ] || return 1
    postfix -c "$1" status >/dev/null 2>&1
}

dovecot_pid() {  # $1 = dovecot base_dir
    local pidf=$1/master.pid pid
    [ -f "$pidf" ] || return 1
    pid=$(cat "$pidf" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() {  # $1 = port (127.0.0.1)
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The state may live outside DIR when DIR is not usable by the unprivileged
# daemon users (e.g. a checkout under /root, mode 0700) or when its path is
# too long for Unix socket names; DIR/state.path records where it is.
state_dir_for() {  # $1 = DIR
    if [ -f "$1/state.path" ]; then cat "$1/state.path"; else echo "$1"; fi
}

can_traverse() {  # $1 = user, $2 = dir
    runuser -u "$1" -- test -x "$2" 2>/dev/null
}

# Use the ports of the instance that was started in DIR, if any.
load_ports() {  # $1 = DIR
    [ -f "$1/env.sh" ] || return 0
    local v
    v=$(. "$1/env.sh"; echo "$POSTA_E2E_PLAIN_PORT $POSTA_E2E_SUBMISSION_PORT $POSTA_E2E_SMTPS_PORT $POSTA_E2E_ALT_PORT $POSTA_E2E_SMALL_PORT")
    read -r PLAIN_PORT SUBMISSION_PORT SMTPS_PORT ALT_PORT SMALL_PORT <<<"$v"
    SASL_PORT=$(. "$1/env.sh"; echo "${POSTA_E2E_SASL_PORT:-$SASL_PORT}")
    CCERT_PORT=$(. "$1/env.sh"; echo "${POSTA_E2E_CCERT_PORT:-$CCERT_PORT}")
    v=$(. "$1/env.sh"; echo "${POSTA_E2E_SOCKS_PORT:-$SOCKS_PORT} ${POSTA_E2E_SOCKS_AUTH_PORT:-$SOCKS_AUTH_PORT}")
    read -r SOCKS_PORT SOCKS_AUTH_PORT <<<"$v"
    v=$(. "$1/env.sh"; echo "${POSTA_E2E_IMAP_PORT:-$IMAP_PORT} ${POSTA_E2E_IMAPS_PORT:-$IMAPS_PORT}")
    read -r IMAP_PORT IMAPS_PORT <<<"$v"
}

# ---------------------------------------------------------------- stop
cmd_stop() {
    need_root
    local dir state
    dir=$(resolve_dir "${1:-}")
    state=$(state_dir_for "$dir")
    stop_state "$state"
    "$SCRIPT_DIR/oauth-server.sh" stop "$dir"
}

stop_state() {
    local state=$1 i pid
    if postfix_running "$state/postfix"; then
        postfix -c "$state/postfix" stop >/dev/null 2>&1 || true
        for i in $(seq 1 100); do
            postfix_running "$state/postfix" || break
            sleep 0.1
        done
        if postfix_running "$state/postfix"; then
            log "postfix did not stop, killing master"
            postfix -c "$state/postfix" abort >/dev/null 2>&1 || true
            pid=$(head -n1 "$state/spool/pid/master.pid" 2>/dev/null | tr -d ' ' || true)
            [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    if pid=$(dovecot_pid "$state/dovecot/run"); then
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    stop_reach "$state"
    log "stopped ($state)"
}

# ---------------------------------------------------------------- status
cmd_status() {
    local dir state rc=0 p
    dir=$(resolve_dir "${1:-}")
    state=$(state_dir_for "$dir")
    load_ports "$dir"
    if postfix_running "$state/postfix"; then echo "postfix: running ($state/postfix)"
    else echo "postfix: stopped"; rc=1; fi
    if p=$(dovecot_pid "$state/dovecot/run"); then echo "dovecot: running (pid $p)"
    else echo "dovecot: stopped"; rc=1; fi
    for p in "$PLAIN_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$ALT_PORT" "$SMALL_PORT" "$SASL_PORT" "$IMAP_PORT" "$IMAPS_PORT" \
        "$SOCKS_PORT" "$SOCKS_AUTH_PORT" "$CCERT_PORT"; do
        if port_open "$p"; then echo "port $p: open"; else echo "port $p: closed"; rc=1; fi
    done
    if [ -S "$state/lmtp/run/lmtp" ]; then echo "lmtp: $state/lmtp/run/lmtp"
    else echo "lmtp: no socket"; rc=1; fi
    return $rc
}

# ---------------------------------------------------------------- start
# The options of every STARTTLS/TLS + AUTH service (master.cf -o).
SUBMISSION_OPTS='-o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes -o smtpd_sasl_auth_enable=yes -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject -o smtpd_sender_restrictions=permit_sasl_authenticated,reject'

make_certs() {  # $1 = tls dir
    local t=$1
    mkdir -p "$t"
    cat >"$t/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = posta e2e throw-away CA
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    cat >"$t/server.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 30 \
        -config "$t/ca.cnf" -extensions v3_ca \
        -keyout "$t/ca.key" -out "$t/ca.crt" 2>/dev/null
    openssl req -new -newkey rsa:2048 -nodes -sha256 \
        -config "$t/server.cnf" \
        -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
    openssl x509 -req -in "$t/server.csr" -sha256 -days 30 \
        -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
        -extfile "$t/server.cnf" -extensions v3_server \
        -out "$t/server.crt" 2>/dev/null
    cat "$t/server.crt" "$t/ca.crt" >"$t/server-chain.crt"
    chmod 600 "$t/ca.key" "$t/server.key"
    chmod 644 "$t/ca.crt" "$t/server.crt" "$t/server-chain.crt"
}

write_dovecot() {  # $1 = state
    local s=$1 d=$1/dovecot
    mkdir -p "$d/run" "$d/state"
    cat >"$d/passwd" <<EOF
$ALICE_USER:{PLAIN}$ALICE_PASS::::::nodelay=y
$BOB_USER:{PLAIN}$BOB_PASS::::::nodelay=y
$DAVE_USER:{PLAIN}$DAVE_PASS::::::nodelay=y
EOF
    chown root:dovecot "$d/passwd"
    chmod 640 "$d/passwd"
    "$SCRIPT_DIR/oauth-server.sh" dovecot-conf >"$d/dovecot-oauth2.conf.ext"
    chown root:dovecot "$d/dovecot-oauth2.conf.ext"
    chmod 640 "$d/dovecot-oauth2.conf.ext"
    cat >"$d/dovecot.conf" <<EOF
# posta e2e: Dovecot as SASL server for Postfix, and as IMAP server (imap.conf).
base_dir = $d/run
state_dir = $d/state
instance_name = posta-e2e
log_path = $s/dovecot.log
info_log_path = $s/dovecot.log
debug_log_path = $s/dovecot.log
disable_plaintext_auth = no
# cram-md5 and the SCRAMs for SASL_PORT (add_sasl_mechanisms); Dovecot derives them
# from the {PLAIN} passwords.
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 xoauth2 oauthbearer
auth_failure_delay = 0
auth_verbose = yes
auth_cache_size = 0
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
  args = scheme=PLAIN username_format=%u $d/passwd
}
# Tokens (XOAUTH2, OAUTHBEARER) are checked at the OAuth server's introspection endpoint.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $d/dovecot-oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$VMAIL_UID gid=$VMAIL_GID home=$s/mail/%n
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
login_trusted_networks = 127.0.0.0/8 ::1/128
# Tests want fast, deterministic failures: no auth failure delay, no penalty.
service anvil {
  chroot =
    unix_listener anvil-auth-penalty {
    mode = 0
  }
}
!include $d/imap.conf
EOF
    write_dovecot_imap "$s"
}

# The IMAP side of the same Dovecot (issue 20, the copy in Sent): STARTTLS on
# IMAP_PORT, implicit TLS on IMAPS_PORT, loopback only, the rig's certificate,
# the Maildirs Postfix delivers to, and each user's Sent folder made ready.
write_dovecot_imap() {  # $1 = state
    local s=$1 d=$1/dovecot listen=127.0.0.1 u
    have_ipv6_lo && listen='127.0.0.1, ::1'
    cat >"$d/imap.conf" <<EOF
protocols = imap
listen = $listen
ssl = yes
ssl_cert = <$s/tls/server-chain.crt
ssl_key = <$s/tls/server.key
mail_location = maildir:~
# Keep each message as it came (CRLF), so that a test can compare it byte for byte.
mail_save_crlf = yes
# The mailboxes belong to Debian's "mail" user (8), below Dovecot's default of 500.
first_valid_uid = $VMAIL_UID
first_valid_gid = $VMAIL_GID
namespace inbox {
  inbox = yes
  separator = .
  # Marked only where the folder exists: alice and dave (see the users above).
  mailbox "Sent Messages" {
    special_use = \\Sent
  }
  mailbox "Отправленные" {
    special_use = \\Sent
  }
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
EOF
    # Maildir++ folder names are modified UTF-7 on disk, as on the wire.
    for u in "alice/.Sent Messages" alice/.Sent bob/.Sent \
        "dave/.&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"; do
        mkdir -p "$s/mail/${u%%/*}"/{cur,new,tmp} "$s/mail/$u"/{cur,new,tmp}
    done
    chown -R "$VMAIL_UID:$VMAIL_GID" "$s/mail"
}

write_postfix() {  # $1 = state
    local s=$1 c=$1/postfix ifaces protos
    mkdir -p "$c" "$s/spool" "$s/data" "$s/mail"
    if have_ipv6_lo; then ifaces='127.0.0.1, [::1]'; protos=all
    else ifaces='127.0.0.1'; protos=ipv4; fi
    cat >"$c/main.cf" <<EOF
# posta e2e private Postfix instance (generated by scripts/mailserver.sh)
compatibility_level = 3.6
queue_directory = $s/spool
data_directory = $s/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $s/postfix.log
maillog_file_prefixes = $s
syslog_name = posta-e2e

myhostname = mail.example.test
mydomain = example.test
myorigin = \$myhostname
mydestination =
relay_domains =
mynetworks = 127.0.0.1/32
inet_interfaces = $ifaces
inet_protocols = $protos
append_dot_mydomain = no
biff = no
alias_maps =
alias_database =
local_recipient_maps =

# Never talk to the outside world, never use DNS.
smtp_dns_support_level = disabled
lmtp_host_lookup = native
smtp_host_lookup = native
smtpd_peername_lookup = no
default_transport = error:posta-e2e: no outbound mail
relay_transport = error:posta-e2e: no relaying
local_transport = error:posta-e2e: no local delivery

# Virtual mailboxes (Maildir) for example.test.
virtual_mailbox_domains = example.test
virtual_mailbox_maps = texthash:$c/vmailbox
virtual_mailbox_base = $s/mail
virtual_uid_maps = static:$VMAIL_UID
virtual_gid_maps = static:$VMAIL_GID
virtual_minimum_uid = $VMAIL_UID
virtual_transport = virtual
smtpd_reject_unlisted_recipient = yes
unknown_virtual_mailbox_reject_code = 550

# No relaying for anyone; authenticated or not, only example.test is a
# destination.  Submission ports additionally require SASL (master.cf).
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = permit
smtpd_helo_required = no

# Extensions kept on.
smtputf8_enable = yes
smtpd_discard_ehlo_keywords =
message_size_limit = 10240000
# Keep Bcc/Resent-Bcc headers exactly as the client sent them (Postfix drops
# them by default), so that "the client strips Bcc" tests are meaningful.
message_drop_headers = content-length, return-path

# Fast, no delays.
delay_warning_time = 0h
in_flow_delay = 0s
smtpd_error_sleep_time = 0s
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 20s

# SASL via the private Dovecot; enabled per service in master.cf.
smtpd_sasl_type = dovecot
smtpd_sasl_path = $s/dovecot/run/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
broken_sasl_auth_clients = no

# TLS material; offered per service in master.cf (none on the plain port).
smtpd_tls_cert_file = $s/tls/server-chain.crt
smtpd_tls_key_file = $s/tls/server.key
smtpd_tls_security_level = none
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
tls_random_source = dev:/dev/urandom
EOF
    local sub=$SUBMISSION_OPTS
    cat >"$c/master.cf" <<EOF
# posta e2e private Postfix instance (generated by scripts/mailserver.sh)
# service type  private unpriv  chroot  wakeup  maxproc command + args
# plain SMTP: no TLS at all, AUTH optional (allowed in clear text)
$PLAIN_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/plain -o smtpd_sasl_auth_enable=yes -o smtpd_tls_security_level=none
# submission with mandatory STARTTLS + AUTH
$SUBMISSION_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/submission $sub
# implicit TLS + AUTH
$SMTPS_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/smtps -o smtpd_tls_wrappermode=yes $sub
# alternative STARTTLS + AUTH port
$ALT_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/alt $sub
# STARTTLS + AUTH with a small SIZE limit
$SMALL_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/small -o message_size_limit=$SMALL_SIZE_LIMIT -o cleanup_service_name=cleanup-small $sub
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
cleanup-small unix n    -       n       -       0       cleanup -o message_size_limit=$SMALL_SIZE_LIMIT
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    cat >"$c/vmailbox" <<EOF
$ALICE_USER alice/
$BOB_USER bob/
$CAROL_USER carol/
$DAVE_USER dave/
EOF
    chown postfix:postfix "$s/data"
    chmod 700 "$s/data"
    chown "$VMAIL_UID:$VMAIL_GID" "$s/mail"
    chmod 755 "$s/mail"
}

# ---------------------------------------------------------------- SASL mechanisms
# Dovecot computes CRAM-MD5 and SCRAM from the {PLAIN} passwords, so it offers them all
# (write_dovecot); Postfix announces them only on SASL_PORT, and on the other ports
# what it did before (PLAIN LOGIN, and the OAuth mechanisms), so that `--auth auto`
# picks there what the rest of the suite expects.
add_sasl_mechanisms() {  # $1 = state
    local s=$1
    cat >>"$s/postfix/main.cf" <<EOF
# The ports other than SASL_PORT hide the mechanisms of issue 19.
smtpd_sasl_mechanism_filter = !cram-md5, !scram-sha-1, !scram-sha-256, !external, static:rest
EOF
    cat >>"$s/postfix/master.cf" <<EOF
# STARTTLS + AUTH with every mechanism Dovecot offers (SCRAM-SHA-256/1, CRAM-MD5)
$SASL_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/sasl -o smtpd_sasl_mechanism_filter=static:all $SUBMISSION_OPTS
EOF
}

sasl_env_lines() {  # $1 = state
    echo "export POSTA_E2E_SASL_PORT=$SASL_PORT"
    echo "export POSTA_E2E_CCERT_PORT=$CCERT_PORT"
    echo "export POSTA_E2E_CLIENT_CERT='$1/tls/client.crt'"
    echo "export POSTA_E2E_CLIENT_KEY='$1/tls/client.key'"
    echo "export POSTA_E2E_CLIENT_KEY_ENCRYPTED='$1/tls/client-encrypted.key'"
}

# ---------------------------------------------------------------- client certificates
# A client certificate issued by the rig's throw-away CA (and its key encrypted, for
# the refusal test), and a port that asks for one and takes mail only from a client
# whose certificate's SHA-256 is in relay_clientcerts (permit_tls_clientcerts): no
# SASL there, the certificate is the credential. Postfix has no AUTH EXTERNAL.
add_client_cert_port() {  # $1 = state
    local s=$1 t=$1/tls fp
    cat >"$t/client.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = alice@example.test
[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
EOF
    openssl req -new -newkey rsa:2048 -nodes -sha256 -config "$t/client.cnf" \
        -keyout "$t/client.key" -out "$t/client.csr" 2>/dev/null
    openssl x509 -req -in "$t/client.csr" -sha256 -days 30 \
        -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
        -extfile "$t/client.cnf" -extensions v3_client -out "$t/client.crt" 2>/dev/null
    openssl pkey -in "$t/client.key" -aes256 -passout pass:posta-e2e \
        -out "$t/client-encrypted.key"
    chmod 600 "$t/client.key" "$t/client-encrypted.key"
    chmod 644 "$t/client.crt"
    fp=$(openssl x509 -in "$t/client.crt" -noout -fingerprint -sha256 | sed 's/^.*=//')
    echo "$fp alice" >"$s/postfix/relay_clientcerts"
    cat >>"$s/postfix/main.cf" <<EOF
# Client certificates (add_client_cert_port): matched by their SHA-256.
smtpd_tls_fingerprint_digest = sha256
relay_clientcerts = texthash:$s/postfix/relay_clientcerts
EOF
    cat >>"$s/postfix/master.cf" <<EOF
# STARTTLS, asks for a client certificate; only the rig's client certificate may send
$CCERT_PORT      inet  n       -       n       -       -       smtpd -o syslog_name=posta-e2e/ccert -o smtpd_tls_security_level=encrypt -o smtpd_tls_ask_ccert=yes -o smtpd_tls_CAfile=$t/ca.crt -o smtpd_sasl_auth_enable=no -o smtpd_recipient_restrictions=permit_tls_clientcerts,reject -o smtpd_sender_restrictions=permit_tls_clientcerts,reject
EOF
}

env_lines() {  # $1 = DIR, $2 = state
    local d=$1 s=$2
    cat <<EOF
export POSTA_E2E_DIR='$d'
export POSTA_E2E_STATE_DIR='$s'
export POSTA_E2E_CA='$s/tls/ca.crt'
export POSTA_E2E_MAILDIR_ROOT='$s/mail'
export POSTA_E2E_HOST='localhost'
export POSTA_E2E_HOST_V4='127.0.0.1'
export POSTA_E2E_HOST_V6='$(have_ipv6_lo && echo '::1' || true)'
export POSTA_E2E_PLAIN_PORT=$PLAIN_PORT
export POSTA_E2E_SUBMISSION_PORT=$SUBMISSION_PORT
export POSTA_E2E_SMTPS_PORT=$SMTPS_PORT
export POSTA_E2E_ALT_PORT=$ALT_PORT
export POSTA_E2E_SMALL_PORT=$SMALL_PORT
export POSTA_E2E_IMAP_PORT=$IMAP_PORT
export POSTA_E2E_IMAPS_PORT=$IMAPS_PORT
export POSTA_E2E_SMALL_SIZE_LIMIT=$SMALL_SIZE_LIMIT
export POSTA_E2E_DOMAIN='example.test'
export POSTA_E2E_USER1='$ALICE_USER'
export POSTA_E2E_PASS1='$ALICE_PASS'
export POSTA_E2E_USER2='$BOB_USER'
export POSTA_E2E_PASS2='$BOB_PASS'
export POSTA_E2E_USER3='$CAROL_USER'
export POSTA_E2E_USER4='$DAVE_USER'
export POSTA_E2E_PASS4='$DAVE_PASS'
export POSTA_E2E_UNKNOWN_RCPT='nobody@example.test'
export POSTA_E2E_POSTFIX_LOG='$s/postfix.log'
export POSTA_E2E_DOVECOT_LOG='$s/dovecot.log'
EOF
    sasl_env_lines "$s"
    env_lines_reach "$s"
}

start_failed() {  # $1 = state, $2 = message
    log "start failed: $2"
    local f
    for f in "$1/postfix.log" "$1/dovecot.log" "$1/postfix-start.log" "$1/dovecot-start.log"; do
        if [ -s "$f" ]; then
            printf -- '----- tail of %s -----\n' "$f" >&2
            tail -n 30 "$f" >&2
        fi
    done
    stop_state "$1" || true
    [ -n "${OAUTH_DIR:-}" ] && "$SCRIPT_DIR/oauth-server.sh" stop "$OAUTH_DIR" 2>/dev/null || true
    exit 1
}

cmd_start() {
    need_root
    local dir state old p all deadline
    command -v postfix >/dev/null && command -v dovecot >/dev/null \
        || die "postfix/dovecot not installed: run '$0 install' first"
    dir=$(resolve_dir "${1:-}")

    # Stop a previous instance (wherever its state lives), then start fresh.
    old=$(state_dir_for "$dir")
    stop_state "$old" 2>/dev/null || true
    [ "$old" != "$dir" ] && rm -rf "$old"
    rm -f "$dir/state.path"

    state=$dir
    if ! can_traverse postfix "$dir" || ! can_traverse dovecot "$dir" \
        || ! runuser -u mail -- test -x "$dir" 2>/dev/null \
        || [ ${#dir} -gt 60 ]; then
        state=$(mktemp -d /tmp/posta-e2e.XXXXXX)
        chmod 755 "$state"
        echo "$state" >"$dir/state.path"
        log "note: $dir is not reachable by the daemon users (or too long); state in $state"
    fi

    # Fresh each time.
    rm -rf "$state/postfix" "$state/spool" "$state/data" "$state/mail" "$state/tls" \
        "$state/dovecot" "$state/postfix.log" "$state/dovecot.log" \
        "$state/postfix-start.log" "$state/dovecot-start.log" "$dir/env.sh"

    # Refuse to start when somebody else holds our ports.
    for p in "$PLAIN_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$ALT_PORT" "$SMALL_PORT" "$SASL_PORT" "$IMAP_PORT" "$IMAPS_PORT" \
        "$SOCKS_PORT" "$SOCKS_AUTH_PORT" "$CCERT_PORT"; do
        port_open "$p" && die "port $p is already in use by another process"
    done

    make_certs "$state/tls"
    OAUTH_DIR=$dir
    "$SCRIPT_DIR/oauth-server.sh" start "$dir" || start_failed "$state" "the OAuth server did not start"
    write_dovecot "$state"
    write_postfix "$state"
    add_sasl_mechanisms "$state"
    write_postfix_reach "$state"
    add_client_cert_port "$state"
    : >"$state/postfix.log"
    : >"$state/dovecot.log"

    dovecot -c "$state/dovecot/dovecot.conf" >"$state/dovecot-start.log" 2>&1 \
        || start_failed "$state" "dovecot did not start"
    deadline=$((SECONDS + START_TIMEOUT))
    until [ -S "$state/dovecot/run/auth-postfix" ]; do
        [ $SECONDS -ge $deadline ] && start_failed "$state" "dovecot auth socket did not appear"
        sleep 0.1
    done

    postfix -c "$state/postfix" start >"$state/postfix-start.log" 2>&1 \
        || start_failed "$state" "postfix did not start"

    deadline=$((SECONDS + START_TIMEOUT))
    while :; do
        all=1
        for p in "$PLAIN_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$ALT_PORT" "$SMALL_PORT" "$SASL_PORT" "$IMAP_PORT" "$IMAPS_PORT" "$CCERT_PORT"; do
            port_open "$p" || { all=0; break; }
        done
        [ $all -eq 1 ] && break
        [ $SECONDS -ge $deadline ] && start_failed "$state" "port $p not open after ${START_TIMEOUT}s"
        sleep 0.1
    done

    start_reach "$state"

    { env_lines "$dir" "$state"; cat "$dir/oauth-env.sh"; } >"$dir/env.sh"
    cat "$dir/env.sh"
}

# ---------------------------------------------------------------- reach (issue 19)
# Dovecot's LMTP server (an instance of its own, so that the SASL one stays as it is)
# on a Unix socket, delivering to the Maildirs Postfix delivers to; and two danted
# SOCKS5 proxies on loopback, one without a login and one with the username method.
write_lmtp() {  # $1 = state
    local s=$1 d=$1/lmtp
    mkdir -p "$d/run" "$d/state"
    # Alice, Bob and Carol exist; Bob's quota is one byte, so every message is over it.
    cat >"$d/users" <<EOF
${ALICE_USER%@*}::$VMAIL_UID:$VMAIL_GID::$s/mail/${ALICE_USER%@*}::
${BOB_USER%@*}::$VMAIL_UID:$VMAIL_GID::$s/mail/${BOB_USER%@*}::userdb_quota_rule=*:storage=1B
${CAROL_USER%@*}::$VMAIL_UID:$VMAIL_GID::$s/mail/${CAROL_USER%@*}::
EOF
    cat >"$d/dovecot.conf" <<EOF
# posta e2e: Dovecot's LMTP server on a Unix socket (generated by scripts/mailserver.sh)
protocols = lmtp
base_dir = $d/run
state_dir = $d/state
instance_name = posta-e2e-lmtp
log_path = $s/lmtp.log
info_log_path = $s/lmtp.log
debug_log_path = $s/lmtp.log
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/
# The Maildirs belong to Debian's "mail" user (8), as for Postfix.
first_valid_uid = $VMAIL_UID
mail_plugins = quota
# Over quota is "try again later" (452), not "never" (552).
quota_full_tempfail = yes
lmtp_rcpt_check_quota = no
postmaster_address = postmaster@example.test
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = passwd-file
  args = username_format=%n $d/users
}
plugin {
  quota = maildir:User quota
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service anvil {
  chroot =
}
EOF
}

write_danted() {  # $1 = state, $2 = name, $3 = port, $4 = socksmethod
    local s=$1 name=$2 port=$3 method=$4
    cat >"$s/socks/$name.conf" <<EOF
# posta e2e: a SOCKS5 proxy on loopback (generated by scripts/mailserver.sh)
logoutput: $s/socks/$name.log
internal: 127.0.0.1 port = $port
external: 127.0.0.1
clientmethod: none
socksmethod: $method
user.privileged: root
user.unprivileged: nobody
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: connect
}
EOF
}

# Postfix's SMTP server on a Unix socket too (public/posta-smtp under its queue
# directory): AUTH offered in clear, as a local socket may carry it.
write_postfix_reach() {  # $1 = state
    cat >>"$1/postfix/master.cf" <<EOF
# SMTP on a Unix socket (issue 19): no TLS, AUTH allowed
posta-smtp unix n       -       n       -       -       smtpd -o syslog_name=posta-e2e/unix -o smtpd_sasl_auth_enable=yes -o smtpd_tls_security_level=none
EOF
}

# The username method checks the system's password database: a user of the rig's
# own, without a shell or a home, made once.
# Several instances may start at once (one per worktree): /etc/passwd and /etc/shadow
# are locked while one of them writes, so each step is tried again for a while.
make_socks_user() {
    local i
    for i in $(seq 1 50); do
        if id "$SOCKS_USER" >/dev/null 2>&1 \
            || useradd --system --no-create-home --shell /usr/sbin/nologin "$SOCKS_USER" \
                2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    for i in $(seq 1 50); do
        echo "$SOCKS_USER:$SOCKS_PASS" | chpasswd 2>/dev/null && return 0
        sleep 0.2
    done
    die "cannot set the password of $SOCKS_USER (the username method of danted needs it)"
}

start_reach() {  # $1 = state
    local s=$1 deadline p name
    rm -rf "$s/lmtp" "$s/socks" "$s/lmtp.log"
    write_lmtp "$s"
    : >"$s/lmtp.log"
    dovecot -c "$s/lmtp/dovecot.conf" >"$s/lmtp-start.log" 2>&1 \
        || start_failed "$s" "dovecot (lmtp) did not start"
    mkdir -p "$s/socks"
    make_socks_user
    write_danted "$s" open "$SOCKS_PORT" none
    write_danted "$s" login "$SOCKS_AUTH_PORT" username
    for name in open login; do
        danted -D -f "$s/socks/$name.conf" -p "$s/socks/$name.pid" \
            >"$s/socks/$name-start.log" 2>&1 || start_failed "$s" "danted ($name) did not start"
    done
    deadline=$((SECONDS + START_TIMEOUT))
    until [ -S "$s/lmtp/run/lmtp" ]; do
        [ $SECONDS -ge $deadline ] && start_failed "$s" "the LMTP socket did not appear"
        sleep 0.1
    done
    for p in "$SOCKS_PORT" "$SOCKS_AUTH_PORT"; do
        until port_open "$p"; do
            [ $SECONDS -ge $deadline ] && start_failed "$s" "SOCKS port $p not open"
            sleep 0.1
        done
    done
}

stop_reach() {  # $1 = state
    local s=$1 pid name i
    if pid=$(dovecot_pid "$s/lmtp/run"); then
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    for name in open login; do
        pid=$(cat "$s/socks/$name.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
    done
}

env_lines_reach() {  # $1 = state
    local s=$1
    cat <<EOF
export POSTA_E2E_SMTP_SOCKET='$s/spool/public/posta-smtp'
export POSTA_E2E_LMTP_SOCKET='$s/lmtp/run/lmtp'
export POSTA_E2E_LMTP_OVER_QUOTA='$LMTP_OVER_QUOTA_USER@example.test'
export POSTA_E2E_LMTP_LOG='$s/lmtp.log'
export POSTA_E2E_SOCKS_PORT=$SOCKS_PORT
export POSTA_E2E_SOCKS_AUTH_PORT=$SOCKS_AUTH_PORT
export POSTA_E2E_SOCKS_USER='$SOCKS_USER'
export POSTA_E2E_SOCKS_PASS='$SOCKS_PASS'
EOF
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start "${2:-}" ;;
    stop) cmd_stop "${2:-}" ;;
    status) cmd_status "${2:-}" ;;
    *) echo "usage: $0 install | start [DIR] | stop [DIR] | status [DIR]" >&2; exit 2 ;;
esac
