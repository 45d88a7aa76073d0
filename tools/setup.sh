#!/usr/bin/env bash
# Installs what building and testing hearth needs on a fresh machine, and
# skips whatever is already there, so running it again is cheap.
#   tools/setup.sh          Rust wasm target and std's source, wasm-bindgen CLI, npm dev packages
#   tools/setup.sh browser  ... and Debian's Chromium (browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# std's source: the browser builds rebuild std for size (tools/build-pkg.sh says why).
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb"; then
  say "installing wasm-bindgen-cli $wb (takes a few minutes)"
  # No --locked: one of its locked dependencies is missing from the registry.
  cargo install wasm-bindgen-cli --version "$wb"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = browser ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi; }
  apt_get update -qq
  DEBIAN_FRONTEND=noninteractive apt_get install -y -qq chromium >/dev/null
fi
exit 0
