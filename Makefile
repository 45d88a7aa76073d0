# hearth: every target installs what it needs first (tools/setup.sh is
# idempotent), so each works on a fresh machine.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo

.PHONY: help setup setup-browser pkg demo-data test test-native test-js test-browser test-edge conformance bench bench-native bench-edge size demo lint

help:
	@echo "make demo         build and serve the demo shop (and the edge worker in front of it) on localhost"
	@echo "make test         every test: native, Wasm in Node, conformance, bundle size"
	@echo "make test-browser privacy (and, later, page) tests in headless Chromium"
	@echo "make test-edge    the edge worker: workerd unit tests and integration tests against workerd serve"
	@echo "make bench-edge   wrk against a pass-through worker and the hearth worker on loopback"
	@echo "make conformance  one line per external suite"
	@echo "make bench        hearth vs the GrowthBook JS SDK, plus native core benches"
	@echo "make size         gzipped browser bundle size"

setup:
	@tools/setup.sh

# Debian's chromium for the browser tests (installed only when missing).
setup-browser: setup
	@tools/setup.sh browser

pkg: setup
	@tools/build-pkg.sh

test: setup test-native pkg test-js test-browser test-edge size

test-native:
	$(CARGO) test --quiet
	@# The browser's build (no `full` feature; tools/build-pkg.sh) through the same unit tests.
	$(CARGO) test --quiet --no-default-features --features native --lib

test-js:
	node --test --test-reporter=spec tests/js/

test-browser: setup-browser pkg demo-data
	node --test --test-reporter=spec www/test/ www/flows/

# The demo shop's generated manifest, feed and images (deterministic apart from the claim key),
# and the manifest compiled for the browser build (always: it must match the engine).
demo-data: pkg
	@[ -f www/site/manifest.json ] || node www/tools/make-manifest.mjs
	@node www/tools/compile-manifest.mjs

test-edge: pkg
	@worker/build.sh --no-pkg
	node_modules/.bin/workerd test worker/test/unit.capnp
	node --test --test-reporter=spec worker/test/*.test.mjs

conformance: setup pkg
	@$(CARGO) test --quiet --test conformance
	@node tests/js/conformance.mjs

bench: setup pkg bench-native
	@node benches/js/compare.mjs
	@node benches/js/decide.mjs

bench-edge: pkg
	@worker/build.sh --no-pkg
	@worker/bench.sh

bench-native:
	@$(CARGO) bench --quiet --bench core

size: pkg
	@tools/size.sh

lint:
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) fmt --check

demo: setup
	@tools/demo.sh
