#!/usr/bin/env bash
# A machine whose sendmail is posta, for tests/e2e/cron_machine.rs: Debian's real cron
# daemon runs @reboot jobs of root and of `nobody` (neither has a posta config of its
# own), GNU mailutils' `mail` and PHP's mail() run as other users, and everything goes
# through one /etc/posta/config.toml with a group-readable password file and an
# aliases file. Runs inside `unshare --mount --propagation private`, so that what it
# changes only this namespace sees:
#   --binary POSTA   posta bind-mounted over /usr/sbin/sendmail, and bind mounts for
#                    /etc/posta, a `posta` group in /etc/group, the crontabs, /run, /root;
#   --deb FILE       /usr, /etc and /var overlaid (copy-on-write in WORK_DIR), the
#                    machine's MTA (Postfix) removed and the package installed with
#                    dpkg -i, as `apt install ./posta_*.deb` would; after the mail went
#                    out, `dpkg --purge posta` must leave none of its files.
#
#   cron_machine.sh --binary POSTA | --deb FILE  WORK_DIR TOKEN
#
# Needs the rig's env.sh variables. Runs until WORK_DIR/stop exists (the test creates it
# once the mail arrived) or 60 s have passed, then stops cron.
set -euo pipefail

mode=$1 artifact=$2 work=$3 token=$4
[ "$(id -u)" = 0 ] || { echo "cron_machine: must run as root" >&2; exit 1; }

if [ "$mode" = --deb ]; then
    for d in usr etc var; do
        mkdir -p "$work/overlay/$d-upper" "$work/overlay/$d-work"
        mount -t overlay overlay \
            -o "lowerdir=/$d,upperdir=$work/overlay/$d-upper,workdir=$work/overlay/$d-work" "/$d"
    done
    # Maintainer scripts must not start or stop the machine's services.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    export DEBIAN_FRONTEND=noninteractive
    # What apt would do for a package that conflicts with mail-transport-agent (without
    # the man-db trigger, which takes a minute and is not ours).
    dpkg --no-triggers --purge --force-depends postfix >"$work/dpkg.log" 2>&1
    dpkg --no-triggers -i "$artifact" >>"$work/dpkg.log" 2>&1
    [ "$(readlink -f /usr/sbin/sendmail)" = /usr/bin/posta ] \
        || { echo "cron_machine: /usr/sbin/sendmail is not posta after dpkg -i" >&2; exit 1; }
fi

# The system config, trusted only when root's and writable by nobody else.
etc=$work/etc-posta
mkdir -p "$etc"
cp "$POSTA_E2E_CA" "$etc/ca.crt"
printf '%s\n' "$POSTA_E2E_PASS1" >"$etc/password"
cat >"$etc/aliases" <<EOF
# cron mails a job's output to its owner; mailx and PHP scripts mail root.
root: $POSTA_E2E_USER3
nobody: $POSTA_E2E_USER2
EOF
cat >"$etc/config.toml" <<EOF
default = "machine"

[profiles.machine]
host = "localhost"
port = $POSTA_E2E_SUBMISSION_PORT
security = "starttls"
ca_file = "/etc/posta/ca.crt"
user = "$POSTA_E2E_USER1"
from = "Machine <$POSTA_E2E_USER1>"
password_file = "/etc/posta/password"
aliases = "/etc/posta/aliases"
envelope_from = "profile"
from_header = "rewrite"
timeout = 20
EOF
chmod 0755 "$etc"
chmod 0644 "$etc/config.toml" "$etc/aliases" "$etc/ca.crt"

# A group `posta` whose members may read the password file: root, nobody, www-data.
gid=64123
while getent group "$gid" >/dev/null; do gid=$((gid + 1)); done
cp /etc/group "$work/group"
echo "posta:x:$gid:nobody,www-data" >>"$work/group"
chown "root:$gid" "$etc/password"
chmod 0640 "$etc/password"

# The crontabs: each owned by its user, 0600, as `crontab -e` leaves them.
tabs=$work/crontabs
mkdir -p "$tabs"
cat >"$tabs/root" <<EOF
@reboot echo "cron-root-$token"
EOF
cat >"$tabs/nobody" <<EOF
@reboot echo "cron-nobody-$token"; head -c 5000 /dev/zero | tr '\\0' x; echo
EOF
chown root "$tabs/root"
chown nobody "$tabs/nobody"
chmod 0600 "$tabs/root" "$tabs/nobody"
chmod 1730 "$tabs"
chgrp crontab "$tabs" 2>/dev/null || true

# /etc/posta need not exist on the machine: an empty directory to mount on, removed after
# (under --deb, /etc is the overlay's and the package made it).
made_etc=0
if [ ! -d /etc/posta ]; then mkdir /etc/posta && made_etc=1; fi
cleanup() {
    [ -n "${cron_pid:-}" ] && kill "$cron_pid" 2>/dev/null || true
    if [ "$made_etc" = 1 ]; then
        umount /etc/posta 2>/dev/null || true
        rmdir /etc/posta 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap "exit 1" INT TERM

[ "$mode" = --binary ] && mount --bind "$artifact" /usr/sbin/sendmail
mount --bind "$etc" /etc/posta
mount --bind "$work/group" /etc/group
mount --bind "$tabs" /var/spool/cron/crontabs
# A fresh /run: no crond.pid of another cron, no crond.reboot (so @reboot jobs run).
mount -t tmpfs tmpfs /run
# root's home without any posta config of the session's user.
mount -t tmpfs tmpfs /root
# Containers cannot set a login uid; cron's PAM stack must not require it.
if grep -q '^session[[:space:]]\+required[[:space:]]\+pam_loginuid' /etc/pam.d/cron 2>/dev/null; then
    sed 's/^\(session[[:space:]]\+\)required\([[:space:]]\+pam_loginuid\)/\1optional\2/' \
        /etc/pam.d/cron >"$work/pam-cron"
    mount --bind "$work/pam-cron" /etc/pam.d/cron
fi

cron -f -L 15 >"$work/cron.log" 2>&1 &
cron_pid=$!

# GNU mailutils' mail as `nobody`, to root (it passes -f user@hostname itself).
runuser -u nobody -- sh -c "printf 'mailutils body %s\n' '$token' | mail -s 'mailutils-$token' root"
# PHP's mail() as www-data: sendmail_path's default, `/usr/sbin/sendmail -t -i`.
runuser -u www-data -- php -r "exit(mail('root', 'php-$token', 'php body $token') ? 0 : 1);"

stopped=0
for _ in $(seq 1 600); do
    [ -e "$work/stop" ] && { stopped=1; break; }
    sleep 0.1
done
[ "$stopped" = 1 ] || { echo "cron_machine: no stop file after 60 s" >&2; exit 1; }
kill "$cron_pid" 2>/dev/null || true
wait "$cron_pid" 2>/dev/null || true
cron_pid=

if [ "$mode" = --deb ]; then
    umount /etc/posta 2>/dev/null || true
    dpkg --no-triggers --purge posta >>"$work/dpkg.log" 2>&1
    left=""
    for f in /usr/bin/posta /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq \
        /usr/bin/newaliases /etc/posta/config.toml.example; do
        if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
    done
    [ -z "$left" ] || { echo "cron_machine: dpkg --purge posta left$left" >&2; exit 1; }
    dpkg -s posta >/dev/null 2>&1 && { echo "cron_machine: posta still registered" >&2; exit 1; }
fi
exit 0
