#!/usr/bin/env bash
# Builds the npm package into pkg/: release Wasm, wasm-bindgen glue
# (--target web, which also serves Node and workerd through initSync),
# wasm-opt -Os, and the hand-written API and package.json from js/ (the JS minified).
# Three Wasm files: hearth_browser_bg.wasm (what pages load), hearth_features_bg.wasm (the same
# with GrowthBook features and experiments) and hearth_wasm_bg.wasm (full).
set -euo pipefail
cd "$(dirname "$0")/.."

# Three builds of one crate: the browser's leave out what only the edge, Node
# and GrowthBook's helpers use (the `full` feature, Cargo.toml says what), and
# the page build also GrowthBook's feature and experiment evaluation (the
# `growthbook` feature), so the page downloads less. All export the same
# functions (answering "not in this build" for the missing ones), so one
# wasm-bindgen glue serves all three: checked below.
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
build browser growthbook pkg/features-build
build release full pkg
for b in browser features; do
  if ! cmp -s "pkg/$b-build/hearth_wasm.js" pkg/hearth_wasm.js; then
    echo "the $b and full builds need different wasm-bindgen glue: give them the same exports" >&2
    diff "pkg/$b-build/hearth_wasm.js" pkg/hearth_wasm.js | head -20 >&2
    exit 1
  fi
  mv "pkg/$b-build/hearth_wasm_bg.wasm" "pkg/hearth_${b}_bg.wasm"
  rm -r "pkg/$b-build"
done
# What ships is minified (esbuild: names and whitespace only, no bundling:
# every module keeps its exports and imports), with source maps pointing at
# the readable sources in pkg/src/.
mkdir -p pkg/src
cp js/*.js pkg/src/
mv pkg/hearth_wasm.js pkg/src/
node_modules/.bin/esbuild pkg/src/*.js --minify --format=esm --sourcemap --outdir=pkg --log-level=warning
cp js/*.d.ts js/package.json pkg/
cp README.md pkg/ 2>/dev/null || true
echo "built pkg/ (Wasm: $(wc -c < pkg/hearth_browser_bg.wasm) bytes for pages, $(wc -c < pkg/hearth_features_bg.wasm) with GrowthBook features, $(wc -c < pkg/hearth_wasm_bg.wasm) full)"
