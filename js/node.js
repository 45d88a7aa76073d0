// Node entry point: instantiates the full build's Wasm synchronously from the package.
import { readFileSync } from 'node:fs';
import * as glue from './hearth_wasm.js';
import { bind } from './glue.js';

glue.initSync({ module: readFileSync(new URL('./hearth_wasm_bg.wasm', import.meta.url)) });
bind(glue);

export * from './hearth.js';

/** Already initialized on import; kept so code can `await init()` on every platform. */
export async function init() {}
