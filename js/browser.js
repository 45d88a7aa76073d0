// Browser entry point. Call `await init()` once before using the API; it
// fetches hearth_wasm_bg.wasm next to this file (or from `wasmUrl`).
import initWasm from './hearth_wasm.js';

let ready;

/** Loads and instantiates the Wasm once; later calls return the same promise. */
export function init(wasmUrl) {
  ready ??= initWasm({ module_or_path: wasmUrl ?? new URL('./hearth_wasm_bg.wasm', import.meta.url) });
  return ready.then(() => undefined);
}

export * from './hearth.js';
