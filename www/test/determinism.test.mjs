// The fixed scenario of tests/determinism.rs, decided in real Chromium: the
// page answer must be byte for byte the native one (tests/data/determinism/).
// Pages load the browser build, which reads the sample manifest compiled (by the
// full build in Node, as a site's deploy step would).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hearth as NodeHearth } from '../../pkg/node.js';
import { launch, openPage, TIMEOUT } from './browser.mjs';
import { ROOT, serve } from './server.mjs';

let server;
let browser;
const SAMPLE = [...NodeHearth.compile(readFileSync(join(ROOT, 'docs', 'manifest.sample.json'), 'utf8'))];

// The features build under the page build's file name: init must find out, and load its glue.
const misnamed = mkdtempSync(join(tmpdir(), 'hearth-misnamed-'));
copyFileSync(join(process.env.HEARTH_PKG ?? join(ROOT, 'pkg'), 'hearth_features_bg.wasm'), join(misnamed, 'hearth_browser_bg.wasm'));

before(async () => {
  server = await serve({ mounts: { '/pkg/': process.env.HEARTH_PKG ?? join(ROOT, 'pkg'), '/misnamed/': misnamed, '/': ROOT } });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(misnamed, { recursive: true, force: true });
});

test('Chromium gives the same page answer as native', { timeout: 2 * TIMEOUT }, async () => {
  const { page, context, errors } = await openPage(browser, `${server.url}/www/test/pages/blank.html`);
  try {
    const got = await page.evaluate(async (sample) => {
      const { init, Hearth } = await import('/pkg/browser.js');
      await init();
      const text = (p) => fetch(p).then((r) => r.text());
      const scenario = JSON.parse(await text('/tests/data/determinism/scenario.json'));
      const engine = Hearth.load(new Uint8Array(sample));
      const s = engine.session({ storage: 'memory', clock: () => scenario.now, secret: scenario.secret });
      s.consent(scenario.consent);
      for (const e of scenario.events) {
        const r = s.event(e);
        if (!r.learned) throw new Error(`${JSON.stringify(e)}: ${r.why}`);
      }
      const { fetchedFiles } = await import('/www/test/pages/fetched.js');
      const glue = (await fetchedFiles((n) => n.includes('hearth_browser_bg.wasm'))).filter((n) => /^hearth_(browser|features|wasm)\.js$/.test(n));
      return { answer: JSON.stringify(s.page(scenario.request, scenario.context)), expected: (await text('/tests/data/determinism/expected.json')).trim(), glue };
    }, SAMPLE);
    assert.deepEqual(errors, []);
    assert.deepEqual(got.glue, ['hearth_browser.js'], 'the page build with its own glue, the smallest');
    assert.ok(got.answer.includes('"hero"'), got.answer.slice(0, 200));
    assert.equal(got.answer, got.expected);
  } finally {
    await context.close();
  }
});

test('erase deletes the edge cookie digest when storage was allowed', { timeout: 2 * TIMEOUT }, async () => {
  const { page, context, errors } = await openPage(browser, `${server.url}/www/test/pages/blank.html`);
  try {
    const got = await page.evaluate(async (sample) => {
      const { init, Hearth } = await import('/pkg/browser.js');
      await init();
      const engine = Hearth.load(new Uint8Array(sample));
      const s = engine.session({ storage: 'localStorage' });
      s.consent({ choices: { store: true, content: true } });
      s.view('shoe-ridge');
      // As the edge worker would have set it.
      document.cookie = 'hearth=AQIDBA; Max-Age=600; Path=/; Secure; SameSite=Lax';
      document.cookie = 'site=keep; Max-Age=600; Path=/';
      const before = document.cookie;
      const erased = s.erase();
      return { before, after: document.cookie, erased, keys: Object.keys(localStorage) };
    }, SAMPLE);
    assert.deepEqual(errors, []);
    assert.match(got.before, /hearth=AQIDBA/, 'the test cookie was set');
    assert.deepEqual(got.erased, { removed: ['hearth:profile'], deletedCookies: ['hearth'] });
    assert.equal(got.after, 'site=keep');
    assert.deepEqual(got.keys, []);
  } finally {
    await context.close();
  }
});

test('Chromium: the features build loads an encrypted GrowthBook payload through WebCrypto, as Node does', { timeout: TIMEOUT }, async () => {
  const { page, context, errors } = await openPage(browser, `${server.url}/www/test/pages/blank.html`);
  try {
    const got = await page.evaluate(async () => {
      const { init, Hearth, HearthError } = await import('/pkg/browser.js');
      await init(new URL('/pkg/hearth_features_bg.wasm', location.href)); // the page build evaluates no features
      const cases = (await (await fetch('/tests/data/growthbook/cases.json')).json()).decrypt;
      const out = [];
      for (const [name, encryptedFeatures, decryptionKey, plain] of cases) {
        try {
          const engine = await Hearth.loadAsync({ encryptedFeatures }, { decryptionKey });
          out.push([name, 'loaded', JSON.stringify(engine.visitor({}).evalFeature('feature').value), plain && JSON.stringify(JSON.parse(plain).feature.defaultValue)]);
        } catch (e) {
          out.push([name, e instanceof HearthError ? e.issues.map((i) => i.path).join() : String(e)]);
        }
      }
      return out;
    });
    assert.deepEqual(errors, []);
    // Exactly the valid case loads (with the decrypted value); every other names the section.
    for (const [name, how, value, expected] of got) {
      if (name === 'Valid feature') assert.deepEqual([how, value], ['loaded', expected], name);
      else assert.equal(how, 'encryptedFeatures', name);
    }
    assert.equal(got.length, 10);
  } finally {
    await context.close();
  }
});

test('Chromium: init({features: true}) loads the features build, where hearth.visitor evaluates', { timeout: TIMEOUT }, async () => {
  const { page, context, errors } = await openPage(browser, `${server.url}/www/test/pages/blank.html`);
  try {
    const got = await page.evaluate(async (sample) => {
      const { init } = await import('/pkg/browser.js');
      const hearth = await init({ manifest: new Uint8Array(sample), features: true });
      const { fetchedFiles } = await import('/www/test/pages/fetched.js');
      const files = await fetchedFiles((n) => n.some((f) => f.endsWith('.wasm')));
      const wasm = files.filter((n) => n.endsWith('.wasm'));
      const glue = files.filter((n) => /^hearth_(browser|features|wasm)\.js$/.test(n));
      return { error: hearth.error ?? null, wasm, glue, value: hearth.engine.visitor({ attributes: { id: 'a', country: 'US' } }).evalFeature('free-shipping-threshold').value };
    }, SAMPLE);
    assert.deepEqual(errors, []);
    assert.equal(got.error, null);
    assert.deepEqual(got.wasm, ['hearth_features_bg.wasm']);
    assert.deepEqual(got.glue, ['hearth_features.js'], 'its own glue, and not the page build\'s');
    assert.equal(typeof got.value, 'number');
  } finally {
    await context.close();
  }
});

test('Chromium: a build under another build\'s file name is told by its exports, and gets its own glue', { timeout: TIMEOUT }, async () => {
  const { page, context, errors } = await openPage(browser, `${server.url}/www/test/pages/blank.html`);
  try {
    const got = await page.evaluate(async (sample) => {
      const { init, Hearth } = await import('/pkg/browser.js');
      await init(new URL('/misnamed/hearth_browser_bg.wasm', location.href));
      const { fetchedFiles } = await import('/www/test/pages/fetched.js');
      const glue = (await fetchedFiles((n) => n.includes('hearth_features.js'))).filter((n) => /^hearth_(browser|features|wasm)\.js$/.test(n));
      return { glue, value: Hearth.load(new Uint8Array(sample)).visitor({ attributes: { id: 'a', country: 'US' } }).evalFeature('free-shipping-threshold').value };
    }, SAMPLE);
    assert.deepEqual(errors, []);
    assert.ok(got.glue.includes('hearth_features.js'), got.glue.join());
    assert.equal(typeof got.value, 'number', 'the features build evaluates, as it would under its own name');
  } finally {
    await context.close();
  }
});
