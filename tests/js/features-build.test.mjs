// The browser's features build (pkg/hearth_features_bg.wasm: the page build plus GrowthBook
// features and experiments, what `init({features: true})` loads) under the same JS API in Node:
// it evaluates features, experiments and conditions exactly as the full build does, and decides
// pages as the page build does. (Its own process, as browser-build.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileWithFullBuild, expectedAnswer, read, replayScenario, withFullBuild as full } from './shared.mjs';

// Loaded as a page loads it (dom.js `loadWasm` picks the features build's glue by the module's exports).
await (await import('../../pkg/dom.js')).loadWasm(readFileSync(new URL('../../pkg/hearth_features_bg.wasm', import.meta.url)));
const { Hearth, HearthError } = await import('../../pkg/hearth.js');

const sample = read('docs/manifest.sample.json');
const compiledSample = compileWithFullBuild(sample);

/** What a site asks of GrowthBook for a few visitors; run here and, from its source, in the full build. */
const evaluate = (engine) =>
  ['a', 'b', 'c', 'd'].flatMap((id) =>
    ['US', 'CA', 'FR'].map((country) => {
      const v = engine.visitor({ attributes: { id, country } });
      return [v.evalFeature('free-shipping-threshold'), v.run({ key: 'k', variations: [1, 2, 3] }), v.evalCondition({ country: { $in: ['CA'] } })];
    }),
  );

test('the features build answers features, experiments and conditions as the full build does', () => {
  const expected = full(`const evaluate = ${evaluate}; console.log(JSON.stringify(evaluate(Hearth.load(${JSON.stringify(sample)}))));`).trim();
  const engine = Hearth.load(compiledSample);
  assert.equal(JSON.stringify(evaluate(engine)), expected);
  assert.equal(engine.evalCondition({ country: 'CA' }, { country: { $in: ['CA'] } }), true);
  const bare = { features: { f: { defaultValue: 3 } } };
  assert.equal(Hearth.load(bare).visitor({ attributes: {} }).evalFeature('f').value, 3, 'a GrowthBook payload as JSON');
  // A payload names nothing; this build says so as the full build does (it carries no labels writer).
  assert.deepEqual(Hearth.load(bare).labels, JSON.parse(full(`console.log(JSON.stringify(Hearth.load(${JSON.stringify(bare)}).labels));`)));
  assert.deepEqual(Hearth.load(bare).labels, { taxonomy: { tags: {} }, slots: {}, promotions: {}, segments: {} });
  // The manifest's summary (left out of the page build) is here, as the full build writes it.
  assert.equal(engine.summary, full(`console.log(Hearth.load(${JSON.stringify(sample)}).summary);`).trim());
  assert.match(engine.summary, /2 features/);
});

test('the features build decides pages exactly as native', () => {
  assert.equal(replayScenario(Hearth.load(compiledSample)), expectedAnswer());
});

test('an encrypted payload decrypted by WebCrypto evaluates as the full build evaluates it', async () => {
  const [, encryptedFeatures, decryptionKey, plain] = JSON.parse(read('tests/data/growthbook/cases.json')).decrypt[0];
  const engine = await Hearth.loadAsync({ encryptedFeatures }, { decryptionKey });
  assert.deepEqual(engine.visitor({}).evalFeature('feature').value, JSON.parse(plain).feature.defaultValue);
  // What it shares with the page build: the edge's and GrowthBook's helpers are the full build's.
  const fullOnly = /not in hearth's browser builds .*hearth_wasm_bg\.wasm/;
  assert.throws(() => engine.visitor({}).urlRedirects(), (e) => e instanceof HearthError && fullOnly.test(e.message));
  assert.throws(() => engine.visitor({}).stickyBucketAssignmentDocs, (e) => e instanceof HearthError && fullOnly.test(e.message));
  assert.throws(() => engine.session({ storage: 'memory' }).digestCookie(), (e) => e instanceof HearthError && fullOnly.test(e.message));
});
