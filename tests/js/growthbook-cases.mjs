// Runs GrowthBook's SDK conformance cases (tests/data/growthbook/cases.json)
// through hearth's npm package, i.e. the Wasm build called from JavaScript.
// Each section is asserted the way the JS SDK's own json.test.ts does.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

const casesUrl = new URL('../data/growthbook/cases.json', import.meta.url);

const round = (n) => Math.floor(n * 1e8) / 1e8;
const roundAll = (x) => (Array.isArray(x) ? x.map(roundAll) : round(x));

/** Deep equality that, like Jest's toEqual, ignores undefined properties. */
function equal(actual, expected) {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(actual ?? null)), JSON.parse(JSON.stringify(expected ?? null)));
}

function check(actual, expected) {
  if (!equal(actual, expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The visitor context hearth takes, from a JS SDK context object. */
function visitorContext(ctx) {
  const { attributes, url, forcedVariations, qaMode, enabled, stickyBucketAssignmentDocs } = ctx;
  return { attributes, url, forcedVariations, qaMode, enabled, stickyBucketAssignmentDocs };
}

/** The payload part of a JS SDK context object. */
function payload(ctx) {
  const { features, savedGroups, experiments, contextualBandits } = ctx;
  return { features, savedGroups, experiments, contextualBandits };
}

function sections(hearth) {
  const { Hearth, growthbook: gb } = hearth;
  const visitorFor = (ctx, extra = {}) => Hearth.load(payload(ctx)).visitor({ ...visitorContext(ctx), ...extra });
  return {
    evalCondition: ([, condition, attributes, expected, savedGroups]) =>
      check(hearth.evalCondition(attributes, condition, savedGroups ?? {}), expected),
    hash: ([seed, value, version, expected]) => check(gb.hash(seed, value, version), expected),
    getBucketRange: ([, [n, coverage, weights], expected]) =>
      check(roundAll(gb.getBucketRanges(n, coverage, weights ?? undefined)), roundAll(expected)),
    chooseVariation: ([, n, ranges, expected]) => check(gb.chooseVariation(n, ranges), expected),
    getQueryStringOverride: ([, key, url, n, expected]) => check(gb.getQueryStringOverride(key, url, n), expected),
    inNamespace: ([, id, ns, expected]) => check(gb.inNamespace(id, ns), expected),
    getEqualWeights: ([n, expected]) => check(roundAll(gb.getEqualWeights(n)), roundAll(expected)),
    decrypt: ([, encrypted, key, expected]) => {
      let result = null;
      try {
        result = gb.decrypt(encrypted, key);
      } catch (e) {
        if (expected !== null) throw e;
      }
      check(result, expected);
    },
    feature: ([, ctx, key, expected]) => check(visitorFor(ctx).evalFeature(key), { ruleId: '', ...expected }),
    contextualBandit: ([, ctx, key, expected]) => check(visitorFor(ctx).evalFeature(key), { ruleId: '', ...expected }),
    run: ([, ctx, experiment, value, inExperiment, hashUsed]) => {
      const r = visitorFor(ctx).run(experiment);
      check([r.value, r.inExperiment, r.hashUsed], [value, inExperiment, hashUsed]);
    },
    stickyBucket: ([, ctx, docs, key, expectedResult, expectedDocs]) => {
      const stickyBucketAssignmentDocs = Object.fromEntries(docs.map((d) => [`${d.attributeName}||${d.attributeValue}`, d]));
      const v = visitorFor(ctx, { stickyBucketAssignmentDocs });
      check(v.evalFeature(key).experimentResult ?? null, expectedResult);
      check(v.stickyBucketAssignmentDocs, expectedDocs);
    },
    urlRedirect: ([, ctx, expected]) =>
      check(visitorFor(ctx).urlRedirects().map(({ experiment, ...redirect }) => redirect), expected),
  };
}

/** Runs every case; returns { total, failures: [name + why] }. */
export function runGrowthBookCases(hearth) {
  const cases = JSON.parse(readFileSync(casesUrl, 'utf8'));
  const run = sections(hearth);
  const failures = [];
  let total = 0;
  for (const [section, list] of Object.entries(cases)) {
    if (section === 'specVersion') continue;
    const fn = run[section];
    list.forEach((c, i) => {
      total += 1;
      const name = `${section}[${i}] ${typeof c[0] === 'string' ? c[0] : JSON.stringify(c[0])}`;
      if (!fn) return failures.push(`${name}: no runner for section ${section}`);
      try {
        fn(c);
      } catch (e) {
        failures.push(`${name}: ${e.message}`);
      }
    });
  }
  return { total, failures };
}
