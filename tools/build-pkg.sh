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
# `growthbook` feature), so the page downloads less. What a build leaves out it
# does not export (src/wasm/features.rs, full.rs), so each has its own
# wasm-bindgen glue, named after its Wasm: hearth_browser.js, hearth_features.js,
# hearth_wasm.js (the full build's, which Node and workerd load). js/glue.js says
# how hearth's JS binds the right one.
# The browser's are built with the `browser` profile (opt-level "z": Cargo.toml says why).
rm -rf pkg && mkdir -p pkg/src
# The browser builds rebuild std for size, with this machine's own compiler and its rust-src
# (tools/setup.sh installs it): panics trap where they happen (`-Cpanic=immediate-abort`: no
# message formatting, no panic hook, no locations), and std's `optimize_for_size` code paths.
# The flags are unstable, so RUSTC_BOOTSTRAP=1 lets the stable compiler take them, for these
# two builds only: 3.5 KB gzip less for the page build than std as shipped, for ~8% slower
# decisions (std's own code is then built at the profile's opt-level "z" too; BENCHMARKS.md,
# stop 16). It is the same compiler and the same std source as every other build, so the engine's
# arithmetic is the same (the determinism tests check the page build's answer against the native
# one, in Node and in Chromium). HEARTH_PREBUILT_STD=1 builds them with std as shipped instead (for a toolchain whose
# unstable flags have moved on), with the panic paths emptied after the fact (snip-panics).
size_std=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  --config 'target.wasm32-unknown-unknown.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none"]')
[ "${HEARTH_PREBUILT_STD:-}" = 1 ] && size_std=()
build() { # profile features name [wasm-opt passes first]: out-name hearth_wasm for all three (the Wasm's import module is named after it)
  local std=() boot=()
  [ "$1" = browser ] && std=("${size_std[@]}")
  [ ${#std[@]} -gt 0 ] && boot=(env RUSTC_BOOTSTRAP=1)
  "${boot[@]}" cargo build --quiet --lib --profile "$1" --target wasm32-unknown-unknown --no-default-features ${2:+--features "$2"} "${std[@]}"
  wasm-bindgen --target web --no-typescript --out-dir "pkg/$3-build" --out-name hearth_wasm "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$1/hearth.wasm"
  # The target_features section (kept by strip = "debuginfo") tells wasm-opt
  # which features the module uses; -Os then strips it. --converge repeats
  # -Os until it stops shrinking: ~1.3 KB less gzip, same speed (measured;
  # -Oz --converge is no smaller gzipped, -O3 then -Os is bigger). --low-memory-unused lets it
  # fold `p + C` into load and store offsets (C < 1024), which is exact unless an address lands in
  # the first 1 KB of memory: Rust's stack is the first 1 MB, growing down, so only the last 1 KB
  # of a full stack lies there (0.7 KB gzip less for the page build).
  # With std as shipped, Rust's panic paths are made to trap at once instead of formatting a
  # message no one can read (tools/snip-panics.mjs says why that is exact): 9 KB less Wasm for
  # the full build. A std rebuilt with immediate-abort has no such paths left.
  local wasm="pkg/$3-build/hearth_wasm_bg.wasm"
  if [ ${#std[@]} = 0 ]; then
    node tools/snip-panics.mjs "$wasm" "pkg/$3-build/snipped.wasm"
    wasm="pkg/$3-build/snipped.wasm"
  fi
  node_modules/.bin/wasm-opt ${4:-} -Os --converge --low-memory-unused --strip-debug --strip-producers "$wasm" -o "pkg/$3_bg.wasm"
  mv "pkg/$3-build/hearth_wasm.js" "pkg/src/$3.js"
  rm -r "pkg/$3-build"
}
# The browser builds first flatten the code and rebuild its control flow (binaryen's relooper)
# before -Os: 0.5 KB gzip less for the page build, 0.6 KB for the features build, a page of
# decisions as fast (Node, alternating runs: within noise). The full build, which the edge runs per
# request, keeps plain -Os and std as shipped.
build browser "" hearth_browser "--flatten --rereloop"
build browser growthbook hearth_features "--flatten --rereloop"
build release full hearth_wasm
# What ships is minified (terser, no bundling: every module keeps its exports
# and imports), with source maps pointing at the readable sources in pkg/src/.
cp js/*.js pkg/src/
node tools/minify.mjs pkg
cp js/*.d.ts js/package.json pkg/
cp README.md pkg/ 2>/dev/null || true
echo "built pkg/ (Wasm: $(wc -c < pkg/hearth_browser_bg.wasm) bytes for pages, $(wc -c < pkg/hearth_features_bg.wasm) with GrowthBook features, $(wc -c < pkg/hearth_wasm_bg.wasm) full)"
