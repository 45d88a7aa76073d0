#!/usr/bin/env node
// `npx hearth check <manifest.json | manifest.bin>` and `npx hearth compile <manifest.json> -o
// <manifest.bin>`: the Rust CLI's commands (src/bin/hearth.rs) for sites that build with npm.
// The package's full build does the work, so the output is the same. Exit status: 0 valid,
// 1 invalid, 2 usage or I/O error.
import { readFileSync, writeFileSync } from 'node:fs';
import { Hearth, HearthError, validate } from './node.js';

const USAGE = `usage: hearth check <manifest.json | manifest.bin | ->
       hearth compile <manifest.json | -> -o <manifest.bin>`;

function fail(code, message) {
  console.error(message);
  process.exit(code);
}

/** The file's bytes (`-`: standard input), or exit 2. */
function read(path) {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    return fail(2, `hearth: cannot read ${path === '-' ? 'standard input' : path}: ${e.message}`);
  }
}

function invalid(path, issues) {
  for (const i of issues) console.log(`${path}: ${i.path ? `${i.path}: ` : ''}${i.message}`);
  fail(1, `${path}: ${issues.length} error${issues.length === 1 ? '' : 's'}`);
}

const compiled = (bytes) => bytes.subarray(0, 7).toString('latin1') === 'HEARTHc';

const [command, ...args] = process.argv.slice(2);
if (command === 'check' && args.length === 1) {
  const [path] = args;
  const bytes = read(path);
  const text = compiled(bytes) ? null : bytes.toString('utf8');
  const issues = text === null ? [] : validate(text);
  if (issues.length) invalid(path, issues);
  try {
    console.log(`${path}: ok, ${Hearth.load(text ?? new Uint8Array(bytes)).summary}`);
  } catch (e) {
    if (e instanceof HearthError) invalid(path, e.issues ?? [{ path: '', message: e.message }]);
    throw e;
  }
} else if (command === 'compile' && args.length === 3 && args[1] === '-o') {
  const [path, , out] = args;
  const text = read(path).toString('utf8');
  let bytes;
  try {
    bytes = Hearth.compile(text);
  } catch (e) {
    if (e instanceof HearthError) invalid(path, e.issues ?? [{ path: '', message: e.message }]);
    throw e;
  }
  try {
    writeFileSync(out, bytes);
  } catch (e) {
    fail(2, `hearth compile: cannot write ${out}: ${e.message}`);
  }
  console.log(`${out}: ${bytes.length} bytes from ${Buffer.byteLength(text)} bytes of JSON`);
} else {
  fail(command === undefined || ['-h', '--help', 'help'].includes(command) ? 0 : 2, USAGE);
}
