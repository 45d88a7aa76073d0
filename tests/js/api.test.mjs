// The JavaScript API through the Wasm build in Node: loading, evaluation,
// errors, and that bad input never becomes a panic across the boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Hearth, HearthError, validate, evalCondition, growthbook } from '../../pkg/node.js';
import { expectedAnswer, replayScenario } from './shared.mjs';

const sample = readFileSync(new URL('../../docs/manifest.sample.json', import.meta.url), 'utf8');

test('the README example works as written', () => {
  const engine = Hearth.load({
    features: {
      'free-shipping': {
        defaultValue: 75,
        rules: [{ condition: { country: { $in: ['CA', 'MX'] } }, force: 100 }],
      },
    },
  });
  const visitor = engine.visitor({ attributes: { id: 'v-123', country: 'CA' } });
  assert.deepEqual(visitor.evalFeature('free-shipping'), { value: 100, on: true, off: false, source: 'force', ruleId: '' });
  assert.equal(visitor.getFeatureValue('free-shipping', 75), 100);
  const r = visitor.run({ key: 'hero-test', variations: ['a', 'b'] });
  assert.equal(r.inExperiment, true);
  assert.ok(['a', 'b'].includes(r.value));
  // A visitor elsewhere gets the default.
  assert.equal(engine.visitor({ attributes: { id: 'v-9', country: 'FR' } }).getFeatureValue('free-shipping', 0), 75);
});

test('the sample manifest loads and evaluates its GrowthBook part', () => {
  const engine = Hearth.load(sample);
  assert.match(engine.summary, /^hearth manifest v1 `trailhead-outfitters`: 2 features/);
  const ca = engine.visitor({ attributes: { id: 'a', country: 'CA' } });
  assert.equal(ca.getFeatureValue('free-shipping-threshold', 0), 100);
  const us = engine.visitor({ attributes: { id: 'a', country: 'US' } });
  const r = us.evalFeature('free-shipping-threshold');
  assert.equal(r.source, 'experiment');
  assert.ok([75, 50].includes(r.value));
  assert.equal(r.experimentResult.featureId, 'free-shipping-threshold');
});

test('an invalid manifest throws a HearthError listing every problem with its path', () => {
  const doc = JSON.parse(sample);
  doc.slots.hero.variants[2].weight = 1.5;
  doc.slots.hero.strategy = 'magic';
  assert.throws(
    () => Hearth.load(doc),
    (e) => {
      assert.ok(e instanceof HearthError);
      assert.ok(e instanceof Error);
      assert.match(e.message, /^invalid manifest: 2 problems/);
      assert.deepEqual(
        e.issues.map((i) => `${i.path}: ${i.message}`),
        [
          'slots.hero.strategy: unknown strategy `magic` (expected one of experiment, rules, affinity, bandit)',
          'slots.hero.variants[2].weight: must be between 0 and 1',
        ],
      );
      return true;
    },
  );
  assert.deepEqual(validate(sample), []);
  assert.equal(validate('{"hearth": 1, "slots": []}')[0].path, 'slots');
});

test('malformed input is an error, never a panic', () => {
  for (const bad of ['', '{', '[1,2', 'null', '"text"', '{"features": []}', '{"hearth": 9}', '['.repeat(100000)]) {
    assert.throws(() => Hearth.load(bad), HearthError, JSON.stringify(bad.slice(0, 20)));
  }
  const engine = Hearth.load({ features: { f: { defaultValue: 1 } } });
  assert.throws(() => engine.visitor({ attributes: 'nope' }), /attributes: must be an object, found string/);
  assert.throws(() => engine.visitor({ atributes: {} }), /atributes: unknown field/);
  const v = engine.visitor({});
  assert.throws(() => v.run([]), /an experiment must be an object/);
  assert.throws(() => v.setAttributes([1]), /attributes must be an object/);
  // Unknown features and odd keys evaluate to defaults.
  assert.equal(v.evalFeature('missing').source, 'unknownFeature');
  assert.equal(v.evalFeature('\u{1F600}\0').value, null);
  // After all of that the engine still works.
  assert.equal(v.getFeatureValue('f', 0), 1);
  assert.throws(() => growthbook.decrypt('not.valid', 'key'), HearthError);
});

test('regexes use JavaScript semantics in Wasm (look-behind works)', () => {
  assert.equal(evalCondition({ email: 'ana@shop.example' }, { email: { $regex: '(?<=@)shop\\.example$' } }), true);
  assert.equal(evalCondition({ email: 'ana@other.example' }, { email: { $regex: '(?<=@)shop\\.example$' } }), false);
  // An invalid pattern never matches and does not throw.
  assert.equal(evalCondition({ a: 'x' }, { a: { $regex: '(' } }), false);
});

test('hashing is over UTF-16 code units, as in the JS SDK', () => {
  assert.equal(growthbook.hash('exp', 'Jürgen', 2), 0.4064);
  assert.equal(growthbook.hash('exp', 'Jürgen', 3), null);
});

test('sticky buckets persist assignments per identifier', () => {
  const engine = Hearth.load({
    features: { f: { defaultValue: 'x', rules: [{ key: 'exp', variations: ['a', 'b'], meta: [{ key: 'a' }, { key: 'b' }] }] } },
  });
  const v = engine.visitor({ attributes: { id: 'u1' }, stickyBucketAssignmentDocs: {} });
  const first = v.evalFeature('f');
  const docs = v.stickyBucketAssignmentDocs;
  assert.deepEqual(Object.keys(docs), ['id||u1']);
  assert.equal(docs['id||u1'].assignments.exp__0, first.experimentResult.key);
  // A new visitor object with the stored docs gets the same variation from them.
  const again = engine.visitor({ attributes: { id: 'u1' }, stickyBucketAssignmentDocs: docs }).evalFeature('f');
  assert.equal(again.value, first.value);
  assert.equal(again.experimentResult.stickyBucketUsed, true);
});

test('compiled experiments and conditions give the same answers as plain definitions', () => {
  const engine = Hearth.load({ savedGroups: { vip: ['u2'] } });
  const def = { key: 'e', variations: ['a', 'b', 'c'], weights: [0.2, 0.3, 0.5], condition: { country: 'US' } };
  const exp = engine.experiment(def);
  const cond = engine.condition({ $or: [{ id: { $inGroup: 'vip' } }, { country: { $in: ['CA'] } }] });
  assert.throws(() => engine.experiment([]), /an experiment must be an object/);
  for (const [id, country] of [['u1', 'US'], ['u2', 'FR'], ['u3', 'CA'], ['u4', 'US']]) {
    const v = engine.visitor({ attributes: { id, country } });
    assert.deepEqual(v.run(exp), v.run(def));
    assert.equal(v.evalCondition(cond), id === 'u2' || country === 'CA');
  }
  // A changed definition is a different experiment, not a stale cached one.
  const v = engine.visitor({ attributes: { id: 'u1', country: 'US' } });
  assert.equal(v.run({ ...def, variations: ['x', 'y', 'z'] }).value.length, 1);
  assert.ok(['x', 'y', 'z'].includes(v.run({ ...def, variations: ['x', 'y', 'z'] }).value));
});

test('a plain definition edited in place is evaluated as edited', () => {
  // Plain definitions are cached by object and by JSON text; every edit that
  // changes what JSON.stringify sees must reach the engine.
  const engine = Hearth.load({});
  const v = engine.visitor({ attributes: { id: 'u1', country: 'US', tags: ['a'] } });
  const cond = { country: 'US' };
  assert.equal(v.evalCondition(cond), true);
  cond.country = 'FR'; // a changed value
  assert.equal(v.evalCondition(cond), false);
  cond.country = 'US';
  assert.equal(v.evalCondition(cond), true);
  cond.tags = { $elemMatch: { $eq: 'b' } }; // an added key
  assert.equal(v.evalCondition(cond), false);
  cond.tags.$elemMatch.$eq = 'a'; // a nested edit
  assert.equal(v.evalCondition(cond), true);
  delete cond.tags; // a removed key
  cond.$not = { country: 'US' };
  assert.equal(v.evalCondition(cond), false);
  cond.$not = undefined; // JSON.stringify drops it: the condition is {country: 'US'}
  assert.equal(v.evalCondition(cond), true);

  const exp = { key: 'e', variations: ['a', 'b'] };
  assert.ok(['a', 'b'].includes(v.run(exp).value));
  exp.variations.push('c');
  exp.weights = [0, 0, 1]; // only the new variation can win
  assert.equal(v.run(exp).value, 'c');
  exp.variations[2] = 'z'; // an edit inside an array
  assert.equal(v.run(exp).value, 'z');
  exp.toJSON = () => ({ key: 'e', variations: ['only'], weights: [1] }); // what JSON.stringify would send
  assert.equal(v.run(exp).value, 'only');
  // A class instance serializes as its own enumerable properties, as with JSON.stringify.
  class Rule {
    constructor() {
      this.country = 'US';
    }
  }
  assert.equal(v.evalCondition(new Rule()), true);
});

test('numbers parse to the same double as JavaScript, on the exact path and the host path', () => {
  // Short decimals are parsed in Rust (src/json/number.rs); the rest by the host's parseFloat.
  // Both must give JSON.parse's double: written back (shortest round trip, like JSON.stringify,
  // so -0 becomes 0 and 1e400 null) they equal JavaScript's own round trip.
  const texts = [
    '0', '-0', '0.1', '123.456', '-2.5e-3', '1e22', '1e23', '12e30', '9007199254740992',
    '9007199254740993', '0.30000000000000004', '2.2250738585072011e-308', '4.9406564584124654e-324',
    '1.7976931348623157e308', '1e-23', '8.589973e9', '123456789012345678901234567890', '1e400', '-1e-400',
  ];
  const random = Array.from({ length: 500 }, (_, i) => {
    const x = Math.sin(i + 1) * 10 ** ((i % 40) - 20); // varied magnitudes, 15-17 digits
    return i % 2 ? String(x) : x.toPrecision(1 + (i % 17));
  });
  const all = [...texts, ...random];
  const visitor = Hearth.load({}).visitor({ attributes: JSON.parse(`{"xs":[${all.join(',')}]}`) });
  const back = visitor.attributes.xs;
  const js = JSON.parse(JSON.stringify(JSON.parse(`[${all.join(',')}]`)));
  all.forEach((t, i) => assert.ok(Object.is(back[i], js[i]), `${t}: ${back[i]} vs ${js[i]}`));
  // JavaScript's Number(string) coercion takes the same paths: comparing a string attribute with a
  // number converts the string, and only the exact double is both >= and <= the number.
  for (const t of ['0.1', '9007199254740993', '2.2250738585072011e-308', '.5', '1.', '1e23', '0x1f']) {
    const n = Number(t);
    assert.equal(evalCondition({ n: t }, { n: { $gte: n, $lte: n } }), true, t);
    assert.equal(evalCondition({ n: t }, { n: { $gt: n } }), false, t);
  }
});

test('case-insensitive operators lower text as JavaScript does, ASCII or not', () => {
  // ASCII is lowered in Rust, other text by the host's toLowerCase (src/host.rs).
  const texts = ['MiXeD ASCII', 'ÄÖÜ Straße', 'ΟΔΟΣ ΟΔΟΣ.', 'İstanbul', 'ǅ', 'ÅNGSTRÖM Ω', 'ＦＵＬＬＷＩＤＴＨ', '𐐀 Deseret'];
  for (const t of texts) {
    assert.equal(evalCondition({ t }, { t: { $ini: [t.toLowerCase()] } }), true, t);
    assert.equal(evalCondition({ t: [t] }, { t: { $alli: [t.toLowerCase()] } }), true, t);
    // Lowered text differs from the original wherever it had capitals: it must not match case-sensitively.
    if (t !== t.toLowerCase()) assert.equal(evalCondition({ t }, { t: { $in: [t.toLowerCase()] } }), false, t);
  }
  // URL targeting lowers both sides too (GrowthBook's simple URL patterns).
  const experiment = { key: 'url', variations: [0, 1], urlPatterns: [{ type: 'simple', include: true, pattern: '/STRASSE/ÄÖÜ' }] };
  const at = (url) => Hearth.load({}).visitor({ attributes: { id: '1' }, url }).run(experiment).inExperiment;
  assert.equal(at('https://shop.example/strasse/äöü'), true);
  assert.equal(at('https://shop.example/strasse/aou'), false);
});

test('loadAsync decrypts with WebCrypto exactly what load decrypts with AES, and fails where it fails', async () => {
  const cases = JSON.parse(readFileSync(new URL('../data/growthbook/cases.json', import.meta.url), 'utf8')).decrypt;
  const outcome = async (f) => {
    try {
      const engine = await f();
      return { summary: engine.summary, feature: engine.visitor({ attributes: { id: '1' } }).evalFeature('feature') };
    } catch (e) {
      assert.ok(e instanceof HearthError, e);
      return { paths: e.issues.map((i) => i.path) };
    }
  };
  let loaded = 0;
  for (const [name, encryptedFeatures, decryptionKey] of cases) {
    const doc = { encryptedFeatures };
    const sync = await outcome(() => Hearth.load(doc, { decryptionKey }));
    const async = await outcome(() => Hearth.loadAsync(JSON.stringify(doc), { decryptionKey }));
    assert.deepEqual(async, sync, name);
    if (!sync.paths) loaded++;
    else assert.deepEqual(sync.paths, ['encryptedFeatures'], name);
  }
  assert.equal(loaded, 1, 'one case decrypts to a valid payload');
  // Without encrypted sections it is `load`.
  assert.equal((await Hearth.loadAsync(sample, { decryptionKey: 'x' })).summary, Hearth.load(sample).summary);
});

test('a compiled manifest loads back and decides exactly as its JSON', () => {
  const bytes = Hearth.compile(sample);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 7)), 'HEARTHc');
  for (const input of [bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)]) {
    const engine = Hearth.load(input);
    assert.equal(engine.summary, Hearth.load(sample).summary);
    assert.equal(replayScenario(engine), expectedAnswer(), input.constructor.name);
    const v = engine.visitor({ attributes: { id: 'a', country: 'CA' } });
    assert.deepEqual(v.evalFeature('free-shipping-threshold'), Hearth.load(sample).visitor({ attributes: { id: 'a', country: 'CA' } }).evalFeature('free-shipping-threshold'));
  }
  assert.deepEqual(Hearth.compile(JSON.parse(sample)), bytes, 'an object compiles to the same bytes as its text');
  const golden = readFileSync(new URL('../data/compiled/manifest.sample.bin', import.meta.url));
  assert.deepEqual(Buffer.from(bytes), golden, 'the same bytes as the native compiler (src/manifest/compiled.rs pins them)');
});

test('damaged compiled manifests and manifests that cannot compile are HearthErrors that say why', () => {
  const bytes = Hearth.compile(sample);
  const issue = (f) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof HearthError, String(e));
      return e.issues[0];
    }
    assert.fail('no error');
  };
  assert.deepEqual(issue(() => Hearth.load(bytes.subarray(0, bytes.length - 3))), { path: 'compiled', message: 'damaged: the checksum does not match (truncated or altered)' });
  const other = bytes.slice();
  other[7] = 99;
  assert.match(issue(() => Hearth.load(other)).message, /layout 99.*compile the manifest again/);
  assert.match(issue(() => Hearth.load(new Uint8Array([1, 2, 3]))).message, /not a compiled hearth manifest/);
  assert.equal(issue(() => Hearth.compile({ hearth: 1, segmnts: {} })).path, 'segmnts');
  assert.equal(issue(() => Hearth.compile({ hearth: 1, encryptedFeatures: 'x.y' })).path, 'encryptedFeatures');
});
