# workerd test worker/test/unit.capnp   (from the repository root, after worker/build.sh)
using Workerd = import "/workerd/workerd.capnp";
using Main = import "../config.capnp";

const unitTests :Workerd.Config = (
  services = [ (name = "unit", worker = .unitWorker) ],
);

const unitWorker :Workerd.Worker = (
  modules = [
    (name = "test/unit.js", esModule = embed "unit.js"),
    (name = "src/worker.js", esModule = embed "../src/worker.js"),
    (name = "src/consent.js", esModule = embed "../src/consent.js"),
    (name = "src/digest.js", esModule = embed "../src/digest.js"),
    (name = "src/rewrite.js", esModule = embed "../src/rewrite.js"),
    (name = "src/decisions.js", esModule = embed "../src/decisions.js"),
    (name = "src/template.js", esModule = embed "../src/template.js"),
    (name = "src/cache.js", esModule = embed "../src/cache.js"),
    (name = "src/static.js", esModule = embed "../src/static.js"),
    (name = "build/hearth/workerd.js", esModule = embed "../build/hearth/workerd.js"),
    (name = "build/hearth/hearth.js", esModule = embed "../build/hearth/hearth.js"),
    (name = "build/hearth/safe.js", esModule = embed "../build/hearth/safe.js"),
    (name = "build/hearth/hearth_wasm.js", esModule = embed "../build/hearth/hearth_wasm.js"),
    (name = "build/hearth/glue.js", esModule = embed "../build/hearth/glue.js"),
    (name = "build/hearth/hearth_wasm_bg.wasm", wasm = embed "../build/hearth/hearth_wasm_bg.wasm"),
    (name = "build/manifest.json", json = embed "../build/manifest.json"),
    (name = "build/manifest.bin", data = embed "../build/manifest.bin"),
    (name = "data/scenario.json", json = embed "../../tests/data/determinism/scenario.json"),
    (name = "data/expected.txt", text = embed "../../tests/data/determinism/expected.json"),
  ],
  compatibilityDate = "2025-01-01",
);
