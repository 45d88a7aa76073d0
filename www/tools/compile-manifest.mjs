// Compiles the demo's manifest (www/site/manifest.json) into www/site/manifest.bin, which the
// shop loads: the browser build reads hearth manifests compiled (docs/manifest.md, "Compiled
// manifests"). Run after tools/build-pkg.sh; `make demo`, `make test-browser` and the edge flow
// test run it every time, so the file always matches the engine that reads it.
//   node www/tools/compile-manifest.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { Hearth } from '../../pkg/node.js';

const site = new URL('../site/', import.meta.url);
const json = readFileSync(new URL('manifest.json', site), 'utf8');
const bytes = Hearth.compile(json);
writeFileSync(new URL('manifest.bin', site), bytes);
console.log(`www/site/manifest.bin: ${bytes.length} bytes (from ${json.length} bytes of JSON)`);
