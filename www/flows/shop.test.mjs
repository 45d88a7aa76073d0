// The demo shop's flows in real Chromium (issue 5, items 10-11): headless
// Debian Chromium through playwright-core, the built package, and the shop
// served under its strict policy (script-src 'self' 'wasm-unsafe-eval',
// style-src 'self', Trusted Types enforced).
//
//   tools/build-pkg.sh            (or: make pkg)
//   node --test --test-reporter=spec www/flows/
//
// HEARTH_PKG=/some/dir serves another build at /pkg/. Screenshots of the main
// states go to www/test-results/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, TIMEOUT } from '../test/browser.mjs';
import { ROOT } from '../test/server.mjs';
import { serveDemo } from '../serve.mjs';
import { Hearth } from '../../pkg/node.js';

const RESULTS = join(ROOT, 'www', 'test-results');
const CATALOG = JSON.parse(readFileSync(join(ROOT, 'www', 'site', 'catalog.json'), 'utf8'));
const TAGS = new Map(CATALOG.items.map((i) => [i.id, i.tags]));
// The demo's manifest as the shop loads it (compiled: www/tools/compile-manifest.mjs), and its JSON.
const MANIFEST_JSON = readFileSync(join(ROOT, 'www', 'site', 'manifest.json'), 'utf8');
const COMPILED = readFileSync(join(ROOT, 'www', 'site', 'manifest.bin'));
const TCF = JSON.parse(readFileSync(join(ROOT, 'tests/data/consent/tcf-gpp-vectors.json'), 'utf8')).generated_policy_v4;
// Fixed decision secret and epoch, so exploration cannot make a run flaky.
const REPLAY = '/?secret=11,29&epoch=3';

let server;
let browser;

before(async () => {
  const pkg = process.env.HEARTH_PKG ?? join(ROOT, 'pkg');
  if (!existsSync(join(pkg, 'dom.js')) || !existsSync(join(pkg, 'hearth_browser_bg.wasm'))) {
    throw new Error(`${pkg} has no built package with dom.js: run tools/build-pkg.sh first`);
  }
  mkdirSync(RESULTS, { recursive: true });
  server = await serveDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh context on the shop, hearth started (or failed); `setup(context, page)` runs before navigating. */
async function shop(t, { path = REPLAY, setup } = {}) {
  const o = await openPage(browser, undefined, { viewport: { width: 1280, height: 900 } });
  t.after(() => o.context.close());
  await o.page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  if (setup) await setup(o.context, o.page);
  o.response = await o.page.goto(server.url + path, { waitUntil: 'load' });
  await o.page.waitForFunction(() => window.ridgeline?.hearth && (window.ridgeline.hearth.timings || window.ridgeline.hearth.error), null, { timeout: TIMEOUT });
  return o;
}

/** What the page shows and what the device holds. */
function state(page) {
  return page.evaluate(() => {
    const h = window.ridgeline.hearth;
    const q = (s) => document.querySelector(s);
    const storage = {};
    for (let i = 0; i < localStorage.length; i++) storage[localStorage.key(i)] = localStorage.getItem(i === -1 ? '' : localStorage.key(i));
    return {
      hero: q('[data-hearth-slot="hero"]').getAttribute('data-hearth-variant'),
      heroReady: q('[data-hearth-slot="hero"]').getAttribute('data-hearth-ready'),
      heroTitle: q('[data-hearth-slot="hero"] h1').textContent,
      heroSrc: q('[data-hearth-slot="hero"] img').getAttribute('src'),
      promo: q('[data-hearth-promotion]').getAttribute('data-hearth-variant'),
      promoText: q('[data-hearth-promotion]').textContent.replace(/\s+/g, ' ').trim(),
      greeting: q('[data-hearth-slot="greeting"]').getAttribute('data-hearth-variant'),
      artworks: Object.fromEntries([...document.querySelectorAll('#anywhere [data-hearth-artwork]')].map((e) => [e.getAttribute('data-hearth-artwork'), e.getAttribute('data-hearth-variant')])),
      recs: [...document.querySelectorAll('[data-hearth-recommend="home"] [data-hearth-item]')].map((e) => e.getAttribute('data-hearth-item')),
      recReasons: [...document.querySelectorAll('[data-hearth-recommend="home"] .card-why')].map((e) => e.textContent),
      storage,
      cookie: document.cookie,
      banner: !q('#consent').hidden,
      allowed: h.allowed,
      timings: h.timings,
      error: h.error,
      violations: window.__violations,
      unready: document.querySelectorAll('[data-hearth-slot]:not([data-hearth-ready]),[data-hearth-artwork]:not([data-hearth-ready])').length,
    };
  });
}

const shot = (page, name, fullPage = false) => page.screenshot({ path: join(RESULTS, `shop-${name}.png`), fullPage });
const share = (items, tag) => items.filter((id) => TAGS.get(id)?.includes(tag)).length / Math.max(1, items.length);
const hearthKeys = (storage) => Object.keys(storage).filter((k) => k !== 'ridgeline-consent');

/** Browses a department like a visitor: the category page, then `n` of its products. */
async function browse(page, tag, n = 5) {
  await page.click(`.departments a[href="#/c/${tag}"]`);
  await page.waitForSelector('#category:not([hidden]) #category-items .card');
  for (let i = 0; i < n; i++) {
    await page.click(`#category-items .card:nth-child(${i + 1}) a`);
    await page.waitForSelector('#product:not([hidden])');
    await page.goBack();
    await page.waitForSelector('#category:not([hidden])');
  }
}

async function home(page) {
  await page.click('a.logo');
  await page.waitForSelector('#home:not([hidden])');
}

describe('the demo shop in Chromium', () => {
  test('first visit: default and contextual content, nothing stored', async (t) => {
    const { page, errors, consoleErrors } = await shop(t);
    const s = await state(page);
    assert.equal(s.error, undefined);
    assert.equal(s.hero, 'classic', 'no consent: the default hero');
    assert.equal(s.heroReady, 'decided');
    assert.ok(s.greeting, 'the contextual greeting was decided');
    assert.equal(s.promo, 'free-returns', 'the offer shown to everyone');
    assert.equal(s.recs.length, 8);
    assert.ok(s.recReasons.every((r) => /popular/.test(r)), 'recommendations are popularity only');
    assert.deepEqual(s.storage, {}, 'nothing in localStorage');
    assert.equal(s.cookie, '');
    assert.ok(s.banner, 'the consent banner asks');
    assert.deepEqual(s.allowed, []);
    assert.equal(s.unready, 0, 'every placement is filled');
    assert.deepEqual(errors, []);
    assert.deepEqual(consoleErrors, []);
    const measure = await page.evaluate(() => performance.getEntriesByName('hearth:script-to-filled')[0]?.duration);
    console.log(`# script start to slots filled: ${measure.toFixed(1)} ms (${s.timings.sinceNavigation.toFixed(1)} ms after navigation start)`);
    await shot(page, '1-first-visit');
  });

  test('accept, browse camping: hero, artwork and recommendations follow', async (t) => {
    const { page, errors } = await shop(t);
    const before = await state(page);
    await page.click('#consent-accept');
    await browse(page, 'camping', 5);
    await shot(page, '2-category-camping');
    await page.click('#category-items .card:nth-child(7) a');
    await page.waitForSelector('#product:not([hidden]) #product-image[data-hearth-ready]');
    await shot(page, '3-product');
    await home(page);
    const s = await state(page);
    assert.equal(s.hero, 'camp', `hero follows camping (was ${before.hero})`);
    assert.match(s.heroSrc, /camp\.svg$/);
    const camping = Object.keys(s.artworks).filter((id) => TAGS.get(id).includes('camping'));
    const night = camping.filter((id) => s.artworks[id] === 'night');
    assert.ok(night.length >= Math.ceil(camping.length * 0.6), `camping artwork for items that have one: ${night.length}/${camping.length}`);
    assert.ok(share(s.recs, 'camping') > share(before.recs, 'camping'), 'more camping in recommendations');
    assert.ok(share(s.recs, 'camping') >= 0.5, `recommendations mostly camping: ${s.recs.map((id) => TAGS.get(id).join('/'))}`);
    assert.ok(hearthKeys(s.storage).length > 0, 'the profile is stored with consent');
    // The camping offer showed, and its cap (perDay 6, one impression per page view) holds.
    const promos = await page.evaluate(() => window.ridgeline.hearth.export().promotions);
    const camp = promos.find((p) => p.promotion === 'camp-weekend');
    assert.ok(camp && camp.shown >= 1 && camp.shown <= 6, `camp-weekend impressions: ${JSON.stringify(promos)}`);
    assert.equal(s.promo, camp.shown < 6 ? 'camp-weekend' : 'free-returns');
    assert.deepEqual(errors, []);
    await shot(page, '4-personalized-home', true);
    await page.click('#open-data');
    await page.waitForSelector('#data[open] #data-topics li');
    const topics = await page.$$eval('#data-topics li span:first-child', (xs) => xs.map((x) => x.textContent));
    assert.ok(topics.includes('Camping'), `Your data lists Camping: ${topics}`);
    const why = await page.$eval('#data-why', (e) => e.textContent);
    assert.match(why, /Camping/);
    await shot(page, '5-your-data');
  });

  test('reject: nothing stored, nothing learned', async (t) => {
    const { page } = await shop(t);
    await page.click('#consent-reject');
    await browse(page, 'camping', 4);
    await home(page);
    const s = await state(page);
    assert.equal(s.hero, 'classic');
    assert.deepEqual(s.storage, {});
    assert.equal(s.cookie, '');
    assert.ok(s.recReasons.every((r) => /popular/.test(r)));
    const exported = await page.evaluate(() => window.ridgeline.hearth.export());
    assert.deepEqual(exported.topics, []);
  });

  test('erase: storage emptied, defaults back, and a reload remembers nothing', async (t) => {
    const { page } = await shop(t);
    await page.click('#consent-accept');
    await browse(page, 'camping', 5);
    await home(page);
    assert.equal((await state(page)).hero, 'camp');
    await page.reload();
    await page.waitForFunction(() => window.ridgeline?.hearth?.timings);
    assert.equal((await state(page)).hero, 'camp', 'a returning visitor is recognized from the first paint');
    await page.click('#open-data');
    await page.click('#data-erase');
    const s = await state(page);
    assert.deepEqual(s.storage, {}, 'localStorage is empty');
    assert.equal(s.hero, 'classic');
    assert.ok(s.recReasons.every((r) => /popular/.test(r)));
    assert.ok(s.banner, 'consent is asked again');
    await shot(page, '6-after-erase');
    await page.reload();
    await page.waitForFunction(() => window.ridgeline?.hearth?.timings);
    const r = await state(page);
    assert.equal(r.hero, 'classic');
    assert.deepEqual(r.storage, {});
  });

  test('mute removes a topic’s influence', async (t) => {
    const { page } = await shop(t);
    await page.click('#consent-accept');
    await browse(page, 'camping', 5);
    await home(page);
    const s = await state(page);
    assert.equal(s.hero, 'camp');
    await page.click('#open-data');
    await page.click('#data-topics button[aria-label="Mute Camping"]');
    await page.waitForSelector('#data-topics li.muted');
    await shot(page, '7-muted');
    await page.click('#close-data');
    const m = await state(page);
    assert.notEqual(m.hero, 'camp', 'hero no longer camping');
    const camping = Object.keys(m.artworks).filter((id) => TAGS.get(id).includes('camping'));
    assert.ok(camping.every((id) => m.artworks[id] !== 'night'), 'no camping artwork');
    assert.notEqual(m.promo, 'camp-weekend');
  });

  test('mute also removes the topic from recommendations', async (t) => {
    const { page } = await shop(t);
    await page.click('#consent-accept');
    await browse(page, 'camping', 5);
    await home(page);
    const s = await state(page);
    await page.click('#open-data');
    await page.click('#data-topics button[aria-label="Mute Camping"]');
    await page.click('#close-data');
    const m = await state(page);
    assert.ok(share(m.recs, 'camping') < share(s.recs, 'camping'), `fewer camping recommendations: ${m.recReasons}`);
  });

  test('strict CSP and Trusted Types: the page works, no violations', async (t) => {
    const { page, response, errors, consoleErrors } = await shop(t);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /require-trusted-types-for 'script'/);
    const early = await page.evaluate(() => [...window.__violations]);
    const loadErrors = [...consoleErrors];
    const enforced = await page.evaluate(() => {
      try {
        document.createElement('div').innerHTML = '<b>x</b>';
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(enforced, 'Trusted Types are enforced on this page');
    assert.deepEqual(early, [], 'no violation while loading');
    await page.evaluate(() => (window.__violations.length = 0));
    consoleErrors.length = 0; // the blocked assignment above logs one
    assert.deepEqual(loadErrors, []);
    await page.click('#consent-accept');
    await browse(page, 'paddling', 3);
    await home(page);
    const s = await state(page);
    assert.equal(s.unready, 0);
    assert.equal(s.hero, 'paddle');
    assert.deepEqual(s.violations, []);
    assert.deepEqual(errors, []);
    assert.deepEqual(consoleErrors, []);
  });

  for (const [name, setup, why] of [
    ['a broken manifest', (ctx) => ctx.route('**/manifest.bin', (r) => r.fulfill({ contentType: 'application/json', body: '{"hearth": 1, "slots": ' })), /manifest \S* ?is not valid/],
    ['a damaged compiled manifest', (ctx) => ctx.route('**/manifest.bin', (r) => r.fulfill({ body: COMPILED.subarray(0, COMPILED.length - 100) })), /manifest \S* ?is not valid \(invalid compiled manifest: 1 problem; compiled: damaged: the checksum does not match/],
    // The browser build reads hearth manifests compiled, and says how to compile one.
    ['a JSON hearth manifest', (ctx) => ctx.route('**/manifest.bin', (r) => r.fulfill({ contentType: 'application/json', body: MANIFEST_JSON })), /manifest \S* ?is not valid .*hearth compile manifest.json -o manifest.bin/],
    ['a missing Wasm file', (ctx) => ctx.route('**/hearth_browser_bg.wasm', (r) => r.fulfill({ status: 404, body: 'not found' })), /Wasm/],
  ]) {
    test(`${name} leaves the page intact with its defaults and one console error`, async (t) => {
      const { page, errors, consoleErrors } = await shop(t, { setup });
      const s = await state(page);
      assert.match(s.error, why);
      assert.equal(s.heroReady, 'default');
      assert.equal(s.heroTitle, 'Gear for every trail, road and river', 'the authored default hero');
      assert.match(s.promoText, /Free shipping on orders over \$75/, 'the authored default offer');
      assert.equal(s.unready, 0, 'nothing left hidden');
      assert.deepEqual(s.storage, {});
      const ours = consoleErrors.filter((m) => m.startsWith('hearth'));
      assert.equal(ours.length, 1, `one hearth error: ${JSON.stringify(consoleErrors)}`);
      assert.match(ours[0], why);
      assert.deepEqual(errors, [], 'no uncaught errors');
      const visible = await page.isVisible('[data-hearth-slot="hero"] h1');
      assert.ok(visible);
      if (name === 'a broken manifest') await shot(page, '8-broken-manifest');
    });
  }

  test('storage that throws: one console error, the page keeps working', async (t) => {
    const { page, consoleErrors, errors } = await shop(t, {
      setup: (ctx) =>
        ctx.addInitScript(() => {
          Storage.prototype.setItem = function () {
            throw new DOMException('quota', 'QuotaExceededError');
          };
        }),
    });
    await page.click('#consent-accept');
    await browse(page, 'camping', 4);
    await home(page);
    const s = await state(page);
    assert.equal(s.unready, 0);
    assert.equal(s.hero, 'camp', 'personalized in memory for this page');
    const ours = consoleErrors.filter((m) => m.startsWith('hearth'));
    assert.equal(ours.length, 1, JSON.stringify(consoleErrors));
    assert.match(ours[0], /storage/);
    assert.deepEqual(errors, []);
  });

  test('slots added later are filled; exposures once per decision, only with measure', async (t) => {
    const { page } = await shop(t);
    const added = await page.evaluate(() => {
      const hero = document.querySelector('[data-hearth-slot="hero"]').cloneNode(true);
      hero.removeAttribute('data-hearth-ready');
      hero.removeAttribute('data-hearth-variant');
      hero.id = 'late';
      document.querySelector('#home').append(hero);
      return new Promise((r) => requestAnimationFrame(() => r(hero.getAttribute('data-hearth-ready'))));
    });
    assert.equal(added, 'decided', 'a slot added by the app is filled before the next frame');
    await page.evaluate(() => {
      window.__exposures = [];
      window.ridgeline.hearth.onExposure((e) => window.__exposures.push(e));
      window.ridgeline.hearth.refresh();
    });
    assert.equal(await page.evaluate(() => window.__exposures.length), 0, 'no measure consent, no callbacks');
    await page.click('#consent-choose');
    await page.check('input[name="measure"]');
    await page.click('#consent-save');
    const ex = await page.evaluate(() => window.__exposures);
    assert.ok(ex.some((e) => e.kind === 'slot' && e.slot === 'hero'));
    assert.ok(ex.some((e) => e.kind === 'artwork'));
    assert.ok(ex.some((e) => e.kind === 'promotion'));
    const keys = ex.map((e) => JSON.stringify([e.kind, e.slot ?? e.item ?? e.placement ?? e.list]));
    assert.equal(new Set(keys).size, keys.length, 'each decision reported once (two hero elements, one exposure)');
    // The app re-renders a slot: same decision, no new exposure.
    await page.evaluate(() => {
      const late = document.getElementById('late');
      late.remove();
      late.removeAttribute('data-hearth-ready');
      document.querySelector('#home').append(late);
    });
    await page.waitForFunction(() => document.getElementById('late').hasAttribute('data-hearth-ready'));
    assert.equal(await page.evaluate(() => window.__exposures.length), ex.length);
  });

  test('values from the manifest reach the page only through safe sinks', async (t) => {
    const { page, errors } = await shop(t, {
      setup: (ctx) =>
        ctx.route('**/manifest.bin', async (route) => {
          const m = JSON.parse(MANIFEST_JSON);
          const c = m.slots.hero.variants.find((v) => v.id === 'classic').content;
          c.title = '<img src=x onerror="window.__pwned=1">Hello';
          c.href = 'javascript:window.__pwned=2';
          c.src = 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>';
          route.fulfill({ body: Buffer.from(Hearth.compile(m)) });
        }),
    });
    const hero = await page.evaluate(() => {
      const h = document.querySelector('[data-hearth-slot="hero"]');
      return { h1: h.querySelector('h1').textContent, imgs: h.querySelectorAll('h1 img').length, href: h.querySelector('a').getAttribute('href'), src: h.querySelector('img').getAttribute('src'), pwned: window.__pwned ?? null };
    });
    assert.equal(hero.h1, '<img src=x onerror="window.__pwned=1">Hello', 'markup in data is text');
    assert.equal(hero.imgs, 0);
    assert.equal(hero.href, '#/c/hiking', 'javascript: URL refused, the default kept');
    assert.equal(hero.src, '/img/hero/classic.svg', 'data: URL refused');
    assert.equal(hero.pwned, null);
    assert.deepEqual(errors, []);
  });

  test('a slow manifest: placements show their defaults at the timeout and do not swap later', async (t) => {
    const { page } = await shop(t, {
      setup: (ctx) =>
        ctx.route('**/manifest.bin', async (route) => {
          const res = await route.fetch();
          await new Promise((r) => setTimeout(r, 900));
          route.fulfill({ response: res });
        }),
    });
    const s = await state(page);
    assert.equal(s.timings.timedOut, true);
    assert.equal(s.heroReady, 'default', 'the default hero was shown at the timeout');
    assert.equal(s.hero, null);
    assert.ok(await page.isVisible('[data-hearth-slot="hero"] h1'));
    // Placements added after the engine is ready are still decided.
    assert.ok(Object.values(s.artworks).every((v) => v), 'the row rendered later was decided');
  });

  test('a TCF CMP: its consent is applied before the first render, and later changes too', async (t) => {
    const { page } = await shop(t, {
      setup: (ctx) =>
        ctx.addInitScript(
          ([first, later]) => {
            const listeners = [];
            window.__tcfapi = (command, version, cb) => {
              if (command !== 'addEventListener' || version !== 2) return;
              listeners.push(cb);
              setTimeout(() => cb({ eventStatus: 'tcloaded', gdprApplies: true, ...first }, true), 40);
            };
            window.__tcfChange = () => listeners.forEach((cb) => cb({ eventStatus: 'useractioncomplete', gdprApplies: true, ...later }, true));
          },
          // TCData as a CMP reports it: the string and its decoded purposes (the browser build reads those).
          [TCF.content_personalisation_only, TCF.reject_all].map((v) => ({
            tcString: v.tcString,
            purpose: { consents: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i + 1, v.purposeConsents.includes(i + 1)])), legitimateInterests: {} },
          })),
        ),
    });
    const s = await state(page);
    assert.ok(s.allowed.includes('store') && s.allowed.includes('useContent'), `TCF purposes 1, 5, 6: ${s.allowed}`);
    assert.ok(!s.allowed.includes('usePromotions'), 'no promotion purposes (3, 4)');
    assert.equal(s.timings.timedOut, false);
    await page.evaluate(() => window.__tcfChange());
    assert.deepEqual((await state(page)).allowed, [], 'the CMP withdrew everything');
  });

  test('Global Privacy Control: no profile-based offers even after accept', async (t) => {
    const { page } = await shop(t, {
      setup: (ctx) => ctx.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })),
    });
    await page.click('#consent-accept');
    await browse(page, 'camping', 5);
    await home(page);
    const s = await state(page);
    assert.ok(s.allowed.includes('useContent'));
    assert.ok(!s.allowed.includes('usePromotions'), `GPC: ${s.allowed}`);
    assert.equal(s.hero, 'camp', 'content is still personalized');
    assert.notEqual(s.promo, 'camp-weekend', 'but not the offers');
  });

  test('a signed loyalty claim unlocks the gold offer; a forged one does not', async (t) => {
    const { page } = await shop(t);
    const forged = await page.evaluate(async () => {
      const h = window.ridgeline.hearth;
      const payload = btoa(JSON.stringify({ trait: 'loyaltyTier', value: 'gold', exp: 4102444800 })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
      await h.presentClaims([`${payload}.AAAA`]);
      return { promo: document.querySelector('[data-hearth-promotion]').getAttribute('data-hearth-variant'), rejected: h.rejectedClaims };
    });
    assert.notEqual(forged.promo, 'gold-members');
    assert.equal(forged.rejected.length, 1);
    await page.click('#login');
    await page.waitForFunction(() => document.querySelector('[data-hearth-promotion]').getAttribute('data-hearth-variant') === 'gold-members');
    const s = await state(page);
    assert.match(s.promoText, /Gold members/);
    await shot(page, '9-gold-member');
    // The same claim through setContext: checked meanwhile, and the page decides again with it.
    const claims = await page.evaluate(async () => (await (await fetch('/api/member-gold.json')).json()).claims);
    await page.evaluate(async () => window.ridgeline.hearth.presentClaims([]));
    await page.waitForFunction(() => document.querySelector('[data-hearth-promotion]').getAttribute('data-hearth-variant') !== 'gold-members');
    await page.evaluate((c) => window.ridgeline.hearth.setContext({ claims: c }), claims);
    await page.waitForFunction(() => document.querySelector('[data-hearth-promotion]').getAttribute('data-hearth-variant') === 'gold-members');
  });
});
