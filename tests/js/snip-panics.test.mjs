// tools/snip-panics.mjs: what tools/build-pkg.sh runs between wasm-bindgen and wasm-opt. It must
// empty exactly the diverging panic paths it names, keep every other function, and refuse a
// module where a name it matches returns a value (that function would not be a panic path).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';

const tool = fileURLToPath(new URL('../../tools/snip-panics.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hearth-snip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A module with functions named as wasm-bindgen names Rust's: `[name, returnsI32]`; each body calls `side`. */
function moduleWith(functions) {
  binaryen.setDebugInfo(true);
  const m = new binaryen.Module();
  m.addFunctionImport('side', 'env', 'side', binaryen.none, binaryen.none);
  for (const [name, value] of functions) {
    const body = m.block(null, [m.call('side', [], binaryen.none), ...(value ? [m.i32.const(7)] : [])], value ? binaryen.i32 : binaryen.none);
    m.addFunction(name, binaryen.none, value ? binaryen.i32 : binaryen.none, [], body);
    m.addFunctionExport(name, name.replace(/\W+/g, '_'));
  }
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/** Runs the tool on `bytes`: `{status, stderr, out}` (`out`: the written module's functions, `{name: body kind}`). */
function snip(bytes) {
  const input = join(dir, 'in.wasm');
  const output = join(dir, `out-${Math.random().toString(36).slice(2)}.wasm`);
  writeFileSync(input, bytes);
  const r = spawnSync(process.execPath, [tool, input, output], { encoding: 'utf8' });
  if (r.status !== 0) return { status: r.status, stderr: r.stderr };
  binaryen.setDebugInfo(true);
  const m = binaryen.readBinary(readFileSync(output));
  const out = {};
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (!f.module) out[f.name] = binaryen.getExpressionId(f.body) === binaryen.UnreachableId ? 'unreachable' : 'kept';
  }
  m.dispose();
  return { status: 0, stderr: r.stderr, out };
}

test('the panic paths trap at once; every other function keeps its body', () => {
  const r = snip(
    moduleWith([
      ['core[c5930c85a12de822]::panicking::panic_fmt', false],
      ['std[a543996e6e7dbf1e]::panicking::panic_with_hook', false],
      ['core[c5930c85a12de822]::slice::index::slice_index_fail', false],
      ['<alloc[3ca501edff3f0c7c]::vec::Vec<_, _>>::remove::assert_failed', false],
      ['core::result::unwrap_failed::h0123456789abcdef', false], // a legacy-mangled name
      ['hearth::wasm::session::fail::h62df697a3d7d7250', true], // ours: named like a panic path, is not one
      ['std[a543996e6e7dbf1e]::panicking::panic_count::increase', true], // in the module, but returns
      ['hearth::decide::Visit::decide', false],
    ]),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.out, {
    'core[c5930c85a12de822]::panicking::panic_fmt': 'unreachable',
    'std[a543996e6e7dbf1e]::panicking::panic_with_hook': 'unreachable',
    'core[c5930c85a12de822]::slice::index::slice_index_fail': 'unreachable',
    '<alloc[3ca501edff3f0c7c]::vec::Vec<_, _>>::remove::assert_failed': 'unreachable',
    'core::result::unwrap_failed::h0123456789abcdef': 'unreachable',
    'hearth::wasm::session::fail::h62df697a3d7d7250': 'kept',
    'std[a543996e6e7dbf1e]::panicking::panic_count::increase': 'kept',
    'hearth::decide::Visit::decide': 'kept',
  });
  assert.match(r.stderr, /5 diverging functions now trap at once/);
});

test('a matched name that returns a value stops the build', () => {
  const r = snip(moduleWith([['core[c5930c85a12de822]::panicking::panic_fmt', false], ['core[c5930c85a12de822]::result::unwrap_failed', true]]));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unwrap_failed returns a value, so it does not diverge/);
});

test('a module without the panicking functions (no names, or renamed) stops the build', () => {
  const r = snip(moduleWith([['hearth::decide::Visit::decide', false]]));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /found no core\/std panicking functions/);
});
