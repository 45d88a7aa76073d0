// The demo shop through the edge worker, in real Chromium: workerd serves the shop's files
// (its static origin) behind the hearth worker, bundled with the shop's manifest, the way
// `make demo` does on port 8787. The recommendation cards and the promo bar must come out of
// the edge as the browser module would render them (the site's own templates), and the
// browser module must adopt them as they are: the same DOM nodes, no re-render, exposures
// reported once, and a proper re-render of its own when consent changes.
//
//   tools/build-pkg.sh && node www/tools/make-manifest.mjs
//   node --test --test-reporter=spec www/flows/edge.test.mjs
//
// Screenshots: www/test-results/edge-through-edge.png and edge-in-browser.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, TIMEOUT } from '../test/browser.mjs';
import { ROOT } from '../test/server.mjs';
import { serveDemo } from '../serve.mjs';
import { freePort } from '../../worker/test/harness.mjs';

const RESULTS = join(ROOT, 'www', 'test-results');
const DIR = join(ROOT, 'worker', 'build', 'edge-flow');

let edge;
let server;
let browser;

/** A copy of the worker bundled with the demo's manifest, and the demo site as its origin. */
function buildEdge() {
  const pkg = process.env.HEARTH_PKG ?? join(ROOT, 'pkg');
  if (!existsSync(join(pkg, 'workerd.js')) || !existsSync(join(pkg, 'dom.js'))) throw new Error(`${pkg} has no built package: run tools/build-pkg.sh first`);
  if (!existsSync(join(ROOT, 'www', 'site', 'manifest.json'))) execFileSync('node', [join(ROOT, 'www', 'tools', 'make-manifest.mjs')], { stdio: 'ignore' });
  execFileSync('node', [join(ROOT, 'www', 'tools', 'compile-manifest.mjs')], { stdio: 'ignore' });
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, 'build', 'hearth'), { recursive: true });
  cpSync(join(ROOT, 'worker', 'src'), join(DIR, 'src'), { recursive: true });
  cpSync(join(ROOT, 'worker', 'config.capnp'), join(DIR, 'config.capnp'));
  execFileSync(join(ROOT, 'worker', 'build.sh'), ['--no-pkg', join(ROOT, 'www', 'site', 'manifest.json')], {
    env: { ...process.env, HEARTH_WORKER_BUILD: join(DIR, 'build'), HEARTH_PKG: pkg },
    stdio: 'ignore',
  });
  cpSync(join(ROOT, 'www', 'site'), join(DIR, 'site'), { recursive: true });
  cpSync(pkg, join(DIR, 'site', 'pkg'), { recursive: true });
}

async function startEdge() {
  const [http, plain, origin] = [await freePort(), await freePort(), await freePort()];
  const stderr = [];
  const proc = spawn(
    join(ROOT, 'node_modules', '.bin', 'workerd'),
    ['serve', join(DIR, 'config.capnp'), 'config', '-d', `site-files=${join(DIR, 'site')}`, '--socket-addr', `http=127.0.0.1:${http}`, '--socket-addr', `plain=127.0.0.1:${plain}`, '--socket-addr', `origin=127.0.0.1:${origin}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr.on('data', (d) => stderr.push(String(d)));
  const url = `http://127.0.0.1:${http}`;
  const end = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`${url}/favicon.svg`, { signal: AbortSignal.timeout(500) });
      break;
    } catch (e) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`workerd did not come up: ${e}; ${stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stderr,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
    },
  };
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  buildEdge();
  edge = await startEdge();
  server = await serveDemo();
  browser = await launch();
  // The worker learns each placement's templates from the pages it streams (once per isolate).
  await (await fetch(`${edge.url}/`, { headers: { Accept: 'text/html' } })).text();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await edge?.stop();
});

/** Opens `url`; at DOMContentLoaded (before the module has run) remembers the placements' nodes and counts later changes. */
async function open(t, url, setup) {
  const o = await openPage(browser, undefined, { viewport: { width: 1280, height: 900 } });
  t.after(() => o.context.close());
  if (setup) await setup(o.context, o.page);
  await o.page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const recs = document.querySelector('[data-hearth-recommend="home"]');
      const promo = document.querySelector('[data-hearth-promotion]');
      window.__atParse = { cards: [...recs.querySelectorAll('li.card')], promo: [...promo.children] };
      window.__mutations = 0;
      new MutationObserver((records) => (window.__mutations += records.length)).observe(recs, { childList: true, subtree: true, characterData: true });
      new MutationObserver((records) => (window.__mutations += records.length)).observe(promo, { childList: true, subtree: true, characterData: true });
    });
  });
  o.response = await o.page.goto(url, { waitUntil: 'load' });
  await o.page.waitForFunction(() => window.ridgeline?.hearth && (window.ridgeline.hearth.timings || window.ridgeline.hearth.error), null, { timeout: TIMEOUT });
  return o;
}

/** The cards and the promo bar as a person sees them: structure, classes, fields, links. */
function shown(page) {
  return page.evaluate(() => {
    const node = (n) => {
      if (n.nodeType === 3) return n.textContent.trim() ? n.textContent.replace(/\s+/g, ' ') : null;
      if (n.nodeType !== 1 || n.hidden || n.nodeName === 'TEMPLATE') return null;
      const attrs = ['class', 'href', 'src', 'alt', 'data-hearth-field', 'data-hearth-item', 'data-hearth-artwork', 'data-hearth-variant'].filter((a) => n.hasAttribute(a)).map((a) => `${a}=${n.getAttribute(a)}`);
      return [n.nodeName.toLowerCase(), attrs.join(' '), ...[...n.childNodes].map(node).filter((x) => x !== null)];
    };
    const recs = document.querySelector('[data-hearth-recommend="home"]');
    const promo = document.querySelector('[data-hearth-promotion]');
    return {
      cards: [...recs.children].map(node).filter(Boolean),
      promo: [...promo.childNodes].map(node).filter((x) => x !== null),
      promoText: promo.innerText.replace(/\s+/g, ' ').trim(),
      slots: [...document.querySelectorAll('[data-hearth-slot]')].map((e) => e.innerText.replace(/\s+/g, ' ').trim()),
    };
  });
}

describe('the demo shop through the edge worker', () => {
  test('the edge renders the cards and the promo bar from the site templates; the browser adopts them', async (t) => {
    const { page, response, errors, consoleErrors } = await open(t, `${edge.url}/`);
    assert.equal(response.headers()['x-hearth'], 'contextual', 'personalized at the edge');
    const html = await response.text();
    // In the first byte's HTML already: eight cards of the site's own markup, after the template.
    const cardsInHtml = [...html.matchAll(/<li class="card" data-hearth-item="([^"]+)"><a data-hearth-attr="href" href="#\/p\/\1">/g)];
    assert.equal(cardsInHtml.length, 8, 'eight cards in the HTML the edge sent');
    assert.match(html, /<li class="empty" hidden="" data-hearth-default="hidden">/);

    // The cards' images are lazy: they may still be loading after the `load` event. Wait until each
    // has finished (loaded or failed); `imgLoaded` below then says which.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-hearth-recommend="home"] li.card img')].every((i) => i.complete), null, { timeout: TIMEOUT });
    const s = await page.evaluate(() => {
      const recs = document.querySelector('[data-hearth-recommend="home"]');
      const promo = document.querySelector('[data-hearth-promotion]');
      const cards = [...recs.querySelectorAll('li.card')];
      const h = window.ridgeline.hearth;
      return {
        ready: recs.getAttribute('data-hearth-ready'),
        promoReady: promo.getAttribute('data-hearth-ready'),
        promoVariant: promo.getAttribute('data-hearth-variant'),
        same: cards.length === window.__atParse.cards.length && cards.every((c, i) => c === window.__atParse.cards[i]),
        promoSame: [...promo.children].every((c, i) => c === window.__atParse.promo[i]),
        mutations: window.__mutations,
        templates: recs.querySelectorAll(':scope > template').length,
        emptyVisible: recs.querySelector('li.empty').checkVisibility(),
        cards: cards.map((c) => ({
          item: c.getAttribute('data-hearth-item'),
          href: c.querySelector('a').getAttribute('href'),
          title: c.querySelector('.card-title').textContent,
          department: c.querySelector('[data-hearth-field="department"]').textContent,
          price: c.querySelector('[data-hearth-field="price"]').textContent,
          reason: c.querySelector('.card-why').textContent,
          img: c.querySelector('img').getAttribute('src'),
          imgReady: c.querySelector('img').getAttribute('data-hearth-ready'),
          imgLoaded: c.querySelector('img').complete && c.querySelector('img').naturalWidth > 0,
        })),
        decided: h.decisions.recommendations,
      };
    });
    assert.equal(s.ready, 'edge', 'adopted from the edge');
    assert.equal(s.cards.length, 8);
    for (const c of s.cards) {
      assert.equal(c.href, `#/p/${c.item}`);
      assert.ok(c.title && c.department, `title and department: ${JSON.stringify(c)}`);
      assert.match(c.price, /^\d+\.\d\d$/);
      assert.match(c.reason, /popular/);
      assert.match(c.img, /^\/img\/art\/.+\.svg$/, 'the item artwork decided at the edge');
      assert.equal(c.imgReady, 'edge');
      assert.ok(c.imgLoaded, `the artwork image loads: ${c.img}`);
    }
    assert.ok(s.same, 'the very nodes the edge sent: not rendered again');
    assert.ok(s.promoSame, 'the promo bar is not rendered again either');
    assert.equal(s.mutations, 0, 'no change to the cards or the promo bar after parsing');
    assert.equal(s.templates, 1, 'the template stays for later renders');
    assert.equal(s.emptyVisible, false, 'the default "Browse a department" is hidden');
    assert.equal(s.promoReady, 'edge');
    assert.equal(s.promoVariant, 'free-returns');
    assert.equal(Object.values(s.decided)[0].length, 8, 'the decisions behind the cards are known to the page');
    assert.deepEqual(errors, []);
    assert.deepEqual(consoleErrors, []);

    // The same page rendered in the browser shows the same cards and promo bar.
    const inBrowser = await open(t, `${server.url}/`);
    const [a, b] = [await shown(page), await shown(inBrowser.page)];
    assert.deepEqual(a.cards, b.cards, 'cards: same structure, fields and artwork as in the browser');
    assert.deepEqual(a.promo, b.promo, 'promo bar: the same as in the browser');
    assert.equal(a.promoText, b.promoText);
    assert.deepEqual(a.slots, b.slots, 'slots: each shows its variant once (the defaults give way to its template)');
    for (const [p, name] of [[page, 'through-edge'], [inBrowser.page, 'in-browser']]) {
      await p.evaluate(() => {
        document.getElementById('consent').hidden = true;
      });
      await p.screenshot({ path: join(RESULTS, `edge-${name}.png`), fullPage: true });
    }
  });

  test('a visitor who consented: the impression of the adopted promotion is counted once', async (t) => {
    const ALL = { store: true, content: true, promotions: true, measure: true };
    const { page, response, errors } = await open(t, `${edge.url}/`, async (context, p) => {
      // The edge reads its consent cookie; the shop keeps the same choice in its own record.
      await context.addCookies([{ name: 'hearth_consent', value: 'store.content.promotions.measure', url: edge.url }]);
      await p.addInitScript((c) => localStorage.setItem('ridgeline-consent', JSON.stringify(c)), ALL);
    });
    assert.equal(response.headers()['x-hearth'], 'profile');
    const shownCount = () =>
      page.evaluate(() => {
        const promo = document.querySelector('[data-hearth-promotion]');
        const id = promo.getAttribute('data-hearth-variant');
        return { id, ready: promo.getAttribute('data-hearth-ready'), shown: window.ridgeline.hearth.export().promotions.find((p) => p.promotion === id)?.shown };
      });
    const first = await shownCount();
    assert.equal(first.ready, 'edge');
    assert.equal(first.shown, 1, `adopted, and its impression counted once: ${JSON.stringify(first)}`);
    assert.equal(await page.evaluate(() => window.__mutations), 0, 'adopted without a render');
    await page.evaluate(() => window.ridgeline.hearth.refresh());
    const again = await shownCount();
    assert.equal(again.ready, 'decided');
    assert.equal(again.shown, 2, 'a refresh shows it again, and counts that view');
    assert.deepEqual(errors, []);
  });

  test('after consent, the browser renders the adopted elements again from their templates', async (t) => {
    const { page, errors, consoleErrors } = await open(t, `${edge.url}/`);
    await page.click('#consent-accept');
    await page.waitForFunction(() => document.querySelector('[data-hearth-recommend="home"]').getAttribute('data-hearth-ready') === 'decided');
    const s = await page.evaluate(() => {
      const recs = document.querySelector('[data-hearth-recommend="home"]');
      const promo = document.querySelector('[data-hearth-promotion]');
      const cards = [...recs.querySelectorAll('li.card')];
      return {
        cards: cards.length,
        fresh: cards.every((c) => !window.__atParse.cards.includes(c)),
        children: [...recs.children].map((c) => c.nodeName + (c.className ? `.${c.className}` : '')),
        decidedAttr: recs.hasAttribute('data-hearth-decided'),
        hiddenLeft: recs.querySelectorAll('[data-hearth-default]').length + promo.querySelectorAll('[data-hearth-default]').length,
        promoReady: promo.getAttribute('data-hearth-ready'),
        promoText: promo.innerText.replace(/\s+/g, ' ').trim(),
        filled: cards.every((c) => c.querySelector('.card-title').textContent && c.querySelector('img').getAttribute('data-hearth-ready')),
      };
    });
    assert.equal(s.cards, 8);
    assert.ok(s.fresh, 'rendered again by the browser module');
    assert.deepEqual(s.children, [...Array(8).fill('LI.card'), 'TEMPLATE'], 'the edge copies and the hidden default replaced, the template kept');
    assert.equal(s.decidedAttr, false);
    assert.equal(s.hiddenLeft, 0);
    assert.equal(s.promoReady, 'decided');
    assert.match(s.promoText, /Free returns for 60 days/);
    assert.ok(s.filled);
    // Erase: the defaults come back from what the edge kept (hidden) for the browser.
    await page.click('#open-data');
    await page.click('#data-erase');
    const promoAfter = await page.evaluate(() => document.querySelector('[data-hearth-promotion]').innerText.replace(/\s+/g, ' ').trim());
    assert.match(promoAfter, /Free returns|Free shipping/);
    assert.deepEqual(errors, []);
    assert.deepEqual(consoleErrors, []);
  });
});
