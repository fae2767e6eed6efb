#!/usr/bin/env bash
# Regenerate the committed completions and man pages from cli.rs (via the binary).
# tests/it/generated.rs fails when these files are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/posta
mkdir -p completions man
for shell in bash zsh fish elvish powershell; do
  case $shell in
    bash) f=posta.bash ;; zsh) f=_posta ;; fish) f=posta.fish ;;
    elvish) f=posta.elv ;; powershell) f=_posta.ps1 ;;
  esac
  "$bin" completions "$shell" > "completions/$f"
done
rm -f man/*.1
"$bin" man --dir man
echo "completions/ and man/ regenerated"
