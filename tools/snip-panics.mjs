// Replaces the bodies of Rust's panic paths in a Wasm module with `unreachable` (what wasm-snip
// does, with the binaryen already in node_modules): `node tools/snip-panics.mjs in.wasm out.wasm`.
//
// Why it is exact: the builds use `panic = "abort"` on wasm32-unknown-unknown, where std's panic
// hook formats the message for a stderr that does not exist and then traps. JS sees
// `RuntimeError: unreachable` either way. Every function snipped here diverges (Rust's `!`, no
// Wasm results; checked below), so trapping at its start instead of after the formatting changes
// nothing a caller can observe, and wasm-opt then drops the formatting only panics used
// (1.8 KB gzip of the page build; BENCHMARKS.md). Run on wasm-bindgen's output, whose
// function names are demangled.
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';

// Functions that never return (`-> !`), by their demangled paths (wasm-bindgen's names) without
// crate hashes. Only what diverges: the formatting they reach is dropped by wasm-opt afterwards.
const DIVERGING = [
  /^core::panicking::(panic|panic_fmt|panic_bounds_check|panic_nounwind\w*|panic_const::\w+|panic_explicit|panic_str\w*|panic_display|assert_failed\w*|unreachable_display|panic_misaligned_pointer_dereference)$/,
  /^std::panicking::(panic_with_hook|panic_handler::\{closure#0\}|begin_panic\w*|rust_panic\w*)$/,
  /^std::sys::backtrace::__rust_end_short_backtrace::<.*, !>$/,
  /^core::slice::index::\w+_fail$/,
  /^core::str::slice_error_fail\w*$/,
  /^core::slice::copy_from_slice_impl::len_mismatch_fail$/,
  /^core::result::unwrap_failed$/,
  /^core::option::(unwrap|expect)_failed$/,
  /^core::cell::panic_already_\w+$/,
  /^<alloc::vec::Vec<_, _>>::\w+::assert_failed$/,
  /^std::thread::local::panic_access_error$/,
  /^alloc::raw_vec::(handle_error|capacity_overflow)$/,
  /^alloc::alloc::handle_alloc_error$/,
  /^std::alloc::rust_oom(::\{closure#0\})?$/,
  /^__rustc::__rust_alloc_error_handler$/,
];
/** A function's name as DIVERGING matches it: no crate hashes (`core[c593..]`), no legacy `::h<hash>`. */
const path = (name) => name.replace(/\[[0-9a-f]+\]/g, '').replace(/::h[0-9a-f]{16}$/, '');

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/snip-panics.mjs in.wasm out.wasm');
  process.exit(2);
}
binaryen.setDebugInfo(true); // keep the names: wasm-opt strips them afterwards
const mod = binaryen.readBinary(readFileSync(input));
let snipped = 0;
let panicking = 0;
for (let i = 0; i < mod.getNumFunctions(); i++) {
  const f = mod.getFunctionByIndex(i);
  const info = binaryen.getFunctionInfo(f);
  const p = path(info.name);
  if (info.module || !DIVERGING.some((re) => re.test(p))) continue; // imports have no body
  if (info.results !== binaryen.none) {
    console.error(`snip-panics: ${info.name} returns a value, so it does not diverge: DIVERGING is wrong`);
    process.exit(1);
  }
  binaryen.Function.setBody(f, mod.unreachable());
  snipped++;
  if (/^(core|std)::panicking::/.test(p)) panicking++;
}
// A toolchain that names these otherwise would silently lose the saving: say so and stop.
if (panicking === 0) {
  console.error('snip-panics: found no core/std panicking functions (no names in the module, or rustc renamed them)');
  process.exit(1);
}
writeFileSync(output, mod.emitBinary());
mod.dispose();
console.error(`snip-panics: ${snipped} diverging functions now trap at once (${input})`);
