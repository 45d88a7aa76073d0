// The wasm-bindgen glue that js/hearth.js calls. Each of hearth's three Wasm builds comes with its
// own (the browser builds export less: src/wasm/features.rs and full.rs), so the entry point that
// instantiated one binds its glue here: node.js and workerd.js the full build's, and in the
// browser dom.js's `loadWasm` the one that matches the module it loaded.

const unloaded = new Proxy(
  {},
  {
    get() {
      throw new Error('the Wasm engine is not loaded yet: await init() first');
    },
  },
);

/** The bound glue: a live binding, so importers see `bind`'s. */
export let wasm = unloaded;

/** Makes `glue` (a wasm-bindgen module whose Wasm is instantiated) the one hearth calls. */
export function bind(glue) {
  wasm = glue;
}
