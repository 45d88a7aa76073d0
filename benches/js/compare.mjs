// `make bench`, JS half: hearth (the Wasm build, through the npm package in
// pkg/) against the GrowthBook JS SDK, on the same payload, the same visitors
// and the same calls, in one Node process.
//
//   node benches/js/compare.mjs        (after tools/build-pkg.sh)
//
// Prints one line per work item:
//   feature eval: hearth 1210 ns, growthbook-js 4690 ns, ratio 0.26
// where ratio = hearth / growthbook-js (below 1: hearth is faster).
//
// Fairness rules (see BENCHMARKS.md):
// * One hearth visitor and one GrowthBook instance per visitor are created
//   up front, outside every timed region.
// * GrowthBook gets no trackingCallback, onFeatureUsage, eventLogger,
//   subscriptions, sticky-bucket service, debug or dev mode: nothing of ours
//   runs inside its calls. Its built-in bookkeeping (dedupe sets, the
//   deferred-tracking map, `_assigned`) cannot be switched off and stays in.
// * Before timing, every (visitor, key) pair is evaluated by both and the
//   results compared; any difference exits with status 1.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Hearth } from '../../pkg/node.js';
import { GrowthBook, evalCondition as gbEvalCondition } from '@growthbook/growthbook';

// ---- visitors: the same deterministic generator as benches/core.rs ----
// xorshift32 from a fixed seed; every visitor draws the same number of values
// in the same order, so both implementations produce identical visitors.
const COUNTRIES = ['US', 'CA', 'GB', 'IE', 'AU', 'DE', 'FR', 'ES', 'IT', 'NL', 'MX', 'BR', 'JP', 'IN'];
const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'];
const PLANS = ['free', 'free', 'starter', 'pro', 'enterprise'];
const PATHS = ['', 'products/tents', 'products/boots', 'cart', 'checkout', 'account'];
const SOURCES = ['direct', 'newsletter', 'search', 'social'];
const VISITORS = 1000;

function generateVisitors() {
  let s = 0x2545f491;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const pick = (list) => list[next() % list.length];
  const out = [];
  for (let i = 0; i < VISITORS; i++) {
    const id = `user-${i}`;
    const country = pick(COUNTRIES);
    const browser = pick(BROWSERS);
    const major = 1 + (next() % 3);
    const minor = next() % 10;
    const patch = next() % 20;
    const plan = pick(PLANS);
    const loginCount = next() % 40;
    const mobile = next() % 3 === 0;
    const emailKind = next() % 4;
    const consentKind = next() % 3;
    const deviceKind = next() % 5;
    const device = next();
    const path = pick(PATHS);
    const source = pick(SOURCES);
    const attributes = { id, country, browser, appVersion: `${major}.${minor}.${patch}`, plan, loginCount, mobile };
    attributes.email = `${id}@${['example.com', 'example.org', 'mail.test', 'mail.test'][emailKind]}`;
    if (consentKind > 0) attributes.consent = consentKind === 1 ? 'all' : 'essential';
    if (deviceKind > 0) attributes.deviceId = `d-${device.toString(16)}`;
    out.push({ attributes, url: `https://shop.example.com/${path}?utm_source=${source}` });
  }
  return out;
}

const payload = JSON.parse(readFileSync(new URL('../data/payload.json', import.meta.url), 'utf8'));
const featureKeys = Object.keys(payload.features);
const visitors = generateVisitors();

// The inline experiment for `run` (also in benches/core.rs).
const experiment = {
  key: 'pricing-page-test',
  name: 'Pricing page',
  seed: 'pricing-2024',
  hashAttribute: 'id',
  hashVersion: 2,
  variations: ['monthly-first', 'annual-first', 'comparison-table'],
  weights: [0.4, 0.3, 0.3],
  coverage: 0.9,
  meta: [
    { key: 'monthly', name: 'Monthly first' },
    { key: 'annual', name: 'Annual first' },
    { key: 'table', name: 'Comparison table' },
  ],
  condition: { country: { $nin: ['JP', 'IN'] }, appVersion: { $vgte: '1.5.0' } },
};

// The condition for `evalCondition` (also in benches/core.rs).
const condition = {
  $and: [
    { loginCount: { $gt: 1 } },
    { $or: [{ country: { $in: ['US', 'CA', 'GB', 'DE', 'FR'] } }, { plan: { $in: ['pro', 'enterprise'] } }] },
  ],
  browser: { $in: ['chrome', 'firefox', 'edge'] },
  email: { $regex: '^user-\\d+@(example|mail)\\.' },
  appVersion: { $vgte: '1.2.0' },
};

// ---- per-visitor objects, created once, outside the timed regions ----
const hearth = Hearth.load(payload);
const hearthVisitors = visitors.map((v) => hearth.visitor({ attributes: v.attributes, url: v.url }));
const gbVisitors = visitors.map(
  (v) => new GrowthBook({ features: payload.features, savedGroups: payload.savedGroups, attributes: v.attributes, url: v.url }),
);

// Definitions compiled once (hearth.experiment / hearth.condition); timed as
// separate items, next to the plain-object calls.
const compiledExperiment = hearth.experiment(experiment);
const compiledCondition = hearth.condition(condition);

// ---- check that both do the same work ----
const plain = (x) => JSON.parse(JSON.stringify(x ?? null));
let mismatches = 0;
function expectSame(what, a, b) {
  if (isDeepStrictEqual(plain(a), plain(b))) return;
  if (mismatches++ < 10) console.error(`MISMATCH ${what}\n  hearth:        ${JSON.stringify(a)}\n  growthbook-js: ${JSON.stringify(b)}`);
}
let conditionTrue = 0;
let inExperiment = 0;
for (let i = 0; i < visitors.length; i++) {
  for (const key of featureKeys) {
    expectSame(`evalFeature(${key}) for ${visitors[i].attributes.id}`, hearthVisitors[i].evalFeature(key), gbVisitors[i].evalFeature(key));
  }
  const r = hearthVisitors[i].run(experiment);
  expectSame(`run(${experiment.key}) for ${visitors[i].attributes.id}`, r, gbVisitors[i].run(experiment));
  expectSame(`run(compiled ${experiment.key}) for ${visitors[i].attributes.id}`, hearthVisitors[i].run(compiledExperiment), r);
  inExperiment += r.inExperiment ? 1 : 0;
  const c = hearthVisitors[i].evalCondition(condition);
  expectSame(`evalCondition for ${visitors[i].attributes.id}`, c, gbEvalCondition(visitors[i].attributes, condition, payload.savedGroups));
  expectSame(`evalCondition(compiled) for ${visitors[i].attributes.id}`, hearthVisitors[i].evalCondition(compiledCondition), c);
  conditionTrue += c ? 1 : 0;
}
if (mismatches) {
  console.error(`${mismatches} mismatches between hearth and growthbook-js; not timing`);
  process.exit(1);
}

// ---- timing ----
const MIN_RUN_NS = 200_000_000n; // each timed run lasts at least 200 ms
const RUNS = 5; // best of
const nv = visitors.length;
const nk = featureKeys.length;

let sink = 0;
/** Runs `f(i)` for i in [0, n) and returns the elapsed nanoseconds. */
function timeRun(f, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += f(i);
  return process.hrtime.bigint() - t0;
}
/** Warms up `f` and picks an iteration count giving >= 200 ms per run. */
function calibrate(f) {
  let n = 1000;
  timeRun(f, n); // warm-up
  for (;;) {
    const t = timeRun(f, n);
    if (t >= MIN_RUN_NS) return n;
    n = t === 0n ? n * 10 : Math.ceil(Math.max(n * 2, (n * Number(MIN_RUN_NS) * 1.1) / Number(t)));
  }
}
/**
 * Times hearth and growthbook-js alternately, RUNS rounds, so a slow patch
 * on the machine hits both; returns the best ns per call of each.
 */
function measurePair(h, g) {
  const nh = calibrate(h);
  const ng = calibrate(g);
  let bh = Infinity;
  let bg = Infinity;
  for (let r = 0; r < RUNS; r++) {
    bh = Math.min(bh, Number(timeRun(h, nh)) / nh);
    bg = Math.min(bg, Number(timeRun(g, ng)) / ng);
  }
  return [{ n: nh, ns: bh }, { n: ng, ns: bg }];
}

const items = [
  [
    'feature eval',
    (i) => (hearthVisitors[i % nv].evalFeature(featureKeys[i % nk]).on ? 1 : 0),
    (i) => (gbVisitors[i % nv].evalFeature(featureKeys[i % nk]).on ? 1 : 0),
  ],
  [
    'experiment run',
    (i) => hearthVisitors[i % nv].run(experiment).variationId,
    (i) => gbVisitors[i % nv].run(experiment).variationId,
  ],
  [
    'experiment run, compiled once',
    (i) => hearthVisitors[i % nv].run(compiledExperiment).variationId,
    (i) => gbVisitors[i % nv].run(experiment).variationId,
  ],
  [
    'condition eval',
    // Both evaluate against the visitor's attributes and the payload's saved
    // groups, which hearth holds in Wasm and GrowthBook as JS objects.
    (i) => (hearthVisitors[i % nv].evalCondition(condition) ? 1 : 0),
    (i) => (gbEvalCondition(visitors[i % nv].attributes, condition, payload.savedGroups) ? 1 : 0),
  ],
  [
    'condition eval, compiled once',
    (i) => (hearthVisitors[i % nv].evalCondition(compiledCondition) ? 1 : 0),
    (i) => (gbEvalCondition(visitors[i % nv].attributes, condition, payload.savedGroups) ? 1 : 0),
  ],
];

const results = items.map(([name, h, g]) => [name, ...measurePair(h, g)]);

console.log(
  `node ${process.version}, ${nv} visitors, ${nk} features, best of ${RUNS} alternating runs of >= 200 ms; ` +
    `iterations per run (hearth/growthbook-js): ` +
    results.map(([name, h, g]) => `${name} ${h.n}/${g.n}`).join(', ') +
    ` [checked: ${nv * nk} evalFeature, ${nv} run (${inExperiment} in experiment), ${nv} evalCondition (${conditionTrue} true)]`,
);
for (const [name, h, g] of results) {
  console.log(`${name}: hearth ${Math.round(h.ns)} ns, growthbook-js ${Math.round(g.ns)} ns, ratio ${(h.ns / g.ns).toFixed(2)}`);
}
if (sink === -1) console.log(sink); // keep results observable
