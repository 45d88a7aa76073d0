// `workerd test worker/test/unit.capnp`: unit tests inside workerd itself (real HTMLRewriter,
// real Wasm module). Each export with a test() is one test; a throw fails it.
import * as hearth from '../build/hearth/workerd.js';
import { wasmMemory } from '../build/hearth/hearth_wasm.js';
import manifest from '../build/manifest.json';
import compiledManifest from '../build/manifest.bin';
import scenario from '../data/scenario.json';
import expected from '../data/expected.txt';
import { createWorker, replayScenario } from '../src/worker.js';
import { readConsent, parseCookies, requestContext, forwardedCookieHeader } from '../src/consent.js';
import { lazyAnswer, renderList, scriptJson } from '../src/decisions.js';
import { renderTemplate, safeAttr } from '../src/template.js';
import { acceptsStored, answerMemo, freshFor, renderCache, originKey, pageKey } from '../src/cache.js';
import { notModified } from '../src/static.js';

function assert(ok, msg) {
  if (!ok) throw new Error(`assertion failed: ${msg}`);
}
/** `a === b`; arrays compare element by element. */
function eq(a, b, msg) {
  const same = Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
  if (!same) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
}

const PAGE = `<!doctype html><html><head><title>t</title></head><body>
<header data-hearth-slot="banner"><p data-hearth-text="title">x</p></header>
<section data-hearth-slot="hero"><template data-hearth-variant="classic"><h1>classic</h1></template><template data-hearth-variant="trail"><h1>trail</h1></template><template data-hearth-variant="camp"><h1>camp</h1></template></section>
<img data-hearth-artwork="shoe-ridge" src="/studio.svg" alt="a">
<div data-hearth-promotion="promo-bar"></div>
<ul data-hearth-recommend="home" data-hearth-k="2"><li>…</li><template><li><a data-hearth-attr="href" data-hearth-field="title"></a></li></template></ul>
<footer id="end">end</footer></body></html>`;

/** A fake origin: a function of the request. */
// A service binding's fetch takes what the global fetch takes.
const origin = (f) => ({ ORIGIN: { fetch: async (input, init) => f(new Request(input, init)) } });
const html = (body = PAGE, headers = {}) => new Response(body, { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=300', ETag: '"abc"', ...headers } });
const get = (path = '/', headers = {}) => new Request(`https://shop.example${path}`, { headers: { Accept: 'text/html', ...headers } });
const lines = [];
const w = createWorker({ Hearth: hearth.Hearth, manifest, log: (l) => lines.push(l) });

export const determinism = {
  test() {
    const engine = hearth.Hearth.load(manifest);
    eq(replayScenario(engine, scenario), expected.trim(), 'workerd page answer equals the native expected.json');
  },
};

export const contextualWithoutConsent = {
  async test() {
    const res = await w.fetch(get('/c/trail', { 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile', 'CF-IPCountry': 'GB' }), origin(() => html()));
    const body = await res.text();
    eq(res.headers.get('Set-Cookie'), null, 'no cookie without consent');
    eq(res.headers.get('Cache-Control'), 'private', 'personalized responses are private');
    eq(res.headers.get('ETag'), null, 'the origin ETag does not describe the rewritten body');
    assert(!/cookie/i.test(res.headers.get('Vary') ?? ''), 'no Vary: Cookie');
    const hero = body.slice(body.indexOf('<section data-hearth-slot="hero"'), body.indexOf('</section>'));
    assert(hero.includes('<h1>classic</h1>') && !hero.includes('<template'), `default variant unwrapped, other templates removed: ${hero}`);
    assert(body.includes('data-hearth-decided="classic"'), 'slot marked decided');
    assert(body.includes('<p data-hearth-text="title">Free returns for 60 days</p>'), 'text field filled');
    assert(body.includes('id="hearth-decisions" data-hearth-mode="contextual"'), 'decisions embedded');
    const json = JSON.parse(/<script type="application\/json" id="hearth-decisions"[^>]*>(.*?)<\/script>/s.exec(body)[1]);
    assert(json.slots.hero.codes.includes('no-content-consent'), 'contextual decision');
    assert(body.includes('<footer id="end">end</footer>'), 'rest of page intact');
    eq((body.match(/data-hearth-item=/g) ?? []).length, 2, 'data-hearth-k caps the list');
  },
};

export const storeConsentWritesDigest = {
  async test() {
    const cookie = 'hearth_consent=store.content.promotions.measure';
    const res = await w.fetch(get('/', { Cookie: cookie }), origin(() => html()));
    await res.text();
    const set = res.headers.get('Set-Cookie');
    assert(/^hearth=[A-Za-z0-9_-]+; Max-Age=34560000; Path=\/; Secure; SameSite=Lax$/.test(set), `digest cookie: ${set}`);
    eq(res.headers.get('X-Hearth'), 'profile', 'profile mode');
    const value = set.split(';')[0].slice('hearth='.length);
    assert(value.length < 1000, 'under 1 KB');
    // The same visitor comes back: the same id, no rewrite of an unchanged cookie.
    const again = await w.fetch(get('/', { Cookie: `${cookie}; hearth=${value}` }), origin(() => html()));
    await again.text();
    eq(again.headers.get('Set-Cookie'), null, 'an unchanged digest is not written again');
    // Consent goes: the digest is deleted.
    const gone = await w.fetch(get('/', { Cookie: `hearth_consent=withdrawn; hearth=${value}` }), origin(() => html()));
    await gone.text();
    eq(gone.headers.get('Set-Cookie'), 'hearth=; Max-Age=0; Path=/; Secure; SameSite=Lax', 'withdrawn consent deletes the digest');
  },
};

export const edgeCookiesNotForwarded = {
  async test() {
    let seen;
    const res = await w.fetch(get('/', { Cookie: 'site=1; hearth_consent=store; hearth=abc' }), origin((req) => ((seen = req.headers.get('Cookie')), html())));
    await res.text();
    eq(seen, 'site=1', 'the origin gets its cookies only');
    eq(forwardedCookieHeader('hearth=x'), null, 'no Cookie header when none are left');
  },
};

export const passThrough = {
  async test() {
    const cases = {
      'non-HTML': () => new Response('{"a":1}', { headers: { 'Content-Type': 'application/json' } }),
      redirect: () => new Response(null, { status: 302, headers: { Location: '/x' } }),
      'not found': () => html(PAGE, {}).body && new Response(PAGE, { status: 404, headers: { 'Content-Type': 'text/html' } }),
      'server error': () => new Response(PAGE, { status: 503, headers: { 'Content-Type': 'text/html' } }),
      'too large': () => html(PAGE + ' '.repeat(3 * 1024 * 1024), { 'Content-Length': String(PAGE.length + 3 * 1024 * 1024) }),
      'other charset': () => new Response(PAGE, { headers: { 'Content-Type': 'text/html; charset=iso-8859-1' } }),
      'unknown encoding': () => new Response(PAGE, { headers: { 'Content-Type': 'text/html', 'Content-Encoding': 'compress' } }),
    };
    for (const [name, make] of Object.entries(cases)) {
      const sent = make();
      const res = await w.fetch(get('/'), origin(() => sent));
      assert(res === sent, `${name}: the origin response itself goes out`);
    }
    const post = await w.fetch(new Request('https://shop.example/', { method: 'POST', body: 'x', headers: { Accept: 'text/html' } }), origin(() => html()));
    eq(post.headers.get('Cache-Control'), 'public, max-age=300', 'POST passes through');
  },
};

export const engineFailurePassesThrough = {
  async test() {
    const logs = [];
    const bad = createWorker({ Hearth: hearth.Hearth, manifest: { hearth: 1, slots: { x: { strategy: 'nope' } } }, log: (l) => logs.push(l) });
    const sent = html();
    const res = await bad.fetch(get('/', { Cookie: 'hearth_consent=store; euconsent-v2=SECRETTC' }), origin(() => sent));
    assert(res === sent, 'bad manifest: the origin page as it came');
    eq(logs.length, 1, 'logged once');
    assert(logs[0].includes('manifest-load-failed') && !/SECRETTC|hearth_consent|shop\.example/.test(logs[0]), `no personal data: ${logs[0]}`);
    const logs2 = [];
    const Failing = { load: (m) => ({ session: () => { throw new Error('RuntimeError: unreachable SECRETTC'); } }) };
    const broken = createWorker({ Hearth: Failing, manifest, log: (l) => logs2.push(l) });
    const sent2 = html();
    const res2 = await broken.fetch(get('/', { Cookie: 'euconsent-v2=SECRETTC' }), origin(() => sent2));
    assert(res2 === sent2, 'Wasm error: the origin page as it came');
    assert(logs2.length === 1 && logs2[0].includes('engine-failed') && !logs2[0].includes('SECRETTC'), `logged without data: ${logs2}`);
  },
};

export const slowOriginPassesThrough = {
  async test() {
    const sent = html();
    const res = await w.fetch(get('/'), { ...origin(() => new Promise((r) => setTimeout(() => r(sent), 150))), HEARTH_ORIGIN_BUDGET_MS: '50' });
    assert(res === sent, 'a slow origin is passed through unchanged');
  },
};

export const malformedHtml = {
  async test() {
    // Unclosed elements, a stray end tag, an unknown variant and garbage bytes: nothing after them is lost.
    const page = `<html><head></head><body><div data-hearth-slot="hero"><template data-hearth-variant="nope"><p>x</template></div></span><<<>>\u0000\uFFFD<div data-hearth-slot="banner"><p data-hearth-text="title">old<footer id="end">end</footer>`;
    const res = await w.fetch(get('/'), origin(() => html(page)));
    const body = await res.text();
    assert(body.includes('<footer id="end">end</footer>'), `the page after malformed markup survives: ${JSON.stringify(body.slice(body.indexOf('<body>')))}`);
    // Not HTML at all under text/html, no <head> and no hearth elements: byte-identical.
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const res2 = await w.fetch(get('/'), origin(() => new Response(bytes, { headers: { 'Content-Type': 'text/html' } })));
    const out = new Uint8Array(await res2.arrayBuffer());
    assert(out.length === bytes.length && out.every((b, i) => b === bytes[i]), 'binary body unchanged');
  },
};

export const escaping = {
  async test() {
    const evil = structuredClone(manifest);
    evil.slots.banner.variants = [{ id: 'generic', content: { title: '</p><script>alert(1)</script>', href: 'javascript:alert(1)', alt: '" onerror="x' } }];
    const ew = createWorker({ Hearth: hearth.Hearth, manifest: evil, log: () => {} });
    const page = `<html><head></head><body><a data-hearth-slot="banner" data-hearth-attrs="href alt" href="/safe"><span data-hearth-text="title">t</span></a></body></html>`;
    const body = await (await ew.fetch(get('/'), origin(() => html(page)))).text();
    assert(!body.includes('<script>alert'), `text is escaped: ${body}`);
    assert(body.includes('href="/safe"'), 'javascript: URL not set');
    assert(!body.includes('" onerror="x'), 'attribute value escaped');
    assert(!scriptJson({ a: '</script><!--' }).includes('<'), 'embedded JSON cannot close its script');
    eq(safeAttr('a', 'href', 'java\tscript:alert(1)'), null, 'obfuscated scheme');
    eq(safeAttr('a', 'href', ' JavaScript:alert(1)'), null, 'scheme case and spaces');
    eq(safeAttr('a', 'href', '/p/x'), '/p/x', 'relative');
    eq(safeAttr('a', 'onclick', 'x'), null, 'not allow-listed');
    eq(safeAttr('img', 'srcset', '/a.png 1x, data:x 2x'), null, 'srcset checks every URL');
    eq(safeAttr('img', 'alt', { x: 1 }), null, 'objects are not values');
    const json = scriptJson({ a: '</script>\u2028<!--\u2029' });
    assert(!/[<\u2028\u2029]/.test(json), `escaped: ${json}`);
    eq(JSON.parse(json).a, '</script>\u2028<!--\u2029', 'and the same value once parsed');
  },
};

export const tamperedDigestIsIgnored = {
  async test() {
    const consent = 'hearth_consent=store.content.promotions.measure';
    const first = await w.fetch(get('/', { Cookie: consent }), origin(() => html()));
    await first.text();
    const value = first.headers.get('Set-Cookie').split(';')[0].slice('hearth='.length);
    const flipped = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11);
    for (const bad of [flipped, 'A', '!!!!', 'x'.repeat(5000)]) {
      const res = await w.fetch(get('/', { Cookie: `${consent}; hearth=${bad}` }), origin(() => html()));
      const body = await res.text();
      assert(body.includes('<footer id="end">end</footer>'), 'the page is served');
      const set = res.headers.get('Set-Cookie') ?? '';
      assert(set.startsWith('hearth=') && !set.startsWith(`hearth=${bad};`), `a fresh digest replaces the bad one: ${set.slice(0, 40)}`);
    }
  },
};

export const consentSignals = {
  test() {
    const headers = new Headers({ 'Sec-GPC': '1', DNT: '1' });
    const s = readConsent(headers, parseCookies('euconsent-v2=CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA; __gpp=DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA; __gpp_sid=2; hearth_consent=store.content'));
    eq(s.tcString, 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', 'TCF cookie');
    assert(s.gpp.startsWith('DBABMA~'), 'GPP cookie');
    assert(s.gpc && s.dnt, 'GPC and DNT');
    eq(JSON.stringify(s.choices), '{"store":true,"content":true,"promotions":false,"measure":false,"sensitive":false}', 'hearth choices');
    const ctx = requestContext(new Request('https://shop.example/c/trail', { headers: { 'CF-IPCountry': 'de', 'Accept-Language': 'de-DE,de;q=0.9', 'Sec-CH-UA-Mobile': '?1' } }), 0);
    eq(JSON.stringify(ctx), '{"url":"https://shop.example/c/trail","utcOffsetMinutes":0,"device":"mobile","locale":"de-DE","country":"DE"}', 'context');
    const cf = new Request('https://shop.example/');
    Object.defineProperty(cf, 'cf', { value: { country: 'JP', timezone: 'Asia/Tokyo' } });
    const c2 = requestContext(cf, Date.UTC(2026, 0, 1));
    eq(c2.country, 'JP', 'request.cf.country');
    eq(c2.utcOffsetMinutes, 540, 'offset from cf.timezone');
    // The zone's formatter is reused: daylight saving still moves the offset.
    const ny = (t) => {
      const r = new Request('https://shop.example/');
      Object.defineProperty(r, 'cf', { value: { timezone: 'America/New_York' } });
      return requestContext(r, t).utcOffsetMinutes;
    };
    eq(ny(Date.UTC(2026, 0, 15)), -300, 'New York in winter');
    eq(ny(Date.UTC(2026, 6, 15)), -240, 'New York in summer');
    eq(requestContext(cf, Date.UTC(2026, 6, 1)).utcOffsetMinutes, 540, 'Tokyo again');
  },
};

export const browserModuleMarkup = {
  async test() {
    // The browser module's attribute names (js/dom.js) work at the edge too.
    const page = `<!doctype html><html><head></head><body>
<header data-hearth-slot="banner"><p data-hearth-field="title">x</p></header>
<section data-hearth-slot="hero"><a data-hearth-attr="href" href="/default">go</a></section>
<ul data-hearth-recommend="home" data-k="1"><li>…</li><template><li><a data-hearth-attr="href" data-hearth-field="title"></a></li></template></ul>
<footer id="end">end</footer></body></html>`;
    await (await w.fetch(get('/'), origin(() => html(page)))).text(); // the slots' first page (left to the browser)
    const res = await w.fetch(get('/'), origin(() => html(page)));
    const body = await res.text();
    assert(/<p data-hearth-field="title">(Weekend deals on now|Free returns for 60 days)<\/p>/.test(body), `data-hearth-field filled: ${body.slice(0, 400)}`);
    assert(body.includes('data-hearth-attr="href" href="/new"'), 'data-hearth-attr filled from the default variant');
    eq((body.match(/data-hearth-item=/g) ?? []).length, 1, 'data-k caps the list');
    assert(body.includes('<footer id="end">end</footer>'), 'rest of page intact');
  },
};

export const decidesWhatThePageContains = {
  async test() {
    // Only the page's elements are decided (and embedded), each once; a slot nested in another
    // gives the outer slot back when it closes; fields outside any slot are left alone.
    const page = `<!doctype html><html><head></head><body>
<div data-hearth-slot="hero"><section data-hearth-slot="banner"><b data-hearth-text="title">x</b></section><template data-hearth-variant="classic"><h1>classic</h1></template><template data-hearth-variant="trail"><h1>trail</h1></template><i data-hearth-text="title">outer</i></div>
<aside data-hearth-slot="banner"><img data-hearth-slot="hero"><a data-hearth-attrs="href" href="/x"><span data-hearth-text="title">y</span></a></aside>
<p data-hearth-text="title">outside</p>
<footer id="end">end</footer></body></html>`;
    // A worker that has not seen these slots leaves them to the browser (see slotDefaultsGiveWayToTheChosenTemplate).
    const fresh = createWorker({ Hearth: hearth.Hearth, manifest, log: () => {} });
    const first = await (await fresh.fetch(get('/'), origin(() => html(page)))).text();
    assert(first.startsWith(page.trimEnd().replace('</body></html>', '')) && !first.includes('data-hearth-decided'), `first page: the slots as sent: ${first}`);
    const body = await (await fresh.fetch(get('/'), origin(() => html(page)))).text();
    const json = JSON.parse(/<script type="application\/json" id="hearth-decisions"[^>]*>(.*?)<\/script>/s.exec(body)[1]);
    eq(JSON.stringify(Object.keys(json.slots).sort()), '["banner","hero"]', 'the slots on the page');
    eq(JSON.stringify([json.artworks, json.promotions, json.recommendations]), '[{},{},{}]', 'nothing else decided');
    const banner = '(Free returns for 60 days|Weekend deals on now)';
    assert(new RegExp(`<b data-hearth-text="title">${banner}</b>`).test(body), `inner slot's field from the inner slot: ${body}`);
    assert(body.includes('<h1>classic</h1>') && !body.includes('<h1>trail</h1>'), "the outer slot's templates after the inner slot closed");
    // (hidden: the chosen variant's template replaces the outer slot's default children, known now)
    assert(/<i data-hearth-text="title"[^>]*>Gear for every trail and road<\/i>/.test(body), `the outer field from the outer slot: ${body}`);
    assert(new RegExp(`<span data-hearth-text="title">${banner}</span>`).test(body) && body.includes('href="/x"'), 'a void nested slot does not change the outer slot');
    assert(body.includes('<p data-hearth-text="title">outside</p>'), 'a field outside any slot is left alone');
    assert(body.indexOf('id="hearth-decisions"') > body.indexOf('<footer id="end">'), 'decisions embedded after the document');
  },
};

// ---------- recommendation containers and promotion placements: the site's templates ----------

const CARD = `<template>
  <li class="card"><a data-hearth-attr="href" href="#/">
    <img data-hearth-artwork alt="" width="400" height="300" loading="lazy">
    <span class="card-title" data-hearth-field="title"></span>
    <span class="card-meta">$<span data-hearth-field="price"></span></span>
    <span class="card-why" data-hearth-field="reason"></span>
    <i data-hearth-field="nope">kept</i>
  </a></li>
</template>`;
const page = (body) => `<!doctype html><html><head></head><body>${body}<footer id="end">end</footer></body></html>`;
const through = async (wk, body, headers = {}) => (await wk.fetch(get('/', headers), origin(() => html(page(body))))).text();
const items = (body) => [...body.matchAll(/<li class="card" data-hearth-item="([^"]+)">/g)].map((m) => m[1]);
/** A worker over a copy of the sample manifest changed by `f`. */
function workerWith(f) {
  const m = structuredClone(manifest);
  f(m);
  return createWorker({ Hearth: hearth.Hearth, manifest: m, log: (l) => lines.push(l) });
}

export const recommendationsFromTheTemplate = {
  async test() {
    const body = await through(w, `<ul class="grid" data-hearth-recommend="home" data-k="3">\n<li class="empty">Browse a department</li>\n${CARD}\n</ul>`);
    const ids = items(body);
    eq(ids.length, 3, 'data-k items');
    assert(body.includes(`data-hearth-k` ) === false && body.includes(`data-hearth-ready="edge" data-hearth-decided="${ids.join(' ')}"`), `container decided: ${body.slice(0, 300)}`);
    assert(body.includes('<li class="empty" hidden="" data-hearth-default="hidden">Browse a department</li>'), 'the default child is hidden (not removed: the browser keeps it for later)');
    assert(body.includes(CARD), 'the template itself stays as the origin sent it');
    assert(body.indexOf('data-hearth-item=') > body.indexOf('</template>'), 'items after the template');
    const json = JSON.parse(/<script type="application\/json" id="hearth-decisions"[^>]*>(.*?)<\/script>/s.exec(body)[1]);
    const recs = json.recommendations.home;
    for (const r of recs.slice(0, 3)) {
      const li = new RegExp(`<li class="card" data-hearth-item="${r.item}"><a data-hearth-attr="href" href="${r.content.href}">\\s*<img data-hearth-artwork="${r.item}" alt="[^"]*" width="400" height="300" loading="lazy"[^>]*>\\s*<span class="card-title" data-hearth-field="title">${r.title}</span>\\s*<span class="card-meta">\\$<span data-hearth-field="price">${r.content.price.replace('.', '\\.')}</span></span>\\s*<span class="card-why" data-hearth-field="reason">${r.reason}</span>\\s*<i data-hearth-field="nope">kept</i>\\s*</a></li>`);
      assert(li.test(body), `item ${r.item} rendered like the browser: ${body.slice(body.indexOf('</template>'), body.indexOf('</template>') + 900)}`);
    }
    // The items' artwork, decided with the items (one call into the engine), as the browser would.
    const art = json.artworks['shoe-ridge'];
    assert(ids.includes('shoe-ridge') && art, 'the artwork decided and embedded');
    assert(new RegExp(`<img data-hearth-artwork="shoe-ridge" alt="${art.content.alt}"[^>]* src="${art.content.src}" data-hearth-variant="${art.artwork}" data-hearth-decided="${art.artwork}" data-hearth-ready="edge">`).test(body), 'artwork src/alt on the item image');
    assert(body.includes('<footer id="end">end</footer>'), 'rest of page intact');
  },
};

export const recommendationsEscapeHostileContent = {
  async test() {
    const evil = workerWith((m) => {
      const it = m.catalog.items[0];
      it.title = '</span><script>alert(1)</script>';
      it.content = { href: 'javascript:alert(1)', price: '"><img src=x onerror=alert(2)>', reason: 'x' };
      it.artworks = [{ id: 'bad', content: { src: 'javascript:alert(3)', srcset: '/a.png 1x, data:x 2x', alt: '"><script>alert(4)</script>' } }];
      for (const o of m.catalog.items.slice(1)) o.content.href = ' jav\tascript:alert(5)';
    });
    const body = await through(evil, `<ul data-hearth-recommend="home" data-k="4">${CARD}</ul>`);
    eq(items(body).length, 4, 'all items rendered');
    const out = body.slice(body.indexOf('</template>'), body.indexOf('<footer'));
    assert(!/<script>alert|javascript:|jav\tascript|<img src=x|data:x/.test(out), `nothing hostile as markup or URL: ${out.slice(0, 1200)}`);
    assert(out.includes('&lt;/span&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'title escaped as text');
    assert(out.includes('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;'), 'price escaped as text');
    assert(out.includes('alt="&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"'), 'alt escaped as an attribute');
    eq((out.match(/href="#\/"/g) ?? []).length, 4, "refused URLs leave the template's href");
    assert(body.includes('<footer id="end">end</footer>'), 'rest of page intact');
  },
};

export const recommendationLimitsAndLayouts = {
  async test() {
    const wk = createWorker({ Hearth: hearth.Hearth, manifest, log: () => {} });
    eq(items(await through(wk, `<ul data-hearth-recommend="home" data-k="2">${CARD}</ul>`)).length, 2, 'data-k');
    eq(items(await through(wk, `<ul data-hearth-recommend="home" data-hearth-k="1" data-k="3">${CARD}</ul>`)).length, 1, 'data-hearth-k first');
    eq(items(await through(wk, `<ul data-hearth-recommend="home" data-k="x">${CARD}</ul>`)).length, 4, 'no k: the list (4 items in the catalog)');
    eq(items(await through(wk, `<ul data-hearth-recommend="home" data-k="50">${CARD}</ul>`)).length, 4, 'k past the catalog');
    // Only the first plain template renders; variant templates are not item templates.
    const two = await through(wk, `<div data-hearth-recommend="home" data-k="1"><template data-hearth-variant="v"><b>no</b></template>${CARD}<template><b>second</b></template></div>`);
    eq(items(two).length, 1, 'one item from the first plain template');
    assert(!/<b data-hearth-item/.test(two), 'neither the variant template nor the second one');
    // A container without a template: the first page guesses it has one (its default hidden, the
    // browser module renders it), then the worker knows and leaves it to the browser, as it shows it.
    const fresh = createWorker({ Hearth: hearth.Hearth, manifest, log: () => {} });
    const none = (b) => through(fresh, `<ul data-hearth-recommend="home"><li>Popular</li></ul>${b}`);
    const first = await none('');
    assert(first.includes('<li hidden="" data-hearth-default="hidden">Popular</li>') && !first.includes('data-hearth-item'), `first page: ${first}`);
    const second = await none('');
    assert(second.includes('<ul data-hearth-recommend="home"><li>Popular</li></ul>'), `then left as the origin sent it: ${second}`);
    // An empty list: the defaults stay, decided (the browser shows them too).
    const empty = workerWith((m) => (m.recommendations.home.exclude = []) && (m.catalog.items.length = 0));
    const e = await through(empty, `<ul data-hearth-recommend="home"><li class="empty">Nothing yet</li>${CARD}</ul>`).catch((x) => String(x));
    assert(!e.includes('data-hearth-item') && e.includes('<li class="empty">Nothing yet</li>'), `empty list keeps the default: ${e.slice(0, 400)}`);
  },
};

export const templatesWithNestingAndMissingEndTags = {
  async test() {
    // Nested elements, a nested <template> (inert: not filled), void elements, entities, and
    // elements the template leaves open: the inserted HTML is balanced.
    const tpl = `<template><li class="card"><div class="x"><a data-hearth-attr="href"><b>&amp; <i data-hearth-field="title">t</i></b><br><img data-hearth-artwork="tent-2p" alt=""></a><template><span data-hearth-field="title">inert</span></template><span data-hearth-field="price">p<em>e</em></span><p>open<span>open</template>`;
    const body = await through(w, `<ul data-hearth-recommend="home" data-k="2">${tpl}</ul><p id="after">after</p>`);
    const out = body.slice(body.indexOf('</template>', body.indexOf('<p>open')) + '</template>'.length, body.indexOf('<p id="after">'));
    eq(items(out).length, 2, `two items: ${out}`);
    assert(out.includes('<b>&amp; <i data-hearth-field="title">'), 'entities kept, nested field filled');
    assert(out.includes('<template><span data-hearth-field="title">inert</span></template>'), 'a nested template is not filled');
    assert(/<span data-hearth-field="price">\d+\.\d\d<\/span>/.test(out), 'a text field replaces nested markup, as textContent does');
    assert(/<p>open<span>open<\/span><\/p><\/div><\/li><\/ul>$/.test(out), `left-open elements closed: ${out.slice(-80)}`);
    eq((out.match(/data-hearth-artwork="tent-2p"/g) ?? []).length, 2, 'an explicit artwork id kept');
    assert(body.includes('<p id="after">after</p>') && body.includes('<footer id="end">end</footer>'), 'rest of page intact');

    // Missing end tags around the containers: nothing after them is hidden or lost.
    const cases = [
      // A <p> placement without </p>: the <header> ends it, as in the browser.
      `<p data-hearth-promotion="promo-bar"><span data-hearth-field="text">Default</span><header id="h">header</header><section><span data-hearth-field="text">outside</span></section>`,
      // A default <li> without </li> (the template is inside it, as the browser parses it too).
      `<ul data-hearth-recommend="home"><li class="empty">Browse<template><li>x</li></template></ul><div id="h">header</div>`,
      // An <li> container ended by the next <li>.
      `<ol><li data-hearth-recommend="home"><span>d</span>${CARD}<li id="h">next</ol>`,
      // An unclosed template: the browser keeps the rest inert; the edge changes nothing after it.
      `<ul data-hearth-recommend="home"><template><li><span data-hearth-field="title"></span><div id="h">rest</div>`,
    ];
    const promo = workerWith((m) => (m.promotions.everyone = { placement: 'promo-bar', label: 'Everyone', content: { text: 'For everyone', href: '/all', cta: 'Go' }, priority: 1, value: 1 }));
    for (const c of cases) {
      const b = await through(promo, c);
      assert(b.includes('<footer id="end">end</footer>'), `rest of page intact: ${b}`);
      assert(/id="h"/.test(b) && !/hidden[^>]*id="h"|id="h"[^>]*hidden/.test(b), `the element after the container is not hidden: ${b}`);
      assert(!b.includes('outside</span>') || b.includes('<span data-hearth-field="text">outside</span>'), `a field after the placement is not filled: ${b}`);
    }
  },
};

const EVERYONE = { placement: 'promo-bar', label: 'Everyone', content: { text: 'Free returns <b>&</b> "more"', href: '/returns', cta: 'How it works' }, priority: 1, value: 1 };
const PROMO = `<p class="promo" data-hearth-promotion="promo-bar">
  <span data-hearth-field="text">Free shipping.</span>
  <a data-hearth-field="cta" data-hearth-attr="href" href="#/shipping">Details</a>
  <button type="button" data-hearth-dismiss>×</button>
  <template data-hearth-variant="everyone"><span class="badge">All</span> <span data-hearth-field="text"></span> <a data-hearth-field="cta" data-hearth-attr="href" href="#/x"></a></template>
  <template data-hearth-variant="gold-members"><span class="badge gold">Gold</span></template>
</p>`;

export const promotionsFromTheTemplate = {
  async test() {
    const wk = workerWith((m) => (m.promotions.everyone = EVERYONE));
    // First page: the worker has not seen the placement, so it guesses the default markup (the
    // browser module renders the template over it); from then on it knows the template is there.
    const first = await through(wk, PROMO);
    assert(first.includes('data-hearth-ready="edge" data-hearth-variant="everyone" data-hearth-decided="everyone"'), `decided: ${first}`);
    assert(first.includes('<span data-hearth-field="text">Free returns &lt;b&gt;&amp;&lt;/b&gt; "more"</span>'), `default field filled (escaped): ${first}`);
    const second = await through(wk, PROMO);
        for (const tpl of PROMO.match(/<template[^]*?<\/template>/g)) assert(second.includes(tpl), `templates kept as sent: ${tpl}`);
    assert(second.includes('<span data-hearth-field="text" hidden="" data-hearth-default="hidden">Free shipping.</span>'), 'defaults hidden');
    assert(second.includes('<button type="button" data-hearth-dismiss hidden="" data-hearth-default="hidden">×</button>'), 'every default child');
    const rendered = '</template><span class="badge">All</span> <span data-hearth-field="text">Free returns &lt;b&gt;&amp;&lt;/b&gt; &quot;more&quot;</span> <a data-hearth-field="cta" data-hearth-attr="href" href="/returns">How it works</a>';
    assert(second.includes(rendered), `the chosen template rendered after itself: ${second}`);
    assert(second.includes('<template data-hearth-variant="gold-members"><span class="badge gold">Gold</span></template>\n</p>'), 'the other template kept, not rendered');
    assert(second.includes('<footer id="end">end</footer>'), 'rest of page intact');
    // Decided ahead (to collect only the chosen template), yet embedded only for a page that has it.
    const other = await through(wk, '<p>no placement</p>');
    eq(JSON.stringify(JSON.parse(/id="hearth-decisions"[^>]*>(.*?)<\/script>/s.exec(other)?.[1] ?? '{"promotions":{}}').promotions), '{}', 'not embedded');

    // A promotion without a template: the default markup filled, fields only, URLs checked.
    const plain = workerWith((m) => (m.promotions.everyone = { ...EVERYONE, content: { text: 'Plain', href: 'javascript:alert(1)', cta: 'Go' } }));
    const noTpl = PROMO.replace('data-hearth-variant="everyone"', 'data-hearth-variant="other"');
    for (let i = 0; i < 2; i++) {
      const b = await through(plain, noTpl);
      assert(b.includes('<span data-hearth-field="text">Plain</span>') && b.includes('href="#/shipping">Go</a>'), `fields filled, a javascript: URL refused: ${b}`);
      assert(!b.includes('data-hearth-default') && b.includes('<template data-hearth-variant="other"><span class="badge">All</span> <span data-hearth-field="text"></span>'), `templates untouched: ${b}`);
    }
    // Nothing chosen (the sample manifest, no consent): the defaults as sent, decided.
    const none = await through(w, PROMO);
    assert(none.includes('data-hearth-ready="edge" data-hearth-decided="">') && none.includes('<span data-hearth-field="text">Free shipping.</span>'), `no promotion: ${none}`);
  },
};

export const templateRendering = {
  test() {
    const tokens = [
      { t: 's', tag: 'a', attrs: [['data-hearth-attr', 'href alt:a'], ['title', 'x&amp;y"z'], ['href', '/d']] },
      { t: 's', tag: 'img', attrs: [['data-hearth-field', 'alt'], ['data-hearth-attr', 'src srcset']] },
      { t: 's', tag: 'span', attrs: [['data-hearth-field', 'n']] },
      { t: 'x', text: 'old' },
      { t: 'e' },
      { t: 's', tag: 'script', attrs: [['data-hearth-attr', 'src']] },
      { t: 'e' },
    ];
    const html = renderTemplate(tokens, { href: 'https://ok.example/p', alt: 'A "b"', a: 'n/a', src: '/i.png', srcset: '/i.png 2x', n: 5 });
    eq(html, '<a data-hearth-attr="href alt:a" title="x&amp;y&quot;z" href="https://ok.example/p" alt="n/a"><img data-hearth-field="alt" data-hearth-attr="src srcset" alt="A &quot;b&quot;" src="/i.png" srcset="/i.png 2x"><span data-hearth-field="n">5</span><script data-hearth-attr="src"></script></a>', 'fill');
    eq(safeAttr('a', 'href', 'mailto:x@y'), null, 'http(s) only, as in the browser');
    eq(safeAttr('script', 'src', '/x.js'), null, 'src only on img/source');
    eq(safeAttr('a', 'onclick', 'x'), null, 'allow-list');
    eq(safeAttr('a', 'href', 'x'.repeat(2049)), null, 'long URLs');
    eq(safeAttr('img', 'srcset', '/a.png 1x, /b.png 2x'), '/a.png 1x, /b.png 2x', 'srcset');
    eq(safeAttr('source', 'srcset', '/a.png 1x 2x'), null, 'srcset: one descriptor');
    eq(renderTemplate([{ t: 's', tag: 'b', attrs: [['data-hearth-field', 'o']] }, { t: 'x', text: 'keep' }, { t: 'e' }], { o: { x: 1 } }), '<b data-hearth-field="o">keep</b>', 'objects are not text');
  },
};

export const slotDefaultsGiveWayToTheChosenTemplate = {
  async test() {
    // js/dom.js replaces a slot's default content with the chosen variant's template. The defaults
    // stream by first, so a slot this isolate has not seen is left to the browser module (as sent,
    // undecided: it would otherwise show both); then the worker knows the templates.
    const wk = createWorker({ Hearth: hearth.Hearth, manifest, log: () => {} });
    const slot = `<section data-hearth-slot="hero"><h1 data-hearth-field="title">Default</h1>\n<template data-hearth-variant="classic"><h2 data-hearth-field="title"></h2></template><template data-hearth-variant="camp"><h2>camp</h2></template></section>`;
    const first = await through(wk, slot);
    assert(first.includes(slot) && !first.includes('data-hearth-decided'), `first page: the slot as sent, for the browser: ${first}`);
    const second = await through(wk, slot);
    assert(second.includes('<h1 data-hearth-field="title" hidden="" data-hearth-default="hidden">') && second.includes('<h2 data-hearth-field="title">Gear for every trail and road</h2>'), `then the defaults give way: ${second}`);
    assert(!second.includes('camp'), 'the other template removed');
    // A variant without a template: the defaults filled and shown.
    const noTpl = slot.replace('data-hearth-variant="classic"', 'data-hearth-variant="other"');
    const wk2 = createWorker({ Hearth: hearth.Hearth, manifest, log: () => {} });
    await through(wk2, noTpl); // its first page, left to the browser
    for (let i = 0; i < 2; i++) {
      const b = await through(wk2, noTpl);
      assert(b.includes('<h1 data-hearth-field="title">Gear for every trail and road</h1>') && !b.includes('data-hearth-default'), `no template for the variant: ${b}`);
    }
    // The page changed under a worker that knew it: one page hides the defaults (the browser module
    // shows them again), the next is right.
    assert((await through(wk, noTpl)).includes('data-hearth-default="hidden"'), 'stale once');
    assert(!(await through(wk, noTpl)).includes('data-hearth-default'), 'then learned');
    // A <p> slot without </p>: what follows is not hidden.
    const p = `<p data-hearth-slot="hero"><span>Default</span><template data-hearth-variant="classic"><b>c</b></template><div id="after">after</div>`;
    await through(wk, p);
    const b = await through(wk, p);
    assert(b.includes('<div id="after">after</div>') && b.includes('<span hidden="" data-hearth-default="hidden">Default</span>'), `a closer ends the slot: ${b}`);
  },
};

// ---- The rendered-page cache and the answer memo (src/cache.js) ----

/** An origin a shared cache could keep: a validator and a length. */
const cacheable = (body = PAGE, headers = {}) =>
  html(body, { 'Content-Length': String(new TextEncoder().encode(body).length), 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT', ...headers });
/** A returning visitor's Cookie header: full consent and a digest made from their views at `t` (their id fixes their decisions). */
function returningVisitor(m, items, t = Date.now()) {
  const s = hearth.Hearth.load(m).session({ storage: 'memory', clock: () => t });
  s.consent({ choices: { store: true, content: true, promotions: true, measure: true } });
  for (const i of items) s.view(i);
  const digest = s.digestCookie().split(';')[0];
  s.free();
  return `hearth_consent=store.content.promotions.measure; ${digest}`;
}
/** Fetches through `worker` and waits for what it keeps (ctx.waitUntil); `{res, body, how}`. */
async function visit(worker, request, make = () => cacheable(), env = {}) {
  const waits = [];
  const res = await worker.fetch(request, { ...origin(make), ...env }, { waitUntil: (p) => waits.push(p) });
  const body = await res.text();
  await Promise.all(waits);
  return { res, body, how: res.headers.get('X-Hearth-Cache') };
}
/** A `Hearth` whose sessions are counted: how many requests reached the engine. */
function counting() {
  const n = { sessions: 0 };
  const Hearth = { load: (m) => { const e = hearth.Hearth.load(m); return { session: (o) => (n.sessions++, e.session(o)) }; } };
  return { Hearth, n };
}
const MOBILE = { 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile' };
const DESKTOP = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130' };

export const renderCacheServesTheBytesARenderWouldWrite = {
  async test() {
    const t = Date.UTC(2026, 11, 5, 0, 30, 5); // a Saturday in UTC, still Friday an hour west
    const { Hearth, n } = counting();
    const cached = createWorker({ Hearth, manifest, now: () => t });
    const plain = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t, cache: false });
    const hows = [];
    for (let i = 0; i < 4; i++) {
      const a = await visit(cached, get('/c/trail', DESKTOP));
      const b = await visit(plain, get('/c/trail', DESKTOP));
      hows.push(a.how);
      eq(a.body, b.body, `request ${i} (${a.how}): the same bytes as rendering`);
      eq(b.how, null, 'cache off: no cache header');
      eq(a.res.headers.get('Cache-Control'), 'private', 'still private');
    }
    // The first pages teach the worker the layout (a new layout is a new key); then it hits.
    eq(hows.at(-1), 'hit', `served from the cache at last: ${hows}`);
    const sessions = n.sessions;
    const again = await visit(cached, get('/c/trail', DESKTOP));
    eq(again.how, 'hit', 'hit');
    eq(n.sessions, sessions, 'the same request within the minute does not reach the engine');
    assert(again.body.includes('Weekend deals on now'), 'the weekend banner');
    // Another context decides again, and gets what rendering gives it: here, other decisions.
    const west = { ...MOBILE, 'X-Hearth-UTC-Offset': '-60' };
    for (let i = 0; i < 2; i++) {
      const a = await visit(cached, get('/c/trail', west));
      const b = await visit(plain, get('/c/trail', west));
      eq(a.body, b.body, `request ${i} from the west (${a.how}): the same bytes as rendering`);
      assert(a.body.includes('Free returns for 60 days') && !a.body.includes('Weekend deals'), 'still Friday there');
    }
    eq(n.sessions, sessions + 1, 'a new context reaches the engine once, then its answer is remembered');
  },
};

export const renderCacheFollowsTheOriginAndTheClock = {
  async test() {
    let t = Date.UTC(2026, 11, 1, 10, 0, 5);
    const { Hearth, n } = counting();
    const cached = createWorker({ Hearth, manifest, now: () => t });
    for (let i = 0; i < 3; i++) await visit(cached, get('/'));
    eq((await visit(cached, get('/'))).how, 'hit', 'warm');
    // A new origin page (new validator) is rendered, not served from what the old one gave, once
    // the kept one is stale (the origin said max-age=300): before, the origin is not asked.
    const changed = PAGE.replace('<footer id="end">end</footer>', '<footer id="end">new footer</footer>');
    let asked = 0;
    const newPage = () => (asked++, cacheable(changed, { 'Last-Modified': 'Tue, 01 Dec 2026 11:00:00 GMT' }));
    const kept = await visit(cached, get('/'), newPage);
    eq([kept.how, asked], ['hit', 0], 'fresh: the kept page, the origin not asked');
    t += 300_001;
    const fresh = await visit(cached, get('/'), newPage);
    eq([fresh.how, asked], ['miss', 1], 'stale: a changed page is rendered');
    assert(fresh.body.includes('new footer'), 'with its new content');
    // Past the minute the engine is asked again (the decisions may change with the clock).
    const sessions = n.sessions;
    t += 60_000;
    const later = await visit(cached, get('/'));
    assert(later.how === 'hit' || later.how === 'miss', later.how);
    eq(n.sessions, sessions + 1, 'decided again after stableUntil');
  },
};

export const renderCacheOnlyForPagesASharedCacheCouldKeep = {
  async test() {
    const cached = createWorker({ Hearth: hearth.Hearth, manifest });
    const cases = {
      private: { 'Cache-Control': 'private, max-age=60' },
      'no-store': { 'Cache-Control': 'no-store' },
      'no-cache': { 'Cache-Control': 'no-cache' },
      'Set-Cookie': { 'Set-Cookie': 'session=1' },
      'Vary: Cookie': { Vary: 'Accept-Encoding, Cookie' },
    };
    for (const [name, headers] of Object.entries(cases)) {
      for (let i = 0; i < 3; i++) eq((await visit(cached, get('/'), () => cacheable(PAGE, headers))).how, 'bypass', `${name} (${i})`);
    }
    for (let i = 0; i < 3; i++) eq((await visit(cached, get('/'), () => html())).how, 'bypass', 'no Content-Length');
    const noValidator = () => new Response(PAGE, { headers: { 'Content-Type': 'text/html', 'Content-Length': String(new TextEncoder().encode(PAGE).length) } });
    for (let i = 0; i < 3; i++) eq((await visit(cached, get('/'), noValidator)).how, 'bypass', 'no validator');
    // Visitors decided from their profile never get a page kept whole (at most a shell, filled for them).
    const cookie = { Cookie: 'hearth_consent=store.content.promotions.measure' };
    for (let i = 0; i < 3; i++) assert(['miss', 'shell'].includes((await visit(cached, get('/', cookie))).how), 'profile visitors');
  },
};

export const renderCacheKeepsPerRequestHeaders = {
  async test() {
    const cached = createWorker({ Hearth: hearth.Hearth, manifest });
    const cookie = { Cookie: 'hearth_consent=withdrawn; hearth=abc' };
    const hows = [];
    for (let i = 0; i < 4; i++) {
      const r = await visit(cached, get('/', cookie));
      hows.push(r.how);
      eq(r.res.headers.get('Set-Cookie'), 'hearth=; Max-Age=0; Path=/; Secure; SameSite=Lax', `the digest is deleted (${r.how})`);
      eq(r.res.headers.get('X-Hearth'), 'contextual', 'contextual');
    }
    eq(hows.at(-1), 'hit', `hit: ${hows}`);
    const none = await visit(cached, get('/'));
    eq(none.res.headers.get('Set-Cookie'), null, `no cookie for a visitor without one (${none.how})`);
  },
};

export const cacheLimitsAndExpiry = {
  test() {
    const memo = answerMemo({ answers: 2 });
    const a = { until: 60_000, text: 'A', mode: 'contextual', setCookie: null };
    memo.put('k1', 'p', 1_000, a);
    eq(memo.get('k1', 'p', 59_999)?.text, 'A', 'valid before until');
    eq(memo.get('k1', 'p', 60_000), null, 'not at until');
    eq(memo.get('k1', 'other page', 1_000), null, 'per page');
    memo.put('k2', 'p', 2_000, a);
    memo.put('k3', 'p', 3_000, a);
    eq(memo.size(), 2, 'capped');
    eq(memo.known('k1', 3_000), false, 'the oldest went');
    memo.put('k4', 'p', 60_000, { ...a, until: 120_000 });
    eq(memo.size(), 1, 'entries past their time are dropped, not kept until evicted');

    const c = renderCache({ pages: 2, variants: 2, bytes: 10 });
    const bytes = (n) => new Blob([new Uint8Array(n)]);
    c.store('p1', [], 'x', bytes(4));
    c.store('p1', [], 'y', bytes(4));
    c.store('p1', [], 'z', bytes(1));
    eq(c.get('p1', 'x'), null, 'a page keeps its newest variants');
    eq(c.get('p1', 'z')?.size, 1, 'newest kept');
    c.store('p2', [], 'x', bytes(2));
    c.get('p1', 'y'); // p1 used last
    c.store('p3', [], 'x', bytes(2));
    eq(c.get('p2', 'x'), null, 'the least recently used page goes');
    eq(c.stats().bytes, 7, 'bytes counted');
    c.store('p4', [], 'x', bytes(9));
    assert(c.stats().bytes <= 10, `byte cap: ${JSON.stringify(c.stats())}`);
    c.store('p5', [], 'x', bytes(11));
    eq(c.get('p5', 'x'), null, 'larger than the cap: not kept');

    const req = new Request('https://shop.example/a?b=1');
    const key = (h) => pageKey(originKey(req, new Response('x', { headers: { 'Content-Length': '1', ...h } })), 0);
    assert(key({ ETag: '"1"' }) !== key({ ETag: '"2"' }), 'the validator is in the key');
    eq(key({}), null, 'no validator');
    assert(pageKey(originKey(req, new Response('x', { headers: { 'Content-Length': '1', ETag: '"1"' } })), 1) !== key({ ETag: '"1"' }), 'the layout generation is in the key');
    assert(key({ ETag: '"1"', Vary: 'accept-encoding' }) !== null, 'Vary: Accept-Encoding is fine');
    eq(key({ ETag: '"1"', 'Cache-Control': 'public, no-cache' }), null, 'no-cache');
  },
};

/** Runs `f` with HTMLRewriter handler calls (element, text, comments and end tags) and rewriters made counted. */
async function countingCalls(f) {
  const Real = globalThis.HTMLRewriter;
  const n = { calls: 0, made: 0 };
  const wrapEl = (el) => {
    const onEndTag = el.onEndTag.bind(el);
    el.onEndTag = (h) => onEndTag((end) => (n.calls++, h(end)));
    return el;
  };
  const wrap = (h) => ({
    ...(h.element && { element: (el) => (n.calls++, h.element(wrapEl(el))) }),
    ...(h.text && { text: (t) => (n.calls++, h.text(t)) }),
    ...(h.end && { end: (e) => (n.calls++, h.end(e)) }),
  });
  globalThis.HTMLRewriter = class extends Real {
    constructor() {
      super();
      n.made++;
    }
    on(sel, h) {
      return super.on(sel, wrap(h));
    }
    onDocument(h) {
      return super.onDocument(wrap(h));
    }
  };
  try {
    await f(n);
  } finally {
    globalThis.HTMLRewriter = Real;
  }
}

export const knownTemplatesRenderTheSameWithFewerCalls = {
  async test() {
    const m = structuredClone(manifest);
    m.promotions.everyone = EVERYONE;
    const body = page(`${PROMO}<ul data-hearth-recommend="home" data-k="3"><li>…</li>${CARD}</ul>`);
    const cached = createWorker({ Hearth: hearth.Hearth, manifest: m });
    const plain = createWorker({ Hearth: hearth.Hearth, manifest: m, cache: false });
    // A consented visitor with a profile: rendered for each request, from templates read once.
    const consent = 'hearth_consent=store.content.promotions.measure';
    const first = await createWorker({ Hearth: hearth.Hearth, manifest: m }).fetch(get('/', { Cookie: consent }), origin(() => cacheable(body)));
    await first.text();
    const cookie = { Cookie: `${consent}; ${first.headers.get('Set-Cookie').split(';')[0]}` }; // one returning visitor
    const calls = [];
    await countingCalls(async (n) => {
      for (let i = 0; i < 4; i++) {
        const before = n.calls;
        const a = await visit(cached, get('/', cookie), () => cacheable(body), { HEARTH_RENDER_CACHE: 'off' });
        calls.push(n.calls - before);
        const b = await visit(plain, get('/', cookie), () => cacheable(body));
        eq(a.how, null, 'rendered');
        eq(a.body, b.body, `request ${i}: the same page as reading the templates`);
        assert(a.body.includes('data-hearth-item='), 'items rendered');
      }
    });
    // The first page reads the templates; the third (the layout learned on the second) reuses them.
    assert(calls[2] < calls[0] - 10 && calls[3] === calls[2], `handler calls per page: ${calls}`);
  },
};

export const listItemsRenderedOnceForEveryone = {
  test() {
    // renderList keeps each item's HTML by what it shows (fields, reason, artwork decision): what
    // it gives back must be what rendering gives, and change with any of them.
    const tokens = [
      { t: 's', tag: 'li', attrs: [] },
      { t: 's', tag: 'img', attrs: [['data-hearth-artwork', ''], ['alt', '']] },
      { t: 's', tag: 'span', attrs: [['data-hearth-field', 'reason']] },
      { t: 'e' },
      { t: 's', tag: 'b', attrs: [['data-hearth-field', 'price']] },
      { t: 'e' },
      { t: 'e' },
    ];
    const arts = { a: { artwork: 'a1', content: { src: '/a1.svg', alt: 'A <1>' } }, b: { artwork: 'b1', content: { src: '/b1.svg' } } };
    const page = { listArtworks: () => (i) => arts[i] };
    const rec = (item, reason, price = '9.00') => ({ item, title: item, reason, content: { price } });
    const direct = (recs) => recs.map((r) => renderTemplate(tokens, { ...r.content, title: r.title, reason: r.reason, item: r.item }, { item: r.item, artwork: (i) => arts[i] })).join('');
    const list = (recs) => renderList(page, { list: 'home', k: 0, tokens }, recs);
    const first = [rec('a', 'because you like X'), rec('b', 'popular <now>')];
    const once = list(first);
    eq(once, direct(first), 'as rendered');
    eq(list(first), once, 'and again, from what was kept');
    for (const [what, recs] of [
      ['another reason', [rec('a', 'because you like Y'), first[1]]],
      ['another field', [rec('a', 'because you like X', '8.00'), first[1]]],
    ]) {
      const out = list(recs);
      eq(out, direct(recs), what);
      assert(out !== once, `${what} changes the HTML`);
    }
    arts.a = { artwork: 'a2', content: { src: '/a2.svg' } };
    const out = list(first);
    eq(out, direct(first), 'another artwork decision');
    assert(out.includes('/a2.svg') && !out.includes('/a1.svg'), 'the new artwork, not the kept one');
  },
};

export const decisionsTextFollowsWhatWasDecided = {
  test() {
    // The decisions script's text is made once per change of what was decided.
    const calls = [];
    const prepared = {
      decide: (id) => (calls.push(id), { slot: id, variant: `v-${id}` }),
      promotions: (p) => ({ placement: p, chosen: [] }),
    };
    const page = lazyAnswer(prepared);
    eq(page.text(), 'null', 'nothing decided');
    page.slot('hero');
    const one = page.text();
    eq(JSON.parse(one).slots.hero.variant, 'v-hero', 'the slot');
    assert(page.text() === one, 'the same text while nothing more is decided');
    page.slot('hero');
    eq(calls, ['hero'], 'decided once');
    page.promotion('bar', true);
    assert(!('bar' in JSON.parse(page.text()).promotions), 'a peeked placement is not in the answer');
    page.promotion('bar');
    assert('bar' in JSON.parse(page.text()).promotions, 'once met, it is');
    page.slot('banner');
    eq(Object.keys(JSON.parse(page.text()).slots), ['hero', 'banner'], 'and each new decision');
  },
};

export const aRequestWithoutAcceptIsPersonalizedToo = {
  async test() {
    // curl, bots and some clients send no `Accept: text/html`: their HTML page is read and
    // decided once the origin says it is HTML, kept or not, and nothing is logged as a failure.
    const logs = [];
    const wk = createWorker({ Hearth: hearth.Hearth, manifest, log: (l) => logs.push(l) });
    const bare = () => new Request('https://shop.example/', { headers: { 'User-Agent': 'curl/8' } });
    const hows = [];
    for (let i = 0; i < 4; i++) {
      const r = await visit(wk, bare());
      eq(r.res.headers.get('X-Hearth'), 'contextual', `request ${i} decided`);
      assert(r.body.includes('data-hearth-decided'), `request ${i} personalized`);
      hows.push(r.how);
    }
    assert(hows.slice(1).includes('hit'), `later ones from what was kept: ${hows}`);
    eq(logs, [], 'no failure logged');
  },
};

export const aRequestFreesWhatItMadeInWasm = {
  async test() {
    // Each request makes a session and a prepared page in Wasm. Left to the garbage collector,
    // their memory would pile up under load (a few KB each), and Wasm memory never shrinks.
    const wk = createWorker({ Hearth: hearth.Hearth, manifest });
    // A returning visitor (their digest fixes their id, hence their decisions and their shell).
    const consented = get('/', { Cookie: returningVisitor(manifest, ['shoe-ridge'], Date.now() - 3_600_000) });
    const hows = new Set();
    for (let i = 0; i < 20; i++) hows.add((await visit(wk, consented.clone())).how);
    assert(hows.has('shell'), `served from a shell, the common case: ${[...hows]}`);
    const before = wasmMemory().buffer.byteLength;
    for (let i = 0; i < 3000; i++) {
      const r = await visit(wk, consented.clone());
      if (r.how !== 'shell') throw new Error(`request ${i}: ${r.how}, not from the shell`);
    }
    const grown = wasmMemory().buffer.byteLength - before;
    assert(grown < 1024 * 1024, `3000 requests grew the Wasm memory by ${grown} bytes`);
    // Pages rendered as they stream (nothing kept: `cache: false`, as for an origin page marked
    // private), with a visitor's decisions and without: freed once the rendering ends.
    const rendering = createWorker({ Hearth: hearth.Hearth, manifest, cache: false });
    const at = wasmMemory().buffer.byteLength;
    for (let i = 0; i < 1500; i++) {
      const r = await visit(rendering, i % 2 ? consented.clone() : get('/'));
      if (i < 2) eq(r.how, null, 'rendered, not served from anything kept');
    }
    const more = wasmMemory().buffer.byteLength - at;
    assert(more < 1024 * 1024, `1500 rendered pages grew the Wasm memory by ${more} bytes`);
  },
};

export const shellsFillEachVisitorsOwnDecisions = {
  async test() {
    const m = structuredClone(manifest);
    m.promotions.everyone = EVERYONE;
    const body = page(`${PROMO}<ul data-hearth-recommend="home" data-k="3"><li>…</li>${CARD}</ul><ul data-hearth-recommend="home"><template><li data-hearth-field="title"></li></template></ul><img data-hearth-artwork="shoe-ridge" src="/a.svg" alt="">`);
    const t = Date.UTC(2026, 11, 5, 12, 0, 0);
    const cached = createWorker({ Hearth: hearth.Hearth, manifest: m, now: () => t });
    const plain = createWorker({ Hearth: hearth.Hearth, manifest: m, now: () => t, cache: false });
    // Returning visitors with different interests (their digests carry them).
    const digest = (items) => returningVisitor(m, items, t - 3_600_000);
    const visitors = [digest(['shoe-ridge', 'shoe-ridge', 'vest-trail']), digest(['tent-2p', 'tent-2p', 'stove-camp']), digest([])];
    const hows = [];
    const seen = new Set();
    await countingCalls(async (n) => {
      for (let round = 0; round < 3; round++) {
        for (const v of visitors) {
          const cookie = { Cookie: v };
          const before = n.calls;
          const a = await visit(cached, get('/', cookie), () => cacheable(body));
          if (a.how === 'shell') eq(n.calls - before, 0, 'a shell is filled without the rewriter');
          const b = await visit(plain, get('/', cookie), () => cacheable(body));
          hows.push(a.how);
          eq(a.body, b.body, `round ${round} (${a.how}): the same bytes as rendering`);
          seen.add(/data-hearth-recommend="home" data-k="3"[^>]*data-hearth-decided="([^"]*)"/.exec(a.body)?.[1]);
        }
      }
    });
    assert(seen.size >= 2, `visitors got different lists: ${[...seen].join(' | ')}`);
    assert(hows.slice(-3).every((h) => h === 'shell'), `filled from shells at last: ${hows}`);
    assert(!hows.includes('hit'), 'no profile visitor is served a page kept whole');
  },
};

export const anEngineFailingLaterNeverBreaksACachedPage = {
  async test() {
    // An engine whose prepared pages start throwing once the cache is warm: replaying a kept
    // page's decisions fails, the page goes out with what could be decided (as the origin sent
    // the rest), nothing broken is kept, and the log names no visitor data.
    let failing = false;
    const logs = [];
    const wrap = (p) => new Proxy(p, {
      get(target, name) {
        const v = Reflect.get(target, name);
        if (typeof v !== 'function') return v;
        return (...args) => {
          if (failing && ['decide', 'recommend', 'artworks', 'promotions'].includes(name)) throw new Error(`RuntimeError: unreachable SECRET-${String(args[0])}`);
          return v.apply(target, args);
        };
      },
    });
    const Hearth = { load: (m) => { const e = hearth.Hearth.load(m); return { session: (o) => { const s = e.session(o); return new Proxy(s, { get: (t, n) => (n === 'prepare' ? (c) => wrap(t.prepare(c)) : typeof t[n] === 'function' ? t[n].bind(t) : t[n]) }); } }; } };
    const wk = createWorker({ Hearth, manifest, log: (l) => logs.push(l) });
    const cookie = { Cookie: 'hearth_consent=store.content.promotions.measure' };
    for (let i = 0; i < 3; i++) {
      await visit(wk, get('/'));
      await visit(wk, get('/', cookie));
    }
    eq((await visit(wk, get('/x'))).how, 'miss', 'another page, rendered');
    failing = true;
    for (const headers of [{}, cookie]) {
      const r = await visit(wk, get('/', headers));
      eq(r.res.status, 200, 'the page goes out');
      assert(r.body.includes('<footer id="end">end</footer>'), `the rest of the page intact: ${r.how}`);
      assert(!r.body.includes('data-hearth-decided="classic"') || r.how === 'hit', 'no decision made after the failure');
    }
    assert(logs.length > 0 && logs.every((l) => !l.includes('SECRET') && !l.includes('hearth_consent')), `logged without data: ${logs}`);
    failing = false;
    const again = await visit(wk, get('/', cookie));
    eq(again.res.status, 200, 'and it recovers');
    assert(again.body.includes('data-hearth-decided'), 'decided again');
  },
};

export const aBurstOfMissesRendersOneShell = {
  async test() {
    const wk = createWorker({ Hearth: hearth.Hearth, manifest });
    const cookie = { Cookie: 'hearth_consent=store.content.promotions.measure' };
    await visit(wk, get('/'));
    await visit(wk, get('/')); // the page is known and its layout learned
    await countingCalls(async (n) => {
      const waits = [];
      const all = await Promise.all([0, 1, 2, 3].map(() => wk.fetch(get('/', cookie), origin(() => cacheable()), { waitUntil: (p) => waits.push(p) })));
      await Promise.all(all.map((r) => r.text()));
      await Promise.all(waits);
      eq(n.made, 4 + 1, 'four pages rewritten for their visitors, and one shell');
    });
  },
};

/**
 * An origin that honours conditional requests (static.js `notModified`, as web servers do), and
 * notes what each request asked: `{conditional, status}`.
 */
/** An origin that answers conditions (`state.seen` lists what it was asked); its pages say `max-age=0` (kept, but asked every time) unless `state.headers` says otherwise. */
function revalidatingOrigin(state) {
  return async (req) => {
    let res = cacheable(state.body, { 'Cache-Control': 'public, max-age=0', ...state.headers });
    if (state.headers.ETag === undefined) {
      const h = new Headers(res.headers);
      h.delete('ETag'); // validated by Last-Modified alone
      res = new Response(res.body, { headers: h });
    }
    const conditional = req.headers.get('If-None-Match') ?? req.headers.get('If-Modified-Since');
    const status = notModified(req.headers, res.headers) ? 304 : 200;
    state.seen.push({ conditional, status });
    if (status === 304) {
      const h = new Headers(res.headers);
      h.delete('Content-Length');
      return new Response(null, { status: 304, headers: h });
    }
    return res;
  };
}

export const notModifiedFollowsRfc9110 = {
  test() {
    const res = new Headers({ ETag: '"v1"', 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT' });
    const ask = (h) => notModified(new Headers(h), res);
    eq(ask({}), false, 'no condition');
    eq(ask({ 'If-None-Match': '"v1"' }), true, 'same tag');
    eq(ask({ 'If-None-Match': 'W/"v1"' }), true, 'weak comparison');
    eq(ask({ 'If-None-Match': '"v0", "v1"' }), true, 'one of a list');
    eq(ask({ 'If-None-Match': '*' }), true, 'any');
    eq(ask({ 'If-None-Match': '"v2"', 'If-Modified-Since': 'Tue, 01 Dec 2026 11:00:00 GMT' }), false, 'If-None-Match decides when present');
    eq(ask({ 'If-Modified-Since': 'Tue, 01 Dec 2026 10:00:00 GMT' }), true, 'not modified since');
    eq(ask({ 'If-Modified-Since': 'Tue, 01 Dec 2026 09:59:59 GMT' }), false, 'modified since');
    eq(ask({ 'If-Modified-Since': 'yesterday-ish' }), false, 'a bad date is no condition');
  },
};

export const keptPagesAreRevalidatedNotRefetched = {
  async test() {
    const t = Date.UTC(2026, 11, 5, 0, 30, 5); // a Saturday in UTC, still Friday an hour west
    const cached = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t });
    const plain = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t, cache: false });
    const state = { body: PAGE, headers: {}, seen: [] };
    const make = revalidatingOrigin(state);
    const both = async (headers = {}) => {
      const a = await visit(cached, get('/', headers), make);
      const b = await visit(plain, get('/', headers), () => cacheable(state.body, state.headers));
      eq(a.body, b.body, `the same bytes as rendering (${a.how}, origin ${JSON.stringify(state.seen.at(-1))})`);
      return a;
    };
    const hows = [];
    for (let i = 0; i < 4; i++) hows.push((await both()).how);
    eq(hows.at(-1), 'hit', `warm: ${hows}`);
    const last = state.seen.at(-1);
    eq(last.conditional, 'Tue, 01 Dec 2026 10:00:00 GMT', 'a kept page is revalidated with its Last-Modified');
    eq(last.status, 304, 'and the origin sends no body');
    const hit = await visit(cached, get('/'), make);
    eq(hit.res.status, 200, 'the visitor gets the page, not the 304');
    eq(hit.res.headers.get('Content-Type'), 'text/html; charset=utf-8', 'with the page head noted before');
    eq(hit.res.headers.get('Cache-Control'), 'private', 'private');
    eq(hit.res.headers.get('Last-Modified'), null, 'without the origin validators');
    eq(hit.res.headers.get('X-Hearth'), 'contextual', 'contextual');

    // Another context: nothing kept serves it yet, so the origin is asked for the page itself.
    const west = { ...MOBILE, 'X-Hearth-UTC-Offset': '-60' };
    const n = state.seen.length;
    const other = await both(west);
    eq(other.how, 'miss', 'a new context is rendered');
    eq(state.seen[n].conditional, null, 'from an unconditional fetch');

    // A request with conditions of its own is left to them: its 304 is the origin's answer to it.
    state.seen.length = 0;
    const own = await visit(cached, get('/', { 'If-Modified-Since': 'Tue, 01 Dec 2026 10:30:00 GMT' }), make);
    eq(own.res.status, 304, "the client's own 304 passes through");
    eq(state.seen[0].conditional, 'Tue, 01 Dec 2026 10:30:00 GMT', 'with its own date, not the kept page\'s');

    // A changed page answers the condition with itself, and is rendered.
    state.body = PAGE.replace('<footer id="end">end</footer>', '<footer id="end">new footer</footer>');
    state.headers = { 'Last-Modified': 'Tue, 01 Dec 2026 11:00:00 GMT' };
    const changed = await both();
    eq(changed.how, 'miss', 'a changed page is rendered');
    eq(state.seen.at(-1).status, 200, 'the origin sent it whole');
    assert(changed.body.includes('new footer'), 'with its new content');
    for (let i = 0; i < 3; i++) await both();
    eq(state.seen.at(-1).conditional, 'Tue, 01 Dec 2026 11:00:00 GMT', 'the new page is revalidated by its own date');

    // An ETag is revalidated with If-None-Match.
    state.headers = { 'Last-Modified': 'Tue, 01 Dec 2026 12:00:00 GMT', ETag: '"page-3"' };
    for (let i = 0; i < 4; i++) await both();
    eq(state.seen.at(-1).conditional, '"page-3"', 'If-None-Match');
    eq(state.seen.at(-1).status, 304, 'not modified');
  },
};

export const freshPagesNeedNoOrigin = {
  async test() {
    let t = Date.UTC(2026, 11, 5, 12, 0, 5);
    const cached = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t });
    const plain = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t, cache: false });
    const state = { body: PAGE, headers: { 'Cache-Control': 'public, max-age=60' }, seen: [] };
    const make = revalidatingOrigin(state);
    const both = async (headers = {}) => {
      const a = await visit(cached, get('/', headers), make);
      const b = await visit(plain, get('/', headers), () => cacheable(state.body, state.headers));
      eq(a.body, b.body, `the same bytes as rendering (${a.how})`);
      return a;
    };
    for (let i = 0; i < 4; i++) await both();
    const asked = () => state.seen.length;
    let n = asked();
    const hit = await both();
    eq([hit.how, asked()], ['hit', n], 'within max-age the kept page goes out and the origin is not asked');
    eq([hit.res.headers.get('Cache-Control'), hit.res.headers.get('Last-Modified'), hit.res.headers.get('Age')], ['private', null, null], 'private, without validators');
    // A request that asks for a current page gets one the origin confirmed (RFC 9111 5.2.1.4, 3.5).
    for (const h of [{ 'Cache-Control': 'no-cache' }, { 'Cache-Control': 'max-age=0' }, { Pragma: 'no-cache' }, { Authorization: 'Basic eDp5' }]) {
      n = asked();
      const a = await both(h);
      eq([a.how, asked(), state.seen.at(-1).status], ['hit', n + 1, 304], `${JSON.stringify(h)}: revalidated`);
    }
    // A request with cookies of the site's own is revalidated (the origin may answer it with another
    // page, without a Vary to say so); hearth's own cookies do not count.
    n = asked();
    eq([(await both({ Cookie: 'session=abc' })).how, asked()], ['hit', n + 1], 'a site cookie: revalidated');
    eq([(await both({ Cookie: 'hearth_consent=none' })).how, asked()], ['hit', n + 1], "hearth's own cookie: not");
    // Past max-age the origin is asked whether the page changed; its 304 makes it fresh again.
    t += 60_001;
    n = asked();
    eq((await both()).how, 'hit', 'stale: still kept');
    eq([asked(), state.seen.at(-1).status], [n + 1, 304], 'after a 304');
    eq([(await both()).how, asked()], ['hit', n + 1], 'fresh again: not asked');
    // A page first given to a request with site cookies is never fresh for anyone: it may be theirs.
    t += 60_001;
    state.headers = { 'Cache-Control': 'public, max-age=60', 'Last-Modified': 'Tue, 01 Dec 2026 13:00:00 GMT' };
    for (let i = 0; i < 4; i++) await both({ Cookie: 'session=abc' });
    n = asked();
    eq([(await both()).how, asked()], ['hit', n + 1], "a cookie visitor's page: revalidated");
    eq([(await both()).how, asked()], ['hit', n + 1], 'then fresh, from that anonymous 304');
    // An origin page already as old as its max-age (Age), or with s-maxage=0, is asked every time.
    for (const headers of [{ 'Cache-Control': 'public, max-age=60', Age: '60' }, { 'Cache-Control': 'public, max-age=60, s-maxage=0' }]) {
      state.headers = { ...headers, 'Last-Modified': `Tue, 01 Dec 2026 1${Object.keys(headers).length}:00:00 GMT` };
      t += 60_001;
      for (let i = 0; i < 4; i++) await both();
      n = asked();
      eq([(await both()).how, asked()], ['hit', n + 1], `${JSON.stringify(headers)}: revalidated`);
    }
  },
};

export const freshnessAsRfc9111 = {
  test() {
    eq(freshFor('public, max-age=60'), 60_000, 'max-age');
    eq(freshFor('max-age=60, s-maxage=5'), 5_000, 's-maxage first');
    eq(freshFor('max-age="30"'), 30_000, 'quoted');
    eq(freshFor('public, max-age=60', '50'), 10_000, 'less its Age');
    eq(freshFor('public, max-age=60', '600'), 0, 'never below 0');
    eq(freshFor('public, max-age=60', 'soon'), 60_000, 'a bad Age is none');
    eq(freshFor('public'), 0, 'none given');
    eq(freshFor(null), 0, 'no header');
    eq(freshFor('xmax-age=60'), 0, 'a whole directive only');
    const ok = (h) => acceptsStored(new Headers(h));
    eq(ok({}), true, 'a plain request');
    eq(ok({ 'Cache-Control': 'max-age=10' }), true, 'max-age=10 accepts a page that fresh');
    eq(ok({ 'Cache-Control': 'max-age=0' }), false, 'max-age=0');
    eq(ok({ 'Cache-Control': 'max-age=00, private' }), false, 'max-age=00');
    eq(ok({ 'Cache-Control': 'No-Cache' }), false, 'no-cache');
    eq(ok({ Pragma: 'no-cache' }), false, 'Pragma');
    eq(ok({ Authorization: 'Bearer x' }), false, 'Authorization');
  },
};

export const revalidatedShellsAndSlowOrigins = {
  async test() {
    const t = Date.UTC(2026, 11, 5, 12, 0, 5);
    const cached = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t });
    const plain = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t, cache: false });
    const state = { body: PAGE, headers: {}, seen: [] };
    const make = revalidatingOrigin(state);
    // A profile visitor's page comes from a shell, the origin revalidated.
    const cookie = { Cookie: returningVisitor(manifest, ['tent-2p'], t - 3_600_000) };
    const hows = [];
    for (let i = 0; i < 4; i++) {
      const a = await visit(cached, get('/', cookie), make);
      const b = await visit(plain, get('/', cookie), () => cacheable());
      eq(a.body, b.body, `the same bytes as rendering (${a.how})`);
      hows.push(a.how);
    }
    eq(hows.at(-1), 'shell', `from a shell at last: ${hows}`);
    eq(state.seen.at(-1).status, 304, 'revalidated');
    // An origin slower than the budget: its late 304 (to hearth's own condition) still gets the kept page.
    const slow = async (req) => {
      await new Promise((r) => setTimeout(r, 50));
      return make(req);
    };
    for (let i = 0; i < 3; i++) await visit(cached, get('/'), make);
    const late = await visit(cached, get('/'), slow, { HEARTH_ORIGIN_BUDGET_MS: '5' });
    eq(state.seen.at(-1).status, 304, 'the origin answered the condition late');
    eq(late.res.status, 200, 'the visitor still gets a page');
    eq(late.how, 'hit', 'the kept one');
    assert(late.body.includes('<footer id="end">end</footer>'), 'whole');
  },
};

export const theCompiledManifestRendersWhatItsJsonRenders = {
  async test() {
    // What index.js bundles (worker/build.sh compiles it) against the JSON the other tests use.
    assert(compiledManifest instanceof ArrayBuffer, 'a data module is an ArrayBuffer');
    const t = Date.UTC(2026, 11, 5, 12, 0, 5);
    const fromBin = createWorker({ Hearth: hearth.Hearth, manifest: compiledManifest, now: () => t, cache: false });
    const fromJson = createWorker({ Hearth: hearth.Hearth, manifest, now: () => t, cache: false });
    // A returning visitor's digest fixes their id (a new visitor's is random, and so would be their exploration).
    const cookie = { Cookie: returningVisitor(manifest, ['tent-2p'], t - 3_600_000) };
    for (const headers of [{}, cookie, { 'X-Hearth-UTC-Offset': '-60' }]) {
      const a = await visit(fromBin, get('/', headers));
      const b = await visit(fromJson, get('/', headers));
      eq(a.body, b.body, `the same page (${JSON.stringify(headers)})`);
      assert(a.body.includes('data-hearth-decided'), 'decided');
    }
  },
};
