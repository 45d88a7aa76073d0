// Integration tests: `workerd serve worker/config.capnp testConfig` on loopback, with a Node origin.
// Run: node --test worker/test/   (after worker/build.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start, timedGet, root, FIXTURE, BINARY, originDone, CHUNK_DELAY_MS, CHUNKS } from './harness.mjs';
import { Hearth } from '../../pkg/node.js';

let s;
before(async () => {
  s = await start();
});
after(async () => {
  await s?.stop();
});

const read = (p) => readFileSync(`${root}${p}`, 'utf8');
const page = { Accept: 'text/html' };
const decisions = (body) => JSON.parse(/<script type="application\/json" id="hearth-decisions"[^>]*>(.*?)<\/script>/s.exec(body)[1]);

test('the worker gives the native answer for the determinism scenario, as Node does', async () => {
  const scenario = read('tests/data/determinism/scenario.json');
  const res = await fetch(`${s.hearth}/__hearth/scenario`, { method: 'POST', body: scenario });
  const text = await res.text();
  assert.equal(text, read('tests/data/determinism/expected.json').trim(), 'workerd == native, byte for byte');
  // And Node through pkg/, the same engine build: byte-equal too.
  const sc = JSON.parse(scenario);
  const e = Hearth.load(read('docs/manifest.sample.json'));
  const n = e.session({ storage: 'memory', clock: () => sc.now, secret: sc.secret });
  n.consent(sc.consent);
  for (const ev of sc.events) n.event(ev);
  assert.equal(text, JSON.stringify(n.page(sc.request, sc.context)));
});

test('the page decided at the edge matches Node for the same context (contextual visitor)', async () => {
  const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148';
  const headers = { ...page, 'User-Agent': ua, 'CF-IPCountry': 'GB', 'Accept-Language': 'en-GB' };
  await timedGet(`${s.hearth}/`, headers); // the worker's first sight of the page's slots leaves them to the browser
  const res = await timedGet(`${s.hearth}/`, headers);
  const edge = decisions(res.body);
  const m = JSON.parse(read('worker/build/manifest.json'));
  const e = Hearth.load(m);
  const n = e.session({ storage: 'memory', clock: () => Date.now(), secret: [1, 2] });
  n.consent({});
  // The recommended items' artwork is decided with them (the template has an <img data-hearth-artwork>).
  const artworks = [...new Set(['shoe-ridge', ...edge.recommendations.home.map((r) => r.item)])];
  const req = { slots: 'all', artworks, promotions: ['promo-bar'], recommend: [{ list: 'home', k: 3 }] };
  const { segments, rejectedClaims, ...node } = n.page(req, { url: `${s.hearth}/`, utcOffsetMinutes: 0, userAgent: ua, locale: 'en-GB', country: 'GB' });
  // The edge decides (and embeds) what the page contains, element by element: the same answers.
  assert.deepEqual(edge, node);
  const shown = [...res.body.matchAll(/data-hearth-slot="(\w+)"[^>]*data-hearth-decided="([^"]*)"/g)].map(([, slot, v]) => [slot, v]);
  assert.ok(shown.length >= 2);
  for (const [slot, v] of shown) assert.equal(v, node.slots[slot].variant, `${slot} shows the decided variant`);
});

test("recommendations are rendered from the page's own template, as the browser module renders them", async () => {
  const res = await timedGet(`${s.hearth}/`, { ...page, 'CF-IPCountry': 'GB' });
  const edge = decisions(res.body);
  const recs = edge.recommendations.home;
  assert.equal(recs.length, 3, 'data-hearth-k');
  const ids = recs.map((r) => r.item);
  assert.match(res.body, new RegExp(`<ul class="grid" data-hearth-recommend="home" data-hearth-k="3" data-hearth-ready="edge" data-hearth-decided="${ids.join(' ')}">`));
  assert.match(res.body, /<li class="empty" hidden="" data-hearth-default="hidden">Loading…<\/li>/, 'the default is hidden, not removed');
  const at = FIXTURE.indexOf('<template>\n    <li class="card">');
  const tpl = FIXTURE.slice(at, FIXTURE.indexOf('</template>', at) + '</template>'.length);
  assert.ok(res.body.includes(tpl), 'the template stays as the origin sent it');
  const after = res.body.slice(res.body.indexOf(tpl) + tpl.length, res.body.indexOf('</ul>', res.body.indexOf(tpl)));
  const cards = [...after.matchAll(/<li class="card" data-hearth-item="([^"]+)"><a data-hearth-attr="href" href="([^"]*)"><img data-hearth-artwork="([^"]+)"[^>]*><span class="title" data-hearth-field="title">([^<]*)<\/span> <span class="price" data-hearth-field="price">([^<]*)<\/span><\/a><\/li>/g)];
  assert.deepEqual(
    cards.map((m) => m.slice(1)),
    recs.map((r) => [r.item, r.content.href, r.item, r.title, r.content.price]),
    after,
  );
  // The promotion placement (a <p>) is decided too: nothing is chosen without consent, so its default stays.
  assert.match(res.body, /<p class="promo" data-hearth-promotion="promo-bar" data-hearth-ready="edge" data-hearth-decided=""><span data-hearth-field="text">Free shipping over \$75<\/span>/);
  assert.ok(res.body.includes('<footer id="end">the end</footer>'));
});

test('consent denied: contextual content, no cookie, private', async () => {
  const res = await timedGet(`${s.hearth}/`, { ...page, Cookie: 'hearth_consent=none; euconsent-v2=invalid', 'Sec-GPC': '1' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['set-cookie'], undefined);
  assert.equal(res.headers['cache-control'], 'private');
  assert.equal(res.headers['x-hearth'], 'contextual');
  assert.ok(!/cookie/i.test(res.headers.vary ?? ''), 'no Vary: Cookie');
  const d = decisions(res.body);
  assert.ok(d.slots.hero.codes.includes('no-content-consent'));
  assert.match(res.body, /data-hearth-decided="classic">\s*<h1>Gear for every trail and road<\/h1>/);
  const hero = res.body.slice(res.body.indexOf('data-hearth-slot="hero"'), res.body.indexOf('</section>'));
  assert.ok(!hero.includes('<template'), 'the slot keeps only its chosen variant');
});

test('store consent: the digest cookie is written with Secure; SameSite=Lax; Path=/', async () => {
  const res = await timedGet(`${s.hearth}/`, { ...page, Cookie: 'hearth_consent=store.content.promotions' });
  assert.match(res.headers['set-cookie'][0], /^hearth=[\w-]{30,999}; Max-Age=34560000; Path=\/; Secure; SameSite=Lax$/);
  assert.equal(res.headers['x-hearth'], 'profile');
  assert.equal(res.headers['cache-control'], 'private');
});

test("hearth's cookies are not forwarded to the origin", async () => {
  const res = await timedGet(`${s.hearth}/echo-cookie`, { ...page, Cookie: 'site=1; hearth=abc; hearth_consent=store' });
  assert.match(res.body, /<pre id="c">site=1<\/pre>/);
});

test('the plain origin page stays cacheable (pass-through worker and origin headers)', async () => {
  const res = await timedGet(`${s.plain}/`, page);
  assert.equal(res.headers['cache-control'], 'public, max-age=300');
  assert.equal(res.headers.etag, '"fixture"');
  assert.equal(res.body, FIXTURE);
});

for (const [path, status, type] of [
  ['/data.json', 200, 'application/json'],
  ['/redirect', 301, undefined],
  ['/missing', 404, 'text/html'],
  ['/error', 500, 'text/html'],
  ['/huge.html', 200, 'text/html'],
  ['/slow-headers', 200, 'text/html'],
]) {
  test(`pass-through: ${path} (${status}) comes out unchanged`, async () => {
    const [edge, plain] = await Promise.all([timedGet(`${s.hearth}${path}`, page), timedGet(`${s.plain}${path}`, page)]);
    assert.equal(edge.status, status);
    assert.equal(edge.body, plain.body, 'same body as without hearth');
    assert.equal(edge.headers['x-hearth'], undefined);
    assert.equal(edge.headers['cache-control'], plain.headers['cache-control']);
    assert.ok(!edge.body.includes('hearth-decisions'));
    if (type) assert.equal(edge.headers['content-type'], type);
  });
}

test('malformed HTML: nothing after the damage is lost; a binary body is byte-identical', async () => {
  const res = await timedGet(`${s.hearth}/malformed.html`, page);
  assert.ok(res.body.includes('<footer id="end">end</footer>'), res.body);
  const bin = await fetch(`${s.hearth}/binary.html`, { headers: page });
  assert.deepEqual(Buffer.from(await bin.arrayBuffer()), BINARY);
});

test('the page streams: first bytes reach the client before the origin has finished', async () => {
  const before = originDone.length;
  const res = await timedGet(`${s.hearth}/slow-chunks`, page);
  const done = originDone[before];
  assert.ok(res.body.includes('<footer id="end">'), 'whole page');
  assert.equal((res.body.match(/data-hearth-decided=/g) ?? []).length >= 10, true, 'decided');
  const ttfb = res.first - res.t0;
  const originTotal = done - res.t0;
  console.log(`# streaming: first byte after ${ttfb.toFixed(1)} ms; origin finished after ${originTotal.toFixed(1)} ms (${CHUNKS} chunks, ${CHUNK_DELAY_MS} ms apart)`);
  assert.ok(res.first < done, 'first byte before the origin completed');
  assert.ok(ttfb < CHUNK_DELAY_MS, `first byte within the first chunk's time (${ttfb} ms)`);
});

test('no cookie or consent value reaches the logs', async () => {
  await timedGet(`${s.hearth}/`, { ...page, Cookie: 'euconsent-v2=CANARYTC; __gpp=CANARYGPP; hearth=CANARYDIGEST; hearth_consent=store' });
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!/CANARY/.test(s.stderr.join('')));
});
