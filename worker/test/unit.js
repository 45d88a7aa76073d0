// `workerd test worker/test/unit.capnp`: unit tests inside workerd itself (real HTMLRewriter,
// real Wasm module). Each export with a test() is one test; a throw fails it.
import * as hearth from '../build/hearth/workerd.js';
import manifest from '../build/manifest.json';
import scenario from '../data/scenario.json';
import expected from '../data/expected.txt';
import { createWorker, replayScenario } from '../src/worker.js';
import { readConsent, parseCookies, requestContext, forwardedCookieHeader } from '../src/consent.js';
import { safeUrl, attrValue, scriptJson } from '../src/rewrite.js';

function assert(ok, msg) {
  if (!ok) throw new Error(`assertion failed: ${msg}`);
}
function eq(a, b, msg) {
  if (a !== b) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
}

const PAGE = `<!doctype html><html><head><title>t</title></head><body>
<header data-hearth-slot="banner"><p data-hearth-text="title">x</p></header>
<section data-hearth-slot="hero"><template data-hearth-variant="classic"><h1>classic</h1></template><template data-hearth-variant="trail"><h1>trail</h1></template><template data-hearth-variant="camp"><h1>camp</h1></template></section>
<img data-hearth-artwork="shoe-ridge" src="/studio.svg" alt="a">
<div data-hearth-promotion="promo-bar"></div>
<ul data-hearth-recommend="home" data-hearth-k="2"><li>…</li></ul>
<footer id="end">end</footer></body></html>`;

/** A fake origin: a function of the request. */
const origin = (f) => ({ ORIGIN: { fetch: async (req) => f(req) } });
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
    assert(body.includes('<h1>classic</h1>') && !body.includes('<template'), 'default variant unwrapped, other templates removed');
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
    eq(safeUrl('java\tscript:alert(1)'), null, 'obfuscated scheme');
    eq(safeUrl('/p/x'), '/p/x', 'relative');
    eq(attrValue('onclick', 'x'), null, 'not allow-listed');
    eq(attrValue('srcset', '/a.png 1x, data:x 2x'), null, 'srcset checks every URL');
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
  },
};

export const browserModuleMarkup = {
  async test() {
    // The browser module's attribute names (js/dom.js) work at the edge too.
    const page = `<!doctype html><html><head></head><body>
<header data-hearth-slot="banner"><p data-hearth-field="title">x</p></header>
<section data-hearth-slot="hero"><a data-hearth-attr="href" href="/default">go</a></section>
<ul data-hearth-recommend="home" data-k="1"><li>…</li></ul>
<footer id="end">end</footer></body></html>`;
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
    const body = await (await w.fetch(get('/'), origin(() => html(page)))).text();
    const json = JSON.parse(/<script type="application\/json" id="hearth-decisions"[^>]*>(.*?)<\/script>/s.exec(body)[1]);
    eq(JSON.stringify(Object.keys(json.slots).sort()), '["banner","hero"]', 'the slots on the page');
    eq(JSON.stringify([json.artworks, json.promotions, json.recommendations]), '[{},{},{}]', 'nothing else decided');
    const banner = '(Free returns for 60 days|Weekend deals on now)';
    assert(new RegExp(`<b data-hearth-text="title">${banner}</b>`).test(body), `inner slot's field from the inner slot: ${body}`);
    assert(body.includes('<h1>classic</h1>') && !body.includes('<h1>trail</h1>'), "the outer slot's templates after the inner slot closed");
    assert(body.includes('<i data-hearth-text="title">Gear for every trail and road</i>'), 'the outer field from the outer slot');
    assert(new RegExp(`<span data-hearth-text="title">${banner}</span>`).test(body) && body.includes('href="/x"'), 'a void nested slot does not change the outer slot');
    assert(body.includes('<p data-hearth-text="title">outside</p>'), 'a field outside any slot is left alone');
    assert(body.indexOf('id="hearth-decisions"') > body.indexOf('<footer id="end">'), 'decisions embedded after the document');
  },
};
