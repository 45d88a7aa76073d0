// Node entry point: instantiates the Wasm synchronously from the package.
import { readFileSync } from 'node:fs';
import { initSync } from './hearth_wasm.js';

initSync({ module: readFileSync(new URL('./hearth_wasm_bg.wasm', import.meta.url)) });

export * from './hearth.js';

/** Already initialized on import; kept so code can `await init()` on every platform. */
export async function init() {}
