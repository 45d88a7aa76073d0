// workerd / Cloudflare Workers entry point: the runtime compiles the .wasm
// module at deploy time (workers cannot compile Wasm from bytes at run time).
import module from './hearth_wasm_bg.wasm';
import * as glue from './hearth_wasm.js';
import { bind } from './glue.js';

glue.initSync({ module });
bind(glue);

export * from './hearth.js';

/** Already initialized on import; kept so code can `await init()` on every platform. */
export async function init() {}
