# workerd config for local runs. Run from the repository root after worker/build.sh:
#   node_modules/.bin/workerd serve worker/config.capnp
#     hearth worker     http://127.0.0.1:8787/   (personalized)
#     pass-through      http://127.0.0.1:8788/   (same origin, no rewriting: the bench baseline)
#     static origin     http://127.0.0.1:8789/   (the site files as they are)
# `benchConfig` (worker/bench.sh) adds the hearth worker with HEARTH_RENDER_CACHE=off (every page
# rewritten) on http://127.0.0.1:8790/, and on :8791 one whose origin says `max-age=0`.
# The site files default to worker/test/fixtures; serve the demo site with
#   -d site-files=www/site        (paths are relative to the current directory)
# `testConfig` (worker/test/run-workerd.mjs) puts an external origin (a Node server, address set
# with -e origin=127.0.0.1:PORT) behind both workers and enables the test-only route.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "hearth", worker = .hearthWorker),
    (name = "passthrough", worker = .passthroughWorker),
    (name = "site", worker = .siteWorker),
    (name = "site-files", disk = (path = "worker/test/fixtures")),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "hearth"),
    (name = "plain", address = "127.0.0.1:8788", http = (), service = "passthrough"),
    (name = "origin", address = "127.0.0.1:8789", http = (), service = "site"),
  ],
);

# `config` plus the uncached worker (capnp has no list concatenation, so the lists are repeated).
const benchConfig :Workerd.Config = (
  services = [
    (name = "hearth", worker = .hearthWorker),
    (name = "passthrough", worker = .passthroughWorker),
    (name = "hearth-uncached", worker = .hearthUncachedWorker),
    (name = "hearth-revalidating", worker = .hearthRevalidatingWorker),
    (name = "site", worker = .siteWorker),
    (name = "site-max-age-0", worker = .siteMaxAge0Worker),
    (name = "site-files", disk = (path = "worker/test/fixtures")),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "hearth"),
    (name = "plain", address = "127.0.0.1:8788", http = (), service = "passthrough"),
    (name = "origin", address = "127.0.0.1:8789", http = (), service = "site"),
    (name = "uncached", address = "127.0.0.1:8790", http = (), service = "hearth-uncached"),
    (name = "revalidating", address = "127.0.0.1:8791", http = (), service = "hearth-revalidating"),
  ],
);

const testConfig :Workerd.Config = (
  services = [
    (name = "hearth", worker = .hearthTestWorker),
    (name = "passthrough", worker = .passthroughTestWorker),
    (name = "origin", external = (address = "127.0.0.1:9", http = ())),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:0", http = (), service = "hearth"),
    (name = "plain", address = "127.0.0.1:0", http = (), service = "passthrough"),
  ],
);

const hearthModules :List(Workerd.Worker.Module) = [
  (name = "src/index.js", esModule = embed "src/index.js"),
  (name = "src/worker.js", esModule = embed "src/worker.js"),
  (name = "src/consent.js", esModule = embed "src/consent.js"),
  (name = "src/digest.js", esModule = embed "src/digest.js"),
  (name = "src/rewrite.js", esModule = embed "src/rewrite.js"),
  (name = "src/decisions.js", esModule = embed "src/decisions.js"),
  (name = "src/template.js", esModule = embed "src/template.js"),
  (name = "src/cache.js", esModule = embed "src/cache.js"),
  (name = "build/hearth/workerd.js", esModule = embed "build/hearth/workerd.js"),
  (name = "build/hearth/hearth.js", esModule = embed "build/hearth/hearth.js"),
  (name = "build/hearth/safe.js", esModule = embed "build/hearth/safe.js"),
  (name = "build/hearth/hearth_wasm.js", esModule = embed "build/hearth/hearth_wasm.js"),
  (name = "build/hearth/glue.js", esModule = embed "build/hearth/glue.js"),
  (name = "build/hearth/hearth_wasm_bg.wasm", wasm = embed "build/hearth/hearth_wasm_bg.wasm"),
  (name = "build/manifest.bin", data = embed "build/manifest.bin"),
];

const hearthWorker :Workerd.Worker = (
  modules = .hearthModules,
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "ORIGIN", service = "site") ],
);

const hearthUncachedWorker :Workerd.Worker = (
  modules = .hearthModules,
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "ORIGIN", service = "site"), (name = "HEARTH_RENDER_CACHE", text = "off") ],
);

# The hearth worker in front of an origin whose pages say `max-age=0`: what it kept is revalidated
# on every request (a 304 each time) instead of served while fresh.
const hearthRevalidatingWorker :Workerd.Worker = (
  modules = .hearthModules,
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "ORIGIN", service = "site-max-age-0") ],
);

const siteMaxAge0Worker :Workerd.Worker = (
  modules = [ (name = "src/static.js", esModule = embed "src/static.js") ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "DISK", service = "site-files"), (name = "MAX_AGE", text = "0") ],
);

const passthroughWorker :Workerd.Worker = (
  modules = [ (name = "src/passthrough.js", esModule = embed "src/passthrough.js") ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "ORIGIN", service = "site") ],
);

const siteWorker :Workerd.Worker = (
  modules = [ (name = "src/static.js", esModule = embed "src/static.js") ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "DISK", service = "site-files") ],
);

const hearthTestWorker :Workerd.Worker = (
  modules = .hearthModules,
  compatibilityDate = "2025-01-01",
  bindings = [
    (name = "ORIGIN", service = "origin"),
    (name = "HEARTH_TEST_ROUTES", text = "1"),
    (name = "HEARTH_ORIGIN_BUDGET_MS", fromEnvironment = "HEARTH_ORIGIN_BUDGET_MS"),
    (name = "HEARTH_MAX_HTML_BYTES", fromEnvironment = "HEARTH_MAX_HTML_BYTES"),
  ],
);

const passthroughTestWorker :Workerd.Worker = (
  modules = [ (name = "src/passthrough.js", esModule = embed "src/passthrough.js") ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "ORIGIN", service = "origin") ],
);
