// The package's TypeScript declarations compile under `--strict` and describe the API as a site
// uses it (tests/js/types/usage.ts), and no public signature falls back to `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = `${root}node_modules/.bin/tsc`;

test('the declarations compile under --strict with a site using them', () => {
  const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', 'tests/js/types/usage.ts'];
  try {
    execFileSync(tsc, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

test('no public signature is `any`', () => {
  const pkg = `${root}pkg/`;
  for (const f of readdirSync(pkg).filter((f) => f.endsWith('.d.ts'))) {
    const code = readFileSync(pkg + f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /\bany\b/, f);
  }
});
