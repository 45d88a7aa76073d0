// Privacy in a real browser (issue 3, item 12): headless Chromium through
// playwright-core, the built package from pkg/, and a test page whose first
// script counts every call into device storage (pages/instrument.js).
//
//   CARGO_TARGET_DIR=/tmp/browser-target tools/build-pkg.sh
//   node --test --test-reporter=spec www/test/
//
// Each test gets a fresh browser context (its own localStorage, cookies,
// IndexedDB); the server and the browser are shared and closed in after().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, TIMEOUT } from './browser.mjs';
import { ROOT, serve } from './server.mjs';

const PAGE = '/test/pages/privacy.html';
const RESULTS = join(ROOT, 'www', 'test-results');
const VECTORS = JSON.parse(readFileSync(join(ROOT, 'tests/data/consent/tcf-gpp-vectors.json'), 'utf8'));
// What a page's CMP hands over (TCData): the string and its own reading of the purposes. The
// browser build reads the purposes (it decodes no TC strings; tests/js/browser-build.test.mjs).
const tcData = (v) => ({ tcString: v.tcString, tcfPurposes: v.purposeConsents });
const TCF_REJECT_ALL = tcData(VECTORS.generated_policy_v4.reject_all);
const TCF_NO_PURPOSE_1 = tcData(VECTORS.generated_policy_v4.p1_denied_p5p6_granted);

const ALL = { store: true, content: true, promotions: true, measure: true };
const STORE_CONTENT = { store: true, content: true, promotions: false, measure: false };
const NONE = { store: false, content: false, promotions: false, measure: false };
const SURFACES = ['localStorage', 'sessionStorage', 'Storage', 'indexedDB', 'cookie', 'caches', 'navigator.storage'];

let server;
let browser;
let pkgCopy;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A private copy of the built package, so a rebuild of pkg/ while the suite
 * runs (another `make pkg` on the same checkout) cannot pull files from
 * under the browser. Retries while pkg/ is half-written.
 */
async function snapshotPkg(from) {
  let why = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-pkg-'));
    try {
      cpSync(from, dir, { recursive: true });
      const wasm = readFileSync(join(dir, 'hearth_browser_bg.wasm'));
      readFileSync(join(dir, 'browser.js'));
      readFileSync(join(dir, 'hearth_browser.js'));
      if (WebAssembly.validate(wasm)) return dir;
      why = 'hearth_browser_bg.wasm does not validate';
    } catch (e) {
      why = e.message;
    }
    rmSync(dir, { recursive: true, force: true });
    await sleep(1000);
  }
  throw new Error(`${from} is not a complete build (${why}): run \`make pkg\` (or tools/build-pkg.sh) first`);
}

before(async () => {
  // HEARTH_PKG serves another build; the default is the repository's pkg/.
  pkgCopy = await snapshotPkg(process.env.HEARTH_PKG ?? join(ROOT, 'pkg'));
  // The page loads the browser build, which reads the sample manifest compiled (by the full build, here).
  const { Hearth } = await import(join(pkgCopy, 'node.js'));
  mkdirSync(join(pkgCopy, 'compiled'));
  writeFileSync(join(pkgCopy, 'compiled', 'manifest.sample.bin'), Hearth.compile(readFileSync(join(ROOT, 'docs', 'manifest.sample.json'), 'utf8')));
  server = await serve({ mounts: { '/pkg/': pkgCopy, '/': join(ROOT, 'www') } });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (pkgCopy) rmSync(pkgCopy, { recursive: true, force: true });
});

/** A fresh context on the test page, hearth loaded; closed when the test ends. */
async function open(t, query = '') {
  const p = await openPage(browser, `${server.url}${PAGE}${query}`);
  t.after(() => p.context.close());
  await ready(p.page);
  return p;
}

/** Waits for the page's hearth to load (or fails with the page's own error). */
async function ready(page) {
  await page.evaluate(() => window.hearthTest.then(() => true));
}

/** Navigates again (same origin, same context: what a returning visitor does). */
async function revisit(page, query = '') {
  await page.goto(`${server.url}${PAGE}${query}`, { waitUntil: 'load' });
  await ready(page);
}

/** Runs `fn(h, arg)` in the page, with h = { engine, Hearth, render }. Values must be JSON. */
function inPage(page, fn, arg) {
  return page.evaluate(
    async ({ src, arg }) => {
      const h = await window.hearthTest;
      // eslint-disable-next-line no-new-func
      return new Function('h', 'arg', `return (${src})(h, arg);`)(h, arg);
    },
    { src: fn.toString(), arg },
  );
}

const storageLog = (page) => page.evaluate(() => window.__storageLog.slice());
const storageNow = (page) => page.evaluate(() => window.__storageProbe.read());
const hearthKeys = (ls) => Object.keys(ls).filter((k) => k.startsWith('hearth:')).sort();
const topicTags = (doc) => doc.topics.map((t) => t.tag).sort();

function describeCalls(log) {
  return log.map((e) => `  ${e.surface}.${e.op}${e.key === undefined ? '' : `(${JSON.stringify(e.key)})`} @${e.at}ms`).join('\n');
}

function assertNoStorage(log, when) {
  const counts = Object.fromEntries(SURFACES.map((s) => [s, log.filter((e) => e.surface === s).length]));
  assert.equal(log.length, 0, `${when}: expected no storage calls at all, saw ${JSON.stringify(counts)}:\n${describeCalls(log)}`);
}

function assertNoPageErrors({ errors, consoleErrors }, when) {
  assert.deepEqual(errors, [], `${when}: uncaught errors in the page`);
  assert.deepEqual(consoleErrors, [], `${when}: console errors in the page`);
}

/** What remains in the browser's storage, read by the test after the log was collected. */
async function leftovers(page) {
  return page.evaluate(async () => ({
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    cookie: document.cookie,
    databases: (await indexedDB.databases()).map((d) => d.name),
    caches: typeof caches === 'undefined' ? [] : await caches.keys(),
  }));
}

async function screenshot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

describe('privacy in headless Chromium', { timeout: 60_000 }, () => {
  test('the instrumentation sees every surface (a self-check, so zero counts mean something)', { timeout: TIMEOUT }, async (t) => {
    const p = await open(t);
    const counts = await p.page.evaluate(async () => {
      window.__storageProbe.reset();
      localStorage.setItem('probe', '1');
      localStorage.getItem('probe');
      void localStorage.length;
      localStorage.key(0);
      localStorage.removeItem('probe');
      sessionStorage.setItem('probe', '1');
      sessionStorage.clear();
      document.cookie = 'probe=1';
      void document.cookie;
      indexedDB.open('probe').onsuccess = (e) => e.target.result.close();
      indexedDB.deleteDatabase('probe');
      if (typeof caches !== 'undefined') await caches.open('probe');
      const c = window.__storageProbe.counts();
      window.__storageProbe.reset();
      return c;
    });
    assert.ok(counts.localStorage >= 6, `localStorage calls counted: ${JSON.stringify(counts)}`);
    assert.ok(counts.sessionStorage >= 3, `sessionStorage calls counted: ${JSON.stringify(counts)}`);
    assert.equal(counts.cookie, 2, `cookie get and set counted: ${JSON.stringify(counts)}`);
    assert.ok(counts.indexedDB >= 4, `indexedDB getter, open and deleteDatabase counted: ${JSON.stringify(counts)}`);
    assert.ok(counts.caches >= 2, `caches getter and open counted (127.0.0.1 is a secure context): ${JSON.stringify(counts)}`);
  });

  test('first visit, no consent: nothing touches any storage surface', { timeout: TIMEOUT }, async (t) => {
    const p = await open(t);
    const r = await inPage(p.page, (h) => {
      const s = h.engine.session({ storage: 'localStorage' });
      const learned = [s.view('shoe-ridge'), s.view('tent-2p'), s.view('shoe-ridge'), s.purchase('boots-trek'), s.search('camping')];
      const promo = s.promotion('spring-sale', 'impression');
      s.mute('hiking');
      s.pause();
      s.resume();
      const doc = s.export();
      const allowed = s.allowed;
      h.render('first visit, no consent', doc);
      return { learned, promo, doc, allowed, storageCalls: s.storageCalls, log: window.__storageLog.slice() };
    });
    assertNoStorage(r.log, 'before any consent');
    assert.equal(r.storageCalls, 0, 'session.storageCalls before consent');
    assert.deepEqual(r.allowed, [], 'undetermined consent allows nothing');
    for (const l of [...r.learned, r.promo]) {
      assert.equal(l.learned, false, `nothing is learned without consent: ${JSON.stringify(l)}`);
      assert.match(l.why, /consent/, 'the reason names consent');
    }
    assert.deepEqual(r.doc.topics, [], 'export() holds no topics');
    assert.deepEqual(r.doc.recentItems, [], 'export() holds no recent items');
    assert.equal(r.doc.storedWhere, 'in memory for this page only');
    const left = await leftovers(p.page);
    assert.deepEqual(
      left,
      { localStorage: 0, sessionStorage: 0, cookie: '', databases: [], caches: [] },
      'the browser holds nothing afterwards',
    );
    assertNoPageErrors(p, 'first visit');
  });

  test('first visit: session() with default options does not touch storage either', { timeout: TIMEOUT }, async (t) => {
    const p = await open(t);
    const r = await inPage(p.page, (h) => {
      const s = h.engine.session();
      s.view('shoe-ridge');
      s.export();
      return { log: window.__storageLog.slice(), storageCalls: s.storageCalls };
    });
    assert.equal(r.storageCalls, 0);
    const methodCalls = r.log.filter((e) => !e.op.startsWith('get window.'));
    assertNoStorage(methodCalls, 'default session() before consent (Storage methods, cookie, IndexedDB, caches)');
    // Only the existence check `globalThis.localStorage === undefined` in
    // js/hearth.js may look at the getter; nothing may call into it.
    assert.ok(
      r.log.every((e) => e.surface === 'localStorage' && e.op === 'get window.localStorage'),
      `only the localStorage getter may be read:\n${describeCalls(r.log)}`,
    );
    if (r.log.length) t.diagnostic(`session() without {storage} reads the window.localStorage getter ${r.log.length}x before consent`);
  });

  const refusals = [
    ['an explicit refusal of every purpose', { choices: NONE }, { learns: false }],
    ['a TCF CMP with no purposes (reject_all)', TCF_REJECT_ALL, { learns: false }],
    ['a TCF CMP with purposes 5 and 6 but not 1 (content in memory only)', TCF_NO_PURPOSE_1, { learns: true }],
    ['a TC string without the CMP\'s purposes (the browser build reads it as none)', { tcString: VECTORS.generated_policy_v4.accept_all.tcString, choices: ALL }, { learns: false, ignored: /tcString not decoded/ }],
    ['store refused, content allowed', { choices: { ...NONE, content: true } }, { learns: true }],
    ['Global Privacy Control alone', { gpc: true }, { learns: false }],
    ['Do Not Track alone', { dnt: true }, { learns: false }],
    ['Consent Mode with every storage denied', { consentMode: { personalization_storage: 'denied', functionality_storage: 'denied', ad_personalization: 'denied', ad_user_data: 'denied', analytics_storage: 'denied' } }, { learns: false }],
    ['a withdrawal', { withdrawn: true }, { learns: false }],
  ];
  for (const [name, signals, { learns, ignored }] of refusals) {
    test(`after ${name}: nothing touches any storage surface`, { timeout: TIMEOUT }, async (t) => {
      const p = await open(t);
      const r = await inPage(
        p.page,
        (h, signals) => {
          const s = h.engine.session({ storage: 'localStorage' });
          const outcome = s.consent(signals);
          const learned = [s.view('shoe-ridge'), s.view('shoe-ridge'), s.purchase('tent-2p')];
          s.mute('hiking');
          const doc = s.export();
          return { outcome, learned, doc, storageCalls: s.storageCalls, log: window.__storageLog.slice() };
        },
        signals,
      );
      if (ignored) assert.match(r.outcome.ignored.join('\n'), ignored);
      else assert.deepEqual(r.outcome.ignored, [], `every signal was understood (an ignored string would make this test vacuous): ${JSON.stringify(r.outcome)}`);
      assert.ok(!r.outcome.allowed.includes('store'), `store is not allowed: ${JSON.stringify(r.outcome.allowed)}`);
      assertNoStorage(r.log, `after ${name}`);
      assert.equal(r.storageCalls, 0, 'session.storageCalls');
      assert.deepEqual(
        r.learned.map((l) => l.learned),
        [learns, learns, learns],
        `learning in memory ${learns ? 'is' : 'is not'} allowed: ${JSON.stringify(r.learned)}`,
      );
      if (learns) assert.ok(topicTags(r.doc).includes('trail-running'), 'learned in memory for the page');
      assert.equal(r.doc.storedWhere, 'in memory for this page only');
      const left = await leftovers(p.page);
      assert.deepEqual(left, { localStorage: 0, sessionStorage: 0, cookie: '', databases: [], caches: [] }, 'the browser holds nothing afterwards');
      assertNoPageErrors(p, name);
    });
  }

  test('with consent: the profile is kept under hearth: keys only and survives a reload', { timeout: 2 * TIMEOUT }, async (t) => {
    const p = await open(t);
    const first = await inPage(p.page, (h, choices) => {
      const s = h.engine.session({ storage: 'localStorage' });
      const outcome = s.consent({ choices });
      const learned = ['shoe-ridge', 'shoe-ridge', 'shoe-ridge', 'tent-2p'].map((i) => s.view(i));
      learned.push(s.purchase('shoe-ridge'));
      const doc = s.export();
      return { outcome, learned, doc, log: window.__storageLog.slice() };
    }, STORE_CONTENT);
    assert.ok(first.outcome.allowed.includes('store') && first.outcome.allowed.includes('buildContent'), JSON.stringify(first.outcome));
    assert.ok(first.learned.every((l) => l.learned), `every event learned: ${JSON.stringify(first.learned)}`);
    assert.deepEqual(topicTags(first.doc), ['camping', 'trail-running'], 'topics learned on the first page');
    assert.equal(first.doc.storedWhere, 'on this device (localStorage)');

    // Only localStorage, only hearth: keys.
    const other = first.log.filter((e) => e.surface !== 'localStorage');
    assert.deepEqual(other, [], `only localStorage is used:\n${describeCalls(other)}`);
    const keyed = first.log.filter((e) => e.key !== undefined && ['getItem', 'setItem', 'removeItem'].includes(e.op));
    const foreign = keyed.filter((e) => !e.key.startsWith('hearth:'));
    assert.deepEqual(foreign, [], `every key hearth reads or writes starts with hearth::\n${describeCalls(foreign)}`);
    assert.ok(keyed.some((e) => e.op === 'setItem'), 'the profile was written');
    const stored = await storageNow(p.page);
    assert.deepEqual(Object.keys(stored.localStorage).sort(), ['hearth:profile'], 'localStorage holds the profile key only');
    assert.deepEqual(stored.sessionStorage, {}, 'sessionStorage untouched');
    assert.equal(stored.cookie, '', 'no cookie set');

    // What is stored is taxonomy, not page text: no titles, URLs or user agent.
    const text = await p.page.evaluate((v) => atob(v), stored.localStorage['hearth:profile']);
    const ua = await p.page.evaluate(() => navigator.userAgent);
    for (const leak of ['Ridge Runner', 'Alpine two-person tent', '/p/shoe-ridge', 'http', '127.0.0.1', ua.slice(0, 20)]) {
      assert.ok(!text.includes(leak), `the stored profile does not contain ${JSON.stringify(leak)}`);
    }

    // A new navigation, same origin: nothing is read before consent, then the profile is back.
    await revisit(p.page);
    const second = await inPage(p.page, (h, choices) => {
      const s = h.engine.session({ storage: 'localStorage' });
      const before = s.export();
      const logBefore = window.__storageLog.slice();
      const outcome = s.consent({ choices });
      const doc = s.export();
      h.render('returning visitor, consent given again', doc);
      return { before, logBefore, outcome, doc };
    }, STORE_CONTENT);
    assertNoStorage(second.logBefore, 'a returning visitor before consent');
    assert.deepEqual(second.before.topics, [], 'the stored profile is not read before consent');
    assert.equal(second.outcome.reset, undefined, `the stored profile decoded: ${second.outcome.reset}`);
    assert.deepEqual(topicTags(second.doc), topicTags(first.doc), 'the topics learned before the reload are back');
    for (const t0 of first.doc.topics) {
      const t1 = second.doc.topics.find((x) => x.tag === t0.tag);
      assert.ok(Math.abs(t1.strength - t0.strength) < 0.01, `${t0.tag}: strength ${t1.strength} vs ${t0.strength} before the reload`);
    }
    assert.deepEqual(
      second.doc.recentItems.map((i) => i.item).sort(),
      first.doc.recentItems.map((i) => i.item).sort(),
      'the recent items are back',
    );
    assert.equal(second.doc.purchases, first.doc.purchases, 'the purchase counter is back');
    await screenshot(p.page, 'privacy-returning-visitor');
    assertNoPageErrors(p, 'consent and reload');
  });

  test('erase(): no hearth: key remains, the page\'s own data is untouched, export() is empty', { timeout: 2 * TIMEOUT }, async (t) => {
    const p = await open(t);
    const own = {
      localStorage: { 'site:cart': '["tent-2p"]', theme: 'dark', 'hearth-like-but-not-ours': 'x' },
      sessionStorage: { 'site:tab': '3' },
      cookies: ['site_session=abc123; path=/', 'lang=en; path=/'],
    };
    await p.page.evaluate((own) => window.__storageProbe.seed(own), own);
    const r = await inPage(p.page, (h, choices) => {
      const s = h.engine.session({ storage: 'localStorage' });
      s.consent({ choices });
      s.view('shoe-ridge');
      s.view('tent-2p');
      s.promotion('spring-sale', 'impression');
      s.mute('hiking');
      const before = window.__storageProbe.read();
      const mark = window.__storageLog.length;
      const erased = s.erase();
      const afterErase = window.__storageProbe.read();
      const doc = s.export();
      const mark2 = window.__storageLog.length;
      const learnedAfter = s.view('shoe-ridge');
      s.mute('camping');
      const logAfter = window.__storageProbe.since(mark2);
      const eraseCalls = window.__storageLog.slice(mark, mark2);
      h.render('after erase()', doc);
      return { before, erased, afterErase, doc, learnedAfter, logAfter, eraseCalls, allowed: s.allowed };
    }, ALL);

    const hearthBefore = hearthKeys(r.before.localStorage);
    assert.ok(hearthBefore.includes('hearth:profile'), `a profile was stored before erase: ${hearthBefore}`);
    assert.deepEqual(r.erased.failed, undefined, 'erase() did not fail');
    assert.deepEqual([...r.erased.removed].sort(), hearthBefore, 'erase() names every hearth: key it removed');
    assert.ok(r.erased.removed.every((k) => k.startsWith('hearth:')), `only hearth: keys removed: ${r.erased.removed}`);
    assert.deepEqual(hearthKeys(r.afterErase.localStorage), [], 'no hearth: key remains');
    assert.deepEqual(r.afterErase.localStorage, own.localStorage, "the page's own localStorage keys are untouched");
    assert.deepEqual(r.afterErase.sessionStorage, own.sessionStorage, 'sessionStorage is untouched');
    assert.equal(r.afterErase.cookie, 'site_session=abc123; lang=en', "the page's cookies are untouched");
    const writes = r.eraseCalls.filter((e) => ['setItem', 'clear'].includes(e.op) || (e.op === 'removeItem' && !e.key.startsWith('hearth:')));
    assert.deepEqual(writes, [], `erase() only removes hearth: keys:\n${describeCalls(writes)}`);

    assert.deepEqual(r.doc.topics, [], 'export(): no topics');
    assert.deepEqual(r.doc.recentItems, [], 'export(): no recent items');
    assert.deepEqual(r.doc.promotions, [], 'export(): no promotions');
    assert.deepEqual(r.doc.muted, [], 'export(): no muted tags');
    assert.equal(r.doc.purchases, 0, 'export(): no purchases');
    assert.deepEqual(r.doc.consent.allowed, [], 'consent is undetermined again');
    assert.deepEqual(r.allowed, []);
    assert.equal(r.learnedAfter.learned, false, 'nothing is learned after erase until the visitor consents anew');
    assertNoStorage(r.logAfter, 'after erase(), before new consent');

    // A new page and a new consent find nothing of the old profile.
    await revisit(p.page);
    const again = await inPage(p.page, (h, choices) => {
      const s = h.engine.session({ storage: 'localStorage' });
      const outcome = s.consent({ choices });
      const doc = s.export();
      h.render('the visit after erase(), consent given again', doc);
      return { outcome, doc };
    }, ALL);
    assert.deepEqual(again.doc.topics, [], 'nothing comes back on the next visit');
    assert.deepEqual(again.doc.muted, [], 'the old mute does not come back');
    await screenshot(p.page, 'privacy-after-erase');
    assertNoPageErrors(p, 'erase');
  });

  test('a downgrade deletes the promotion namespace; withdrawing store removes hearth:profile at once', { timeout: 2 * TIMEOUT }, async (t) => {
    const p = await open(t);
    const first = await inPage(p.page, (h, { all, noPromotions }) => {
      const s = h.engine.session({ storage: 'localStorage' });
      window.session = s;
      s.consent({ choices: all });
      s.view('shoe-ridge');
      s.view('tent-2p');
      const promo = s.promotion('spring-sale', 'impression');
      const withPromotions = s.export();
      const storedWith = window.__storageProbe.read().localStorage['hearth:profile'];
      const downgrade = s.consent({ choices: noPromotions });
      const afterDowngrade = s.export();
      const storedAfter = window.__storageProbe.read().localStorage['hearth:profile'];
      return { promo, withPromotions, storedWith, downgrade, afterDowngrade, storedAfter };
    }, { all: { ...ALL, measure: false }, noPromotions: STORE_CONTENT });
    assert.equal(first.promo.learned, true, `the impression was recorded: ${JSON.stringify(first.promo)}`);
    assert.deepEqual(first.withPromotions.promotions.map((x) => x.promotion), ['spring-sale'], 'the promotion namespace holds spring-sale');
    assert.deepEqual(first.downgrade.deleted, ['promotions'], `the downgrade deleted the promotion namespace only: ${JSON.stringify(first.downgrade)}`);
    assert.deepEqual(first.afterDowngrade.promotions, [], 'export(): no promotions after the downgrade');
    assert.deepEqual(topicTags(first.afterDowngrade), ['camping', 'trail-running'], 'the content namespace stays');
    assert.ok(first.storedAfter && first.storedAfter !== first.storedWith, 'the stored profile was rewritten at once');

    // A new page: even with promotions consented again, the stored profile has none.
    await revisit(p.page);
    const second = await inPage(p.page, (h, all) => {
      const s = h.engine.session({ storage: 'localStorage' });
      window.session = s;
      s.consent({ choices: all });
      return s.export();
    }, { ...ALL, measure: false });
    assert.deepEqual(second.promotions, [], 'the stored profile no longer has the promotion namespace');
    assert.deepEqual(topicTags(second), ['camping', 'trail-running'], 'but still has the topics');

    // Withdrawing store: the key goes in the same call.
    const third = await inPage(p.page, () => {
      const s = window.session;
      const mark = window.__storageLog.length;
      const outcome = s.consent({ choices: { store: false, content: true, promotions: false, measure: false } });
      const stored = window.__storageProbe.read().localStorage;
      const calls = window.__storageProbe.since(mark);
      const mark2 = window.__storageLog.length;
      const learned = s.view('boots-trek');
      const doc = s.export();
      return { outcome, stored, calls, learned, doc, later: window.__storageProbe.since(mark2) };
    });
    assert.ok(third.outcome.deleted.includes('storage'), `the outcome says storage was deleted: ${JSON.stringify(third.outcome)}`);
    assert.deepEqual(hearthKeys(third.stored), [], 'hearth:profile is gone right after consent() returns');
    assert.ok(
      third.calls.some((e) => e.op === 'removeItem' && e.key === 'hearth:profile'),
      `removeItem("hearth:profile") was called:\n${describeCalls(third.calls)}`,
    );
    assert.ok(!third.calls.some((e) => e.op === 'setItem'), `nothing written while withdrawing:\n${describeCalls(third.calls)}`);
    assert.equal(third.learned.learned, true, 'content still learns, in memory');
    assert.equal(third.doc.storedWhere, 'in memory for this page only');
    assertNoStorage(third.later, 'after store was withdrawn');

    const final = await storageNow(p.page);
    assert.deepEqual(hearthKeys(final.localStorage), [], 'still nothing stored');
    assertNoPageErrors(p, 'downgrade');
  });

  test('erase() on a first visit, before any consent: writes nothing, removes only hearth: keys (none)', { timeout: TIMEOUT }, async (t) => {
    const p = await open(t);
    const own = { localStorage: { 'site:cart': '[]' }, sessionStorage: { 'site:tab': '1' }, cookies: ['lang=en; path=/'] };
    await p.page.evaluate((own) => window.__storageProbe.seed(own), own);
    const r = await inPage(p.page, (h) => {
      const s = h.engine.session({ storage: 'localStorage' });
      const erased = s.erase();
      return { erased, log: window.__storageLog.slice(), stored: window.__storageProbe.read() };
    });
    assert.deepEqual(r.erased, { removed: [] }, 'nothing to remove');
    const writes = r.log.filter((e) => !['getItem', 'key', 'length', 'get window.localStorage'].includes(e.op) || e.surface !== 'localStorage');
    assert.deepEqual(writes, [], `erase() only looks at localStorage's keys, and writes nothing:\n${describeCalls(writes)}`);
    assert.deepEqual(r.stored.localStorage, own.localStorage, "the page's own keys are untouched");
    assert.deepEqual(r.stored.sessionStorage, own.sessionStorage);
    assert.equal(r.stored.cookie, 'lang=en');
    // By design (src/store/mod.rs, Storage::erase): deleting needs no consent,
    // so an erase before consent enumerates localStorage's keys.
    if (r.log.length) t.diagnostic(`erase() before consent made ${r.log.length} localStorage read(s): ${r.log.map((e) => e.op).join(', ')}`);
    assertNoPageErrors(p, 'erase before consent');
  });

  test('storage blocked entirely (the localStorage getter throws SecurityError): explicit localStorage degrades to memory', { timeout: TIMEOUT }, async (t) => {
    const p = await open(t, '?fault=localStorage:SecurityError');
    const r = await inPage(p.page, (h, choices) => {
      try {
        const s = h.engine.session({ storage: 'localStorage' });
        const outcome = s.consent({ choices });
        const learned = s.view('shoe-ridge');
        const doc = s.export();
        const erased = s.erase();
        return { outcome, learned, doc, erased };
      } catch (e) {
        return { thrown: `${e.name}: ${e.message}` };
      }
    }, STORE_CONTENT);
    assert.equal(r.thrown, undefined, 'no hearth call throws');
    assert.match(String(r.outcome.storageDegraded), /SecurityError|blocked/, `consent() reports storageDegraded: ${JSON.stringify(r.outcome)}`);
    assert.equal(r.learned.learned, true, 'the session learns in memory');
    assert.deepEqual(topicTags(r.doc), ['trail-running']);
    assert.match(String(r.erased.failed), /SecurityError|blocked/, 'erase() says it could not reach storage');
    assertNoPageErrors(p, 'blocked storage');
  });

  test(
    'storage blocked entirely: session() with default options does not throw',
    { timeout: TIMEOUT },
    async (t) => {
      const p = await open(t, '?fault=localStorage:SecurityError');
      const s = await inPage(p.page, (h) => {
        try {
          const s = h.engine.session();
          return { outcome: s.consent({ choices: { store: true, content: true } }) };
        } catch (e) {
          return { thrown: `${e.name}: ${e.message}` };
        }
      });
      assert.equal(s.thrown, undefined, 'engine.session() does not throw when localStorage is blocked');
    },
  );

  for (const [fault, expect] of [
    ['setItem:QuotaExceededError', /quota/i],
    ['getItem:SecurityError', /SecurityError|blocked/],
  ]) {
    test(`storage that throws (${fault}): the session learns in memory, reports storageDegraded, the page works`, { timeout: 2 * TIMEOUT }, async (t) => {
      const p = await open(t);
      // An earlier visit stored a profile with working storage.
      await inPage(p.page, (h, choices) => {
        const s = h.engine.session({ storage: 'localStorage' });
        s.consent({ choices });
        s.view('tent-2p');
      }, STORE_CONTENT);
      const storedBefore = (await storageNow(p.page)).localStorage['hearth:profile'];
      assert.ok(storedBefore, 'the earlier visit stored a profile');

      await revisit(p.page, `?fault=${fault}`);
      const r = await inPage(p.page, (h, choices) => {
        const s = h.engine.session({ storage: 'localStorage' });
        let thrown = null;
        try {
          var outcome = s.consent({ choices });
          var learned = [s.view('shoe-ridge'), s.view('shoe-ridge')];
          var doc = s.export();
          h.render('storage throws: learning in memory', doc);
        } catch (e) {
          thrown = `${e.name}: ${e.message}`;
        }
        return { thrown, outcome, learned, doc, log: window.__storageLog.slice() };
      }, STORE_CONTENT);
      assert.equal(r.thrown, null, 'no hearth call throws when storage does');
      assert.ok(r.outcome.allowed.includes('store'), 'store is still allowed by consent');
      assert.match(String(r.outcome.storageDegraded), expect, `consent() reports storageDegraded: ${JSON.stringify(r.outcome)}`);
      assert.ok(r.learned.every((l) => l.learned), `the session still learns: ${JSON.stringify(r.learned)}`);
      const expected = fault.startsWith('setItem') ? ['camping', 'trail-running'] : ['trail-running'];
      assert.deepEqual(topicTags(r.doc), expected, 'export() shows what was learned (in memory)');
      if (r.doc.storedWhere !== 'in memory for this page only') {
        t.diagnostic(`export().storedWhere says ${JSON.stringify(r.doc.storedWhere)} while storage is degraded`);
      }
      const setCalls = r.log.filter((e) => e.op === 'setItem');
      assert.ok(setCalls.length <= 1, `after the first fault hearth stops writing to storage (${setCalls.length} setItem calls)`);
      const storedAfter = (await storageNow(p.page)).localStorage['hearth:profile'];
      assert.equal(storedAfter, storedBefore, 'a failed write never loses what was already stored');

      // The page itself still works: the DOM updates and no error escaped.
      await p.page.locator('#status').waitFor();
      assert.equal(await p.page.locator('#status').textContent(), 'storage throws: learning in memory');
      assert.ok((await p.page.locator('#topics tbody tr').count()) >= 1, 'the topics table rendered');
      if (fault.startsWith('setItem')) await screenshot(p.page, 'privacy-storage-throws');
      assertNoPageErrors(p, fault);
    });
  }
});
