// The same scenario as tests/determinism.rs, through the Wasm build in Node:
// the page answer must be byte for byte the native one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Hearth } from '../../pkg/node.js';

const read = (p) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');


test('Node gives the same page answer as native', () => {
  const scenario = JSON.parse(read('tests/data/determinism/scenario.json'));
  const engine = Hearth.load(read('docs/manifest.sample.json'));
  const s = engine.session({ storage: 'memory', clock: () => scenario.now, secret: scenario.secret });
  s.consent(scenario.consent);
  for (const e of scenario.events) {
    const r = s.event(e);
    assert.equal(r.learned, true, `${JSON.stringify(e)}: ${r.why}`);
  }
  const answer = s.page(scenario.request, scenario.context);
  assert.equal(JSON.stringify(answer), read('tests/data/determinism/expected.json').trim());
});
