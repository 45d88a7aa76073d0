#!/usr/bin/env bash
# `make demo`: builds the package and serves the demo shop on localhost, twice:
#   http://127.0.0.1:8080/   the shop, personalized in the browser (hearth's page layer)
#   http://127.0.0.1:8787/   the same shop through the edge worker (workerd), personalized
#                            before the first byte; the browser adopts the edge's decisions
# Usage: tools/demo.sh [port]   (the browser-side port; default 8080). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build-pkg.sh
[ -f www/site/manifest.json ] || node www/tools/make-manifest.mjs
node www/tools/compile-manifest.mjs # what the shop loads (the browser build reads manifests compiled)

# The edge worker serves the same files (the site and the package) as its origin.
worker/build.sh --no-pkg www/site/manifest.json
site=worker/build/demo-site
rm -rf "$site" && mkdir -p "$site" && cp -r www/site/. "$site/" && cp -r pkg "$site/pkg"
node_modules/.bin/workerd serve worker/config.capnp config -d "site-files=$site" &
edge=$!
trap 'kill $edge 2>/dev/null || true' EXIT INT TERM
echo "edge worker: http://127.0.0.1:8787/  (the shop personalized at the edge)"
node www/serve.mjs "${1:-${PORT:-8080}}"
