#!/usr/bin/env bash
# Builds the npm package into pkg/: release Wasm, wasm-bindgen glue
# (--target web, which also serves Node and workerd through initSync),
# wasm-opt -Os, and the hand-written API and package.json from js/ (the JS minified).
# Two Wasm files: hearth_browser_bg.wasm (what pages load) and hearth_wasm_bg.wasm (full).
set -euo pipefail
cd "$(dirname "$0")/.."

# Two builds of one crate: the browser's leaves out what only the edge, Node
# and GrowthBook's helpers use (the `full` feature, Cargo.toml says what), so
# the page downloads less. Both export the same functions (the browser's
# answer "not in this build" for the missing ones), so one wasm-bindgen glue
# serves both: checked below.
# The browser's is built with the `browser` profile (opt-level "z": Cargo.toml says why).
rm -rf pkg && mkdir -p pkg
build() { # profile features out-dir: wasm-bindgen names both hearth_wasm (the Wasm's import module is named after it)
  cargo build --quiet --lib --profile "$1" --target wasm32-unknown-unknown --no-default-features ${2:+--features "$2"}
  wasm-bindgen --target web --no-typescript --out-dir "$3" --out-name hearth_wasm "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$1/hearth.wasm"
  # The target_features section (kept by strip = "debuginfo") tells wasm-opt
  # which features the module uses; -Os then strips it. --converge repeats
  # -Os until it stops shrinking: ~1.3 KB less gzip, same speed (measured;
  # -Oz --converge is no smaller gzipped, -O3 then -Os is bigger).
  node_modules/.bin/wasm-opt -Os --converge --strip-debug --strip-producers "$3/hearth_wasm_bg.wasm" -o "$3/hearth_wasm_bg.wasm"
}
build browser "" pkg/browser-build
build release full pkg
if ! cmp -s pkg/browser-build/hearth_wasm.js pkg/hearth_wasm.js; then
  echo "the browser and full builds need different wasm-bindgen glue: give both the same exports" >&2
  diff pkg/browser-build/hearth_wasm.js pkg/hearth_wasm.js | head -20 >&2
  exit 1
fi
mv pkg/browser-build/hearth_wasm_bg.wasm pkg/hearth_browser_bg.wasm
rm -r pkg/browser-build
# What ships is minified (esbuild: names and whitespace only, no bundling:
# every module keeps its exports and imports), with source maps pointing at
# the readable sources in pkg/src/.
mkdir -p pkg/src
cp js/*.js pkg/src/
mv pkg/hearth_wasm.js pkg/src/
node_modules/.bin/esbuild pkg/src/*.js --minify --format=esm --sourcemap --outdir=pkg --log-level=warning
cp js/*.d.ts js/package.json pkg/
cp README.md pkg/ 2>/dev/null || true
echo "built pkg/ (Wasm: $(wc -c < pkg/hearth_browser_bg.wasm) bytes for the browser, $(wc -c < pkg/hearth_wasm_bg.wasm) full)"
