// Minifies the package's modules: `node tools/minify.mjs pkg` reads pkg/src/*.js (copies of js/
// and the wasm-bindgen glue) and writes pkg/NAME.js with a source map, pkg/NAME.js.map, that points
// at the readable pkg/src/NAME.js. No bundling: every module keeps its own imports and exports.
// terser rather than esbuild: 368 bytes gzip less for what a page downloads (its compressor does
// more than esbuild's syntax minifier; BENCHMARKS.md, stop 15).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const out = process.argv[2] ?? 'pkg';
for (const name of readdirSync(join(out, 'src')).filter((f) => f.endsWith('.js')).sort()) {
  const code = readFileSync(join(out, 'src', name), 'utf8');
  const result = await minify(
    { [`src/${name}`]: code },
    {
      module: true,
      ecma: 2020, // parsing, compressing and printing: the package's JS is ES2021 already
      compress: { passes: 3 },
      mangle: true,
      format: { comments: false },
      sourceMap: { filename: name, url: `${name}.map` },
    },
  );
  writeFileSync(join(out, name), result.code);
  writeFileSync(join(out, `${name}.map`), result.map);
}
