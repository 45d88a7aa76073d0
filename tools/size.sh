#!/usr/bin/env bash
# Prints the gzipped size of what a browser downloads: the page build of the Wasm, its
# wasm-bindgen glue, hearth's JS API and the page layer (run tools/build-pkg.sh first).
#   tools/size.sh           report, and say whether it fits the 60 KB budget
#   tools/size.sh --check   ... and fail when it does not (issue #5 turns this on in CI)
set -euo pipefail
cd "$(dirname "$0")/../pkg"
budget=${SIZE_BUDGET:-61440}
check=${1:-}
files=(hearth_browser_bg.wasm hearth_browser.js glue.js hearth.js browser.js dom.js safe.js)
total=0
for f in "${files[@]}"; do
  n=$(gzip -9 -c "$f" | wc -c)
  printf '  %-22s %7d bytes, %6d gzip\n' "$f" "$(wc -c < "$f")" "$n"
  total=$((total + n))
  case "$f" in hearth_browser_bg.wasm | hearth_browser.js) page_build=$((${page_build:-0} + n)) ;; esac
done
echo "browser bundle: $total bytes gzip"
# init({features: true}) fetches the features build and its glue in place of the page build's.
features=$(($(gzip -9 -c hearth_features_bg.wasm | wc -c) + $(gzip -9 -c hearth_features.js | wc -c)))
echo "  (with GrowthBook features and experiments, init({features: true}): $((total - page_build + features)) bytes gzip)"
if [ "$total" -gt "$budget" ]; then
  echo "over the budget of $budget bytes gzip by $((total - budget))" >&2
  [ "$check" = --check ] && exit 1
else
  echo "within the budget of $budget bytes gzip"
fi
exit 0
