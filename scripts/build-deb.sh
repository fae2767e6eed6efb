#!/usr/bin/env bash
# Build a Debian package of posta with dpkg-deb (no other tool needed): the binary, the
# man pages and completions from the repo, /etc/posta/config.toml.example, the systemd
# user units that flush the queue, and the names of a sendmail installation
# (/usr/sbin/sendmail, /usr/lib/sendmail, /usr/bin/mailq, /usr/bin/newaliases). Like
# msmtp-mta it Provides and Conflicts with mail-transport-agent, so installing it makes
# posta the machine's mailer (and removes another MTA).
#
#   scripts/build-deb.sh [--binary PATH] [--out DIR]
#
# Without --binary it runs `cargo build --release`. Prints the path of the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
out="target/debian"
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "build-deb: unknown option $1" >&2; exit 64 ;;
  esac
done
if [ -z "$binary" ]; then
  cargo build --release --quiet
  binary=target/release/posta
fi
[ -x "$binary" ] || { echo "build-deb: $binary is not an executable" >&2; exit 66; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
arch=$(dpkg --print-architecture)
root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT

install -D -m 0755 "$binary" "$root/usr/bin/posta"
strip --strip-unneeded "$root/usr/bin/posta" 2>/dev/null || true
for link in usr/sbin/sendmail usr/lib/sendmail; do
  mkdir -p "$root/$(dirname "$link")"
  ln -s /usr/bin/posta "$root/$link"
done
ln -s posta "$root/usr/bin/mailq"
ln -s posta "$root/usr/bin/newaliases"
install -d "$root/usr/share/man/man1"
for page in man/*.1; do
  gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"
done
install -D -m 0644 completions/posta.bash "$root/usr/share/bash-completion/completions/posta"
install -D -m 0644 completions/_posta "$root/usr/share/zsh/vendor-completions/_posta"
install -D -m 0644 completions/posta.fish "$root/usr/share/fish/vendor_completions.d/posta.fish"
install -D -m 0644 config.sample.toml "$root/etc/posta/config.toml.example"
for unit in contrib/systemd/posta-queue.service contrib/systemd/posta-queue.timer; do
  install -D -m 0644 "$unit" "$root/usr/lib/systemd/user/$(basename "$unit")"
done
sed -i 's|^ExecStart=posta |ExecStart=/usr/bin/posta |' "$root/usr/lib/systemd/user/posta-queue.service"
# posta serve as a system service; not enabled (it needs its user, see the unit's comment).
install -D -m 0644 contrib/systemd/posta.service "$root/usr/lib/systemd/system/posta.service"
install -D -m 0644 contrib/systemd/posta.socket "$root/usr/lib/systemd/system/posta.socket"
sed -i 's|^ExecStart=posta |ExecStart=/usr/bin/posta |' "$root/usr/lib/systemd/system/posta.service"
install -D -m 0644 README.md "$root/usr/share/doc/posta/README.md"
install -D -m 0644 CHANGELOG.md "$root/usr/share/doc/posta/changelog"
gzip -9n "$root/usr/share/doc/posta/changelog"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
install -d "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: posta
Version: $version
Architecture: $arch
Maintainer: posta developers <posta@localhost>
Installed-Size: $size
Depends: libc6
Provides: mail-transport-agent
Conflicts: mail-transport-agent
Replaces: mail-transport-agent
Section: mail
Priority: optional
Homepage: https://localhost/posta
Description: mail submission client and sendmail stand-in
 posta sends mail from shell scripts and stands in for /usr/sbin/sendmail on a
 whole machine: named account profiles with presets for the big providers,
 verified TLS, a durable queue, and exit codes and JSON that say what happened.
 Machine-wide settings go in /etc/posta/config.toml (see the .example).
CONTROL
echo "/etc/posta/config.toml.example" > "$root/DEBIAN/conffiles"

mkdir -p "$out"
deb="$out/posta_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${POSTA_DEB_COMPRESS:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
