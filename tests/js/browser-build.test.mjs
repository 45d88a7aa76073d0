// The browser's page build (pkg/hearth_browser_bg.wasm, built without the `full` and `growthbook`
// features) under the same JS API in Node: it must decide exactly as the full build, read the
// CMP's decoded TCF purposes, never take a consent string it cannot decode as a grant, and say
// clearly what it leaves out. (node --test runs each file in its own process, so this one can
// instantiate the page build where the others use pkg/node.js; features-build.test.mjs loads
// hearth_features_bg.wasm, which adds GrowthBook features and experiments.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileWithFullBuild as compile, expectedAnswer, read, replayScenario, withFullBuild } from './shared.mjs';

// Loaded as a page loads it (dom.js `loadWasm`, which binds the glue that matches the module).
const pageWasm = readFileSync(new URL('../../pkg/hearth_browser_bg.wasm', import.meta.url));
await (await import('../../pkg/dom.js')).loadWasm(pageWasm);
const { Hearth, HearthError, evalCondition, growthbook, validate } = await import('../../pkg/hearth.js');

const VECTORS = JSON.parse(read('tests/data/consent/tcf-gpp-vectors.json')).generated_policy_v4;
const sample = read('docs/manifest.sample.json');
const compiledSample = compile(sample);
const session = (engine) => engine.session({ storage: 'memory', clock: () => 1780660800000, secret: [1, 2] });

test('the browser build gives the same page answer as native', () => {
  assert.equal(replayScenario(Hearth.load(compiledSample)), expectedAnswer());
});

test('the page build evaluates no GrowthBook features or experiments, and names the build that does', () => {
  const engine = Hearth.load(compiledSample);
  const gb = /is not in hearth's page build .*init\(\{features: true\}\) loads hearth_features_bg\.wasm/;
  for (const [name, f] of Object.entries({
    'hearth.visitor': () => engine.visitor({ attributes: { id: 'a' } }),
    'run (a compiled experiment)': () => engine.experiment({ key: 'k', variations: [1, 2] }),
    evalCondition: () => engine.evalCondition({ country: 'CA' }, { country: 'CA' }),
  })) {
    assert.throws(f, (e) => e instanceof HearthError && gb.test(e.message), name);
  }
});

test('the CMP-decoded purposes give what the TC string gives the full build', () => {
  // Expected capabilities per vector, as the full build reads the string (tests/js/session.test.mjs
  // and the native policy tests check the strings themselves).
  const cases = [
    ['reject_all', []],
    ['content_personalisation_only', ['store', 'buildContent', 'useContent']],
    ['p1_denied_p5p6_granted', ['buildContent', 'useContent']],
  ];
  const engine = Hearth.load(compiledSample);
  for (const [name, allowed] of cases) {
    const v = VECTORS[name];
    const r = session(engine).consent({ tcString: v.tcString, tcfPurposes: v.purposeConsents });
    assert.deepEqual(r.allowed, allowed, name);
    assert.deepEqual(r.ignored, [], `${name}: the string is not reported once the purposes are there`);
  }
  assert.throws(
    () => session(engine).consent({ tcfPurposes: [1, 'two'] }),
    (e) => e instanceof HearthError && /tcfPurposes: must be an array of TCF purpose numbers/.test(e.message),
  );
});

test('a consent string the browser build cannot decode is never taken as a grant', () => {
  const engine = Hearth.load(compiledSample);
  const all = { store: true, content: true, promotions: true, measure: true };
  // The site's banner said yes, but a TC string is there: without its purposes nothing TCF-gated is allowed.
  const tc = session(engine).consent({ tcString: VECTORS.accept_all.tcString, choices: all });
  assert.deepEqual(tc.allowed.filter((c) => c !== 'measure'), [], JSON.stringify(tc));
  assert.match(tc.ignored.join('\n'), /tcString not decoded in this build.*tcfPurposes/);
  // A GPP string reads as an opt-out: no profile-based promotions.
  const gpp = session(engine).consent({ gpp: 'DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', choices: all });
  assert.ok(gpp.allowed.includes('useContent') && !gpp.allowed.includes('usePromotions'), JSON.stringify(gpp.allowed));
  assert.match(gpp.ignored.join('\n'), /gpp not decoded in this build/);
});

test('the page build does not export what it leaves out, and its glue has none of it', () => {
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(pageWasm)).map((e) => e.name);
  assert.ok(exports.includes('wasmengine_loadCompiled') && exports.includes('wasmsession_setConsent'), 'what pages use is there');
  for (const gone of ['wasmengine_load', 'wasmengine_visitor', 'wasmengine_experiment', 'wasmvisitor_evalFeatureAt', 'validate', 'compileManifest', 'evalCondition', 'gbHash', 'wasmsession_loadDigest']) {
    assert.ok(!exports.includes(gone), `${gone} is not exported`);
  }
  const glue = readFileSync(new URL('../../pkg/hearth_browser.js', import.meta.url), 'utf8');
  for (const gone of ['wasmvisitor_', 'gbHash', 'compileManifest']) assert.ok(!glue.includes(gone), `the glue has no ${gone}`);
});

test('what the browser build leaves out throws a HearthError that says where it is', () => {
  const engine = Hearth.load(compiledSample);
  const calls = {
    'growthbook.hash': () => growthbook.hash('a', 'b', 1),
    'growthbook.getBucketRanges': () => growthbook.getBucketRanges(2),
    'growthbook.decrypt': () => growthbook.decrypt('x', 'y'),
    evalCondition: () => evalCondition({}, {}),
    'session.loadDigest': () => session(engine).loadDigest('x'),
    'session.digestCookie': () => session(engine).digestCookie(),
    'growthbook.chooseVariation': () => growthbook.chooseVariation(0.5, [[0, 1]]),
    'growthbook.inNamespace': () => growthbook.inNamespace('a', ['n', 0, 1]),
    'growthbook.getEqualWeights': () => growthbook.getEqualWeights(2),
    'growthbook.getQueryStringOverride': () => growthbook.getQueryStringOverride('id', 'http://x/', 2),
  };
  for (const [name, f] of Object.entries(calls)) {
    assert.throws(f, (e) => e instanceof HearthError && /not in hearth's browser builds .*hearth_wasm_bg\.wasm/.test(e.message), name);
  }
});

test("the manifest's summary, a developer's diagnostic, is left to the features and full builds", () => {
  const engine = Hearth.load(compiledSample);
  assert.throws(
    () => engine.summary,
    (e) => e instanceof HearthError && /Hearth#summary is not in hearth's page build .*features build \(init\(\{features: true\}\)\) and the full build/.test(e.message),
  );
  assert.ok(Object.keys(engine.labels.slots).length > 0, 'labels, which pages show, stay');
});


test('signed claims: verified with WebCrypto, then used exactly as the full build uses them', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const doc = JSON.parse(sample);
  doc.claims.publicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  const b64url = (b) => Buffer.from(b).toString('base64url');
  const payload = b64url(JSON.stringify({ trait: 'loyaltyTier', value: 'gold', exp: 4102444800 }));
  const signed = `${payload}.${b64url(sign(null, Buffer.from(payload), privateKey))}`;
  const forged = `${payload}.${b64url(new Uint8Array(64))}`;
  const request = { promotions: ['promo-bar'] };
  const context = { claims: [signed, forged] };
  const answer = (s) => {
    const a = s.page(request, context);
    return { promotions: a.promotions, rejected: a.rejectedClaims.map((c) => [c.index, c.problem.replace(/ \(.*/, '')]) };
  };
  const engine = Hearth.load(compile(doc));
  const consented = () => {
    const s = session(engine);
    s.consent({ choices: { store: true, content: true, promotions: true, measure: true } });
    return s;
  };
  // Before the host has verified them, the browser build uses neither.
  const unverified = 'ignored: not verified yet';
  assert.deepEqual(answer(consented()).rejected, [[0, unverified], [1, unverified]]);
  assert.deepEqual(await engine.verifyClaims(context.claims), [signed]);
  const browser = answer(consented());
  assert.deepEqual(browser.rejected, [[1, "ignored: the signature does not match the manifest's key"]]);
  // The full build, verifying itself, gives the same answer.
  const script = `
    const engine = Hearth.load(${JSON.stringify(JSON.stringify(doc))});
    const s = engine.session({ storage: 'memory', clock: () => 1780660800000, secret: [1, 2] });
    s.consent({ choices: { store: true, content: true, promotions: true, measure: true } });
    const a = s.page(${JSON.stringify(request)}, ${JSON.stringify(context)});
    console.log(JSON.stringify({ promotions: a.promotions, rejected: a.rejectedClaims.map((c) => [c.index, c.problem.replace(/ \\(.*/, '')]) }));`;
  const full = withFullBuild(script).trim();
  assert.equal(JSON.stringify(browser), full);
  assert.match(JSON.stringify(browser.promotions), /gold-members/, 'the verified claim unlocked the gold offer');
});

test('a claim vouched for after a decision is used by the next one, even for the same page view', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const doc = JSON.parse(sample);
  doc.claims.publicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  doc.slots.banner.variants.unshift({ id: 'gold', condition: { 'claims.loyaltyTier': 'gold' }, content: { title: 'Gold' } });
  const payload = Buffer.from(JSON.stringify({ trait: 'loyaltyTier', value: 'gold', exp: 4102444800 })).toString('base64url');
  const claim = `${payload}.${sign(null, Buffer.from(payload), privateKey).toString('base64url')}`;
  const engine = Hearth.load(compile(doc));
  const s = session(engine); // a fixed clock: the same instant, so the same prepared page unless something changed
  const context = { claims: [claim] };
  assert.equal(s.decide('banner', context).variant, 'generic');
  await engine.verifyClaims([claim]);
  assert.equal(s.decide('banner', context).variant, 'gold');
});

test('the page build reads hearth manifests compiled, and says where JSON goes', () => {
  // JSON manifests, GrowthBook payloads (encrypted ones too, once WebCrypto has decrypted them)
  // and `validate` are the features and full builds' (features-build.test.mjs loads payloads).
  const where = /is not in hearth's page build .*hearth compile manifest\.json -o manifest\.bin.*a GrowthBook payload loads in hearth_features_bg\.wasm/;
  const refused = (name, f) => assert.throws(f, (e) => e instanceof HearthError && where.test(e.message), name);
  refused('a JSON hearth manifest', () => Hearth.load(sample));
  refused('a GrowthBook payload', () => Hearth.load({ features: { f: { defaultValue: 3 } } }));
  refused('validate', () => validate(sample));
  assert.throws(() => Hearth.compile(sample), (e) => e instanceof HearthError && /Hearth.compile is not in hearth's browser build/.test(e.message));
  assert.deepEqual(Hearth.load(compiledSample).labels, JSON.parse(withFullBuild(`console.log(JSON.stringify(Hearth.load(${JSON.stringify(sample)}).labels));`)));
});

test('an encrypted payload is decrypted, then refused as the JSON it is', async () => {
  const [, encryptedFeatures, decryptionKey] = JSON.parse(read('tests/data/growthbook/cases.json')).decrypt[0];
  await assert.rejects(Hearth.loadAsync({ encryptedFeatures }, { decryptionKey }), (e) => e instanceof HearthError && /a JSON manifest is not in hearth's page build/.test(e.message));
  await assert.rejects(Hearth.loadAsync({ encryptedFeatures }, { decryptionKey: 'AAAA' }), (e) => e instanceof HearthError && e.issues[0]?.path === 'encryptedFeatures', 'a wrong key is named first');
});
