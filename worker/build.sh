#!/usr/bin/env bash
# Builds what workerd/wrangler need into worker/build/:
#   build/hearth/   the npm package files (Wasm + --target web glue + JS API)
#   build/manifest.json  the manifest (default: docs/manifest.sample.json)
#   build/manifest.bin   the same, compiled: what the worker bundles
# Usage: worker/build.sh [--no-pkg] [manifest.json]
#   --no-pkg  reuse the existing pkg/ instead of running tools/build-pkg.sh
# Env: HEARTH_WORKER_BUILD (where to build; default worker/build), HEARTH_PKG (the package; default pkg/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build_pkg=1
if [ "${1:-}" = "--no-pkg" ]; then build_pkg=0; shift; fi
manifest="${1:-$root/docs/manifest.sample.json}"
out="${HEARTH_WORKER_BUILD:-$here/build}"
pkg="${HEARTH_PKG:-$root/pkg}"
if [ "$build_pkg" = 1 ] || [ ! -f "$pkg/hearth_wasm_bg.wasm" ]; then
  (cd "$root" && tools/build-pkg.sh)
  pkg="$root/pkg"
fi
rm -rf "$out/hearth" && mkdir -p "$out/hearth"
# The package files the worker imports (worker/config.capnp lists them as modules).
cp "$pkg"/hearth_wasm_bg.wasm "$pkg"/hearth_wasm.js "$pkg"/glue.js "$pkg"/hearth.js "$pkg"/workerd.js "$pkg"/safe.js "$out/hearth/"
cp "$manifest" "$out/manifest.json"
# What the worker loads: the manifest compiled (docs/manifest.md), validated here and read without
# the JSON validator at each isolate start. manifest.json stays for the unit tests.
if ! compiled=$(node "$pkg/cli.js" compile "$manifest" -o "$out/manifest.bin"); then
  echo "$compiled" >&2
  exit 1
fi
echo "$out ready ($(wc -c < "$out/hearth/hearth_wasm_bg.wasm") bytes of Wasm, manifest $(basename "$manifest") compiled to $(wc -c < "$out/manifest.bin") bytes)"
