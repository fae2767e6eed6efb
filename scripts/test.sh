#!/usr/bin/env bash
# The test command: unit and integration tests, then the end-to-end suite against a
# real Postfix + Dovecot started on loopback by scripts/mailserver.sh.
# Needs root (or the packages already installed) for the mail server.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  # Also nodejs + npm and the OAuth server's npm packages (scripts/oauth-server.sh install).
  scripts/mailserver.sh install
  # Real clients of the sendmail interface, and Python for the independent parser;
  # dbus and gnome-keyring for the keyring test; dnsmasq-base for the SRV discovery test;
  # cron, mailutils and php-cli for the whole-machine test (tests/e2e/cron_machine.rs);
  # php-symfony-mailer and swaks: real SMTP clients of sendmail -bs and posta serve.
  missing=""
  for pkg in git-email s-nail python3 dbus gnome-keyring dnsmasq-base cron mailutils php-cli php-symfony-mailer swaks; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
fi
scripts/mailserver.sh start > /dev/null
trap 'scripts/mailserver.sh stop >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
. .e2e/env.sh

cargo test --all-targets --features e2e-tests -- --test-threads=2 "$@"
