// The visitor session through the Wasm build in Node: consent gates storage,
// downgrades delete, erase removes everything. (Real localStorage is tested
// in Chromium; here `memory` storage and a fake localStorage.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Hearth } from '../../pkg/node.js';

const manifest = readFileSync(new URL('../../docs/manifest.sample.json', import.meta.url), 'utf8');
const T0 = Date.UTC(2026, 5, 1);

/** A localStorage stand-in that counts every access. */
function fakeLocalStorage() {
  const data = new Map();
  const calls = [];
  const ls = {
    getItem: (k) => (calls.push(['getItem', k]), data.has(k) ? data.get(k) : null),
    setItem: (k, v) => (calls.push(['setItem', k]), data.set(k, String(v))),
    removeItem: (k) => (calls.push(['removeItem', k]), data.delete(k)),
    key: (i) => (calls.push(['key', i]), [...data.keys()][i] ?? null),
    get length() {
      return data.size;
    },
  };
  return { ls, data, calls };
}

function withLocalStorage(fn) {
  const fake = fakeLocalStorage();
  globalThis.localStorage = fake.ls;
  try {
    return fn(fake);
  } finally {
    delete globalThis.localStorage;
  }
}

const engine = Hearth.load(manifest);
const all = { choices: { store: true, content: true, promotions: true, measure: true } };

test('no storage access before consent or after a refusal', () =>
  withLocalStorage(({ calls }) => {
    const s = engine.session({ storage: 'localStorage', clock: () => T0 });
    assert.deepEqual(s.view('shoe-ridge'), { learned: false, why: 'not learned: consent does not allow building a profile' });
    const refused = s.consent({ choices: { store: false, content: false } });
    assert.deepEqual(refused.allowed, []);
    s.view('shoe-ridge');
    s.export();
    assert.equal(s.storageCalls, 0);
    assert.deepEqual(calls, []);
  }));

test('with consent the profile is stored, read back by the next page, and exported readably', () =>
  withLocalStorage(({ data }) => {
    const s = engine.session({ storage: 'localStorage', clock: () => T0 });
    const outcome = s.consent(all);
    assert.deepEqual(outcome.allowed, ['store', 'buildContent', 'useContent', 'buildPromotions', 'usePromotions', 'measure']);
    assert.deepEqual(s.view('shoe-ridge'), { learned: true });
    s.purchase('shoe-ridge');
    assert.deepEqual([...data.keys()], ['hearth:profile']);
    const next = engine.session({ storage: 'localStorage', clock: () => T0 + 60_000 });
    next.consent(all);
    const doc = next.export();
    assert.equal(doc.topics[0].label, 'Trail running');
    assert.equal(doc.topics[0].strength, 100);
    assert.equal(doc.recentItems[0].title, 'Ridge Runner trail shoe');
    assert.equal(doc.storedWhere, 'on this device (localStorage)');
    assert.deepEqual(doc.consent.allowed, outcome.allowed);
  }));

test('GPC removes profile-based promotions; a downgrade deletes at once', () =>
  withLocalStorage(({ data }) => {
    const s = engine.session({ storage: 'localStorage', clock: () => T0 });
    s.consent(all);
    s.view('tent-2p');
    const gpc = s.consent({ ...all, gpc: true });
    assert.ok(!gpc.allowed.includes('usePromotions'));
    assert.deepEqual(gpc.deleted, ['promotions']);
    assert.ok(gpc.why.some((w) => w.includes('Global Privacy Control')));
    const noStore = s.consent({ choices: { content: true } });
    assert.deepEqual(noStore.deleted, ['storage', 'promotions'].filter((d) => noStore.deleted.includes(d)));
    assert.ok(noStore.deleted.includes('storage'));
    assert.equal(data.size, 0);
  }));

test('erase removes every hearth key and nothing else', () =>
  withLocalStorage(({ data }) => {
    data.set('site-cart', '3 items');
    const s = engine.session({ storage: 'localStorage', clock: () => T0 });
    s.consent(all);
    s.view('tent-2p');
    s.mute('hiking');
    assert.deepEqual(s.erase(), { removed: ['hearth:profile'] });
    assert.deepEqual([...data.keys()], ['site-cart']);
    assert.deepEqual(s.allowed, []);
    assert.equal(s.export().topics.length, 0);
  }));

test('storage that throws degrades to memory and says why', () => {
  globalThis.localStorage = {
    getItem: () => null,
    setItem: () => {
      throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    },
    removeItem: () => {},
    key: () => null,
    length: 0,
  };
  try {
    const s = engine.session({ storage: 'localStorage', clock: () => T0 });
    s.consent(all);
    assert.deepEqual(s.view('tent-2p'), { learned: true });
    const again = s.consent(all);
    assert.match(again.storageDegraded, /quota/i);
    const doc = s.export();
    assert.equal(doc.topics[0].tag, 'camping');
    assert.match(doc.storedWhere, /^in memory for this page only: device storage failed/);
  } finally {
    delete globalThis.localStorage;
  }
});

test('bad consent input is a clear error; bad consent strings are ignored with a reason', () => {
  const s = engine.session({ storage: 'memory', clock: () => T0 });
  assert.throws(() => s.consent({ gpc: 'yes' }), /gpc: must be true or false/);
  const r = s.consent({ tcString: 'garbage!', ...all });
  assert.equal(r.ignored.length, 1);
  assert.match(r.ignored[0], /^tcString ignored: /);
  assert.throws(() => s.promotion('spring-sale', 'liked'), /impression, dismiss or conversion/);
  assert.deepEqual(s.view('no-such-item'), { learned: false, why: 'not learned: unknown catalog item `no-such-item`' });
});

test('page decisions: contextual before consent, personal after, errors as values', () => {
  // A fixed seed: with a random one, the slot's 10% exploration would flip the hero now and then.
  const s = engine.session({ storage: 'memory', clock: () => T0, secret: [1, 2] });
  const before = s.decide('hero', { url: 'https://shop.example/' });
  assert.equal(before.variant, 'classic');
  assert.ok(before.codes.includes('no-content-consent'), before.codes.join());
  s.consent(all);
  for (let i = 0; i < 4; i++) s.view('shoe-ridge');
  const after = s.decide('hero', { url: 'https://shop.example/' });
  assert.equal(after.variant, 'trail');
  assert.equal(after.reason, 'because you often look at Trail running');
  assert.ok(after.propensity > 0 && after.propensity <= 1);
  const recs = s.recommend('home', 2);
  assert.equal(recs.length, 2);
  assert.match(recs[0].reason, /^because you viewed|popular/);
  assert.deepEqual(s.decide('nope'), { error: 'unknown slot `nope`: declare it under `slots` (declared: hero, banner)' });
  assert.match(s.artworks(['shoe-ridge', 'missing']).missing.error, /missing/);
  assert.throws(() => s.page({ slots: 3 }), /slots: must be an array of strings, found number/);
  assert.throws(() => s.page({}, { device: 'fridge' }), /device: must be mobile, tablet or desktop/);
  const promos = s.promotions('promo-bar', { claims: ['forged.claim'] });
  assert.ok(promos.skipped.some((p) => p.promotion === 'gold-members'), JSON.stringify(promos));
  assert.equal(s.page({}, { claims: ['forged.claim'] }).rejectedClaims.length, 1);
});

test('a prepared page answers like one-shot calls', () => {
  const s = engine.session({ storage: 'memory', clock: () => T0, secret: [7, 9] });
  s.consent(all);
  s.view('shoe-ridge');
  s.view('tent-2p');
  const context = { url: 'https://shop.example/', device: 'mobile' };
  const page = s.prepare(context);
  assert.deepEqual(page.decide('hero'), s.decide('hero', context));
  assert.deepEqual(page.recommend('home', 3), s.recommend('home', 3, context));
  assert.deepEqual(page.page({ slots: 'all' }), s.page({ slots: 'all' }, context));
  assert.match(page.decide('nope').error, /unknown slot/);
  // A snapshot: what the session learns later does not change the prepared page.
  const before = JSON.stringify(page.page({ slots: 'all', recommend: [{ list: 'home' }] }));
  for (let i = 0; i < 5; i++) s.view('boots-trek');
  assert.equal(JSON.stringify(page.page({ slots: 'all', recommend: [{ list: 'home' }] })), before);
});

test('a prepared page says until when its decisions hold', () => {
  // The sample's spring sale window ends at 2026-12-31T23:59:59Z, mid-minute.
  const end = Date.UTC(2026, 11, 31, 23, 59, 59);
  for (const [at, until] of [
    [T0 + 12_345, T0 + 60_000],
    [T0 + 59_999, T0 + 60_000],
    [T0 + 60_000, T0 + 120_000],
    [end - 30_000, end],
    [end, end + 1_000],
  ]) {
    const s = engine.session({ storage: 'memory', clock: () => at });
    s.consent(all);
    assert.equal(s.prepare({ url: 'https://shop.example/' }).stableUntil(), until, new Date(at).toISOString());
  }
});

test('decide reuses a prepared page only while nothing it depends on changes', () => {
  // Every step compares `decide` (which keeps the page it last prepared) with
  // the uncached page path, so a stale page shows as a difference.
  let now = T0;
  const s = engine.session({ storage: 'memory', clock: () => now, secret: [3, 4] });
  const context = { url: 'https://shop.example/', device: 'mobile' };
  const seen = new Set();
  const check = (step) => {
    for (const slot of ['hero', 'banner']) {
      const d = s.decide(slot, context);
      assert.deepEqual(d, s.page({ slots: [slot] }, context).slots[slot], `${step}: ${slot}`);
      seen.add(`${slot}=${d.variant}:${d.reason}`);
    }
  };
  check('before consent');
  s.consent(all);
  check('after consent');
  for (let i = 0; i < 4; i++) s.view('shoe-ridge');
  check('after views');
  assert.equal(s.decide('hero', context).reason, 'because you often look at Trail running');
  s.mute('trail-running');
  check('after mute');
  for (let i = 0; i < 6; i++) s.view('tent-2p');
  check('after other views');
  context.device = 'desktop'; // the same object, edited
  check('after an in-place context edit');
  now += 40 * 86_400_000; // decay and retention move with the clock
  check('forty days later');
  s.consent({ gpc: true });
  check('after GPC');
  s.erase();
  check('after erase');
  assert.ok(seen.size >= 3, [...seen].join(' | '));
});

test('artworks read from records answer like the page path', () => {
  // Items with several tagged artworks, so choices differ by interest and exploration.
  const tags = ['trail', 'road', 'camp', 'hike'];
  const grid = Hearth.load({
    hearth: 1,
    taxonomy: { tags: Object.fromEntries(tags.map((t) => [t, { label: t.toUpperCase() }])) },
    catalog: {
      items: Array.from({ length: 30 }, (_, i) => ({
        id: `i${i}`,
        title: `Item ${i}`,
        tags: [tags[i % 4]],
        artworks: tags.map((t, a) => ({ id: `a${a}`, tags: [t], content: { src: `/img/${i}-${a}.svg`, alt: `${t} ${i}` } })),
      })),
    },
  });
  let now = T0;
  const s = grid.session({ storage: 'memory', clock: () => now, secret: [5, 6] });
  const context = { url: 'https://shop.example/' };
  const ids = [...Array.from({ length: 30 }, (_, i) => `i${i}`), 'i3'];
  const choices = new Set();
  const same = (step) => {
    const got = s.artworks(ids, context);
    assert.deepEqual(got, s.page({ artworks: ids }, context).artworks, step);
    const page = s.prepare(context);
    assert.deepEqual(page.artworks(ids), page.page({ artworks: ids }).artworks, `${step} (prepared)`);
    for (const [id, c] of Object.entries(got)) choices.add(`${id}=${c.artwork}:${c.reason}`);
  };
  same('before consent');
  s.consent(all);
  for (let i = 0; i < 5; i++) s.view('i1'); // road
  same('after views');
  now += 3_600_000;
  same('an hour later');
  assert.ok(choices.size > 31, `choices moved with interest: ${choices.size}`);
  assert.ok([...choices].some((c) => c.endsWith(':because you often look at ROAD')), [...choices].join(' | '));
  // Unknown items are errors, as on the page path; items without artworks too.
  const mixed = s.artworks(['i0', 'missing'], context);
  assert.equal(typeof mixed.i0.artwork, 'string');
  assert.match(mixed.missing.error, /missing/);
  assert.match(engine.session({ storage: 'memory' }).artworks(['tent-2p'])['tent-2p'].error, /artwork/);
});

test('free() releases a session and a prepared page for good; the page outlives its session', async () => {
  const { wasmMemory } = await import('../../pkg/hearth_wasm.js');
  const engine = Hearth.load(manifest);
  const make = () => {
    const s = engine.session({ storage: 'memory', clock: () => T0 });
    s.consent({ choices: { store: true, content: true, promotions: true, measure: true } });
    s.view('shoe-ridge');
    return s;
  };
  const s = make();
  const page = s.prepare({ url: 'https://shop.example/' });
  const before = page.decide('hero');
  s.free();
  s.free(); // a second free does nothing
  assert.deepEqual(page.decide('hero'), before, 'a prepared page is its own');
  assert.throws(() => s.view('shoe-ridge'), (e) => e.name === 'HearthError' && /this session was freed/.test(e.message));
  assert.throws(() => s.allowed, /this session was freed/);
  page.free();
  assert.throws(() => page.decide('hero'), (e) => e.name === 'HearthError' && /this prepared page was freed/.test(e.message));
  // Freed at once, a session per request keeps the Wasm memory where it was.
  for (let i = 0; i < 200; i++) make().free();
  const size = wasmMemory().buffer.byteLength;
  for (let i = 0; i < 5000; i++) {
    const t = make();
    const p = t.prepare({});
    p.recommend('home', 4);
    t.free();
    p.free();
  }
  assert.ok(wasmMemory().buffer.byteLength - size < 1024 * 1024, `grew by ${wasmMemory().buffer.byteLength - size} bytes`);
});
