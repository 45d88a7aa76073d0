// Browser entry point. Either
//   await init()                       loads hearth_browser_bg.wasm (the page build) next to this file
//   await init(wasmUrl)                (or from `wasmUrl`: hearth_features_bg.wasm adds GrowthBook features,
//                                      hearth_wasm_bg.wasm is the full build) for the API below, or
//   const page = await init({ manifest: '/manifest.bin', ... })
// which also fills the page's `data-hearth-*` placements (see dom.js).
import { loadWasm, mount } from './dom.js';

/** Loads and instantiates the Wasm once; later calls return the same promise. With page options, mounts hearth on the page. */
export function init(wasmUrlOrOptions) {
  const o = wasmUrlOrOptions;
  if (o !== null && typeof o === 'object' && !(o instanceof URL) && !(typeof Request === 'function' && o instanceof Request) && 'manifest' in o) return mount(o);
  return loadWasm(o);
}

export * from './hearth.js';
export { HearthPage, HIDE_CSS, mount, safeUrl } from './dom.js';
