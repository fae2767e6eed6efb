#!/usr/bin/env bash
# Make posta answer as sendmail: symlinks /usr/sbin/sendmail, /usr/lib/sendmail,
# /usr/bin/mailq and /usr/bin/newaliases (under --prefix, for packaging) to the posta
# binary. posta behaves as `posta sendmail` when invoked under the name sendmail, as
# `sendmail -bp` under mailq, and as a no-op that says so under newaliases.
#
#   scripts/install-sendmail.sh [--posta PATH] [--prefix DIR] [--force]
#
# An existing sendmail that is not posta is kept unless --force (then it is renamed
# to sendmail.before-posta).
set -euo pipefail
posta=$(command -v posta || true)
prefix=""
force=0
while [ $# -gt 0 ]; do
  case $1 in
    --posta) posta=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install-sendmail: unknown option $1" >&2; exit 64 ;;
  esac
done
if [ -z "$posta" ] || [ ! -x "$posta" ]; then
  echo "install-sendmail: posta not found; give --posta PATH" >&2
  exit 66
fi
posta=$(readlink -f "$posta")
for link in /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases; do
  target="$prefix$link"
  mkdir -p "$(dirname "$target")"
  if [ -e "$target" ] || [ -L "$target" ]; then
    if [ "$(readlink -f "$target")" = "$posta" ]; then
      echo "$target already points to posta"
      continue
    fi
    if [ $force = 0 ]; then
      echo "install-sendmail: $target exists and is not posta; use --force to replace it" >&2
      exit 73
    fi
    mv "$target" "$target.before-posta"
  fi
  ln -s "$posta" "$target"
  echo "$target -> $posta"
done
