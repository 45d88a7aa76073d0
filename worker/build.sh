#!/usr/bin/env bash
# Builds what workerd/wrangler need into worker/build/:
#   build/hearth/   the npm package files (Wasm + --target web glue + JS API)
#   build/manifest.json  the bundled manifest (default: docs/manifest.sample.json)
# Usage: worker/build.sh [--no-pkg] [manifest.json]
#   --no-pkg  reuse the existing pkg/ instead of running tools/build-pkg.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build_pkg=1
if [ "${1:-}" = "--no-pkg" ]; then build_pkg=0; shift; fi
manifest="${1:-$root/docs/manifest.sample.json}"
if [ "$build_pkg" = 1 ] || [ ! -f "$root/pkg/hearth_wasm_bg.wasm" ]; then
  (cd "$root" && tools/build-pkg.sh)
fi
rm -rf "$here/build/hearth" && mkdir -p "$here/build/hearth"
cp "$root"/pkg/hearth_wasm_bg.wasm "$root"/pkg/hearth_wasm.js "$root"/pkg/hearth.js "$root"/pkg/workerd.js "$root"/pkg/safe.js "$here/build/hearth/"
cp "$manifest" "$here/build/manifest.json"
echo "worker/build ready ($(wc -c < "$here/build/hearth/hearth_wasm_bg.wasm") bytes of Wasm, manifest $(basename "$manifest"))"
