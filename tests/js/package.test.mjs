// The npm package as a site installs it: `npm pack` of pkg/, `npm install`
// of the tarball into an empty project, then `import 'hearth'` (the exports
// map's `node` entry) and the raw .wasm exports: the full build for edge loaders, the browser build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../../pkg', import.meta.url));

test('npm pack gives a tarball a project can install and import', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-pack-'));
  try {
    const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npm(['pack', '--pack-destination', dir, '--loglevel=error'], pkg);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'site', private: true, type: 'module' }));
    npm(['install', `./${tarball}`, '--no-audit', '--no-fund', '--loglevel=error'], dir);
    assert.ok(existsSync(join(dir, 'node_modules/hearth/hearth_wasm_bg.wasm')), 'the Wasm is in the package');
    assert.ok(existsSync(join(dir, 'node_modules/hearth/hearth_browser_bg.wasm')), 'and its page build');
    assert.ok(existsSync(join(dir, 'node_modules/hearth/hearth_features_bg.wasm')), 'and its features build');
    writeFileSync(
      join(dir, 'use.mjs'),
      `import { Hearth } from 'hearth';
       import { createRequire } from 'node:module';
       const engine = Hearth.load({ features: { f: { defaultValue: 7, rules: [{ condition: { country: 'CA' }, force: 9 }] } } });
       const v = engine.visitor({ attributes: { id: 'x', country: 'CA' } });
       const resolve = createRequire(import.meta.url).resolve;
       const wasm = resolve('hearth/hearth_wasm_bg.wasm'), browser = resolve('hearth/hearth_browser_bg.wasm');
       console.log(JSON.stringify({ value: v.getFeatureValue('f', 0), wasm: wasm.endsWith('hearth_wasm_bg.wasm'), browser: browser.endsWith('hearth_browser_bg.wasm') }));`,
    );
    const out = JSON.parse(execFileSync('node', ['use.mjs'], { cwd: dir, encoding: 'utf8' }));
    assert.deepEqual(out, { value: 9, wasm: true, browser: true });
    // `npx hearth compile` for sites that build with npm: the same bytes as the Rust CLI's.
    const sample = fileURLToPath(new URL('../../docs/manifest.sample.json', import.meta.url));
    const compiled = execFileSync('npx', ['--no-install', 'hearth', 'compile', sample, '-o', 'manifest.bin'], { cwd: dir, encoding: 'utf8' });
    assert.match(compiled, /^manifest\.bin: \d+ bytes from 5275 bytes of JSON/);
    const checked = execFileSync('npx', ['--no-install', 'hearth', 'check', 'manifest.bin'], { cwd: dir, encoding: 'utf8' });
    assert.match(checked, /^manifest\.bin: ok, hearth manifest v1 `trailhead-outfitters`/);
    writeFileSync(join(dir, 'bad.json'), '{"hearth": 1, "segmnts": {}}');
    const bad = spawnSync('npx', ['--no-install', 'hearth', 'compile', 'bad.json', '-o', 'bad.bin'], { cwd: dir, encoding: 'utf8' });
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^bad\.json: segmnts: unknown field \(did you mean `segments`\?\)/);
    assert.ok(!existsSync(join(dir, 'bad.bin')), 'nothing written for an invalid manifest');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
