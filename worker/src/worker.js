// hearth at the edge: fetch the origin page, prepare the page view with the
// Wasm engine while it is in flight, and stream it through HTMLRewriter,
// deciding each element as it passes (only what the page contains), so the
// first byte is already personalized and the browser module adopts the
// edge's decisions (data-hearth-decided) instead of deciding again. A page
// rendered before is served from what was kept (cache.js): whole for the next
// visitor with the same decisions, or as a shell filled with a visitor's own.
//
// Everything here is platform code (workerd / Cloudflare Workers); the
// decisions are all made in Rust. `createWorker` takes its dependencies so
// unit tests can inject a fake origin, a bad manifest or a failing engine.

import { readConsent, requestContext, parseCookies, forwardedCookieHeader, CONSENT_COOKIE } from './consent.js';
import { DIGEST_COOKIE, deleteDigestCookie } from './digest.js';
import { rewriter } from './rewrite.js';
import { lazyAnswer, fillShell, makeShell } from './decisions.js';
import { Layouts, acceptsStored, answerKey, answerMemo, originHeaders, originKey, originPages, pageKey, renderCache, templateStore } from './cache.js';

const DEFAULTS = {
  /** Pages with a larger Content-Length stream unchanged; pages of unknown length stop being rewritten past it. */
  maxHtmlBytes: 2 * 1024 * 1024,
  /** An origin slower than this to send its headers is passed through unchanged (not personalized, not aborted). */
  originBudgetMs: 3000,
};

/** A request with any of these asked the origin something of its own: hearth does not add conditions to it. */
const CONDITIONAL = ['If-None-Match', 'If-Modified-Since', 'If-Match', 'If-Unmodified-Since', 'If-Range', 'Range'];
/** The origin's headers a personalized page drops: it is private, and not the origin's bytes. */
const NOT_PERSONAL = ['Content-Length', 'ETag', 'Last-Modified', 'Expires', 'Age'];
/** Makes `headers` (edited in place, and returned) a personalized page's: private, and without what described the origin's bytes. */
function privateHead(headers) {
  headers.set('Cache-Control', 'private');
  for (const h of NOT_PERSONAL) headers.delete(h);
  return headers;
}
/** Adds hearth's own headers: how the page was decided (`mode`) and made (`how`). */
function hearthHead(headers, mode, how) {
  headers.set('X-Hearth', mode);
  if (how) headers.set('X-Hearth-Cache', how);
  return headers;
}
/** Marks a shell's holes (decisions.js `fillShell`): random per isolate, so no origin page can contain it
 * (made on first use: the runtime allows random values only inside a request). */
let marker = null;
const holeMarker = () => (marker ??= `hearth-hole-${crypto.randomUUID()}-`);

/** Logs without personal data: a fixed event name and error class, never headers, cookies, URLs or messages from request input. */
function logFailure(log, event, e, extra = {}) {
  log(JSON.stringify({ hearth: event, error: e?.name ?? typeof e, ...extra }));
}

/**
 * @param {object} deps
 * @param {{load: (m: object|string) => any}} deps.Hearth  the hearth JS API's `Hearth`
 * @param {object|string|ArrayBuffer|Uint8Array} deps.manifest  the manifest: object, JSON text, or compiled (what index.js bundles)
 * @param {(line: string) => void} [deps.log]
 * @param {() => number} [deps.now]
 * @param {Partial<typeof DEFAULTS>} [deps.limits]
 * @param {false|object} [deps.cache]  limits of the rendered-page cache (cache.js), or `false` to render every page
 */
export function createWorker({ Hearth, manifest, log = (l) => console.error(l), now = Date.now, limits = {}, cache: cacheLimits = {} }) {
  let engine;
  let loadFailed = false;
  // Which templates each recommendation container and promotion placement had (see rewrite.js).
  const layouts = new Layouts();
  // Pages rendered before: whole, for the next visitor with the same decisions; shells, for any
  // visitor whose decisions have the same shape (cache.js).
  const cache = cacheLimits === false ? null : renderCache(cacheLimits);
  // What requests decided from their headers alone decided, on which page, until when.
  const memo = cache && answerMemo(cacheLimits);
  // The templates each origin page has, read once (profile visitors' pages are rendered from them too).
  const templates = cache && templateStore(cacheLimits);
  // The last cacheable page each URL gave: what a kept page is revalidated against.
  const origins = cache && originPages(cacheLimits);
  const shelling = new Set(); // page keys with a shell being rendered

  /** The engine, loaded once per isolate; a bad manifest is logged once and every page then passes through. */
  function getEngine() {
    if (engine || loadFailed) return engine;
    try {
      engine = Hearth.load(typeof manifest === 'string' ? JSON.parse(manifest) : manifest);
    } catch (e) {
      loadFailed = true;
      // Manifest issues name paths in the manifest, never visitor data.
      logFailure(log, 'manifest-load-failed', e, { issues: (e?.issues ?? []).slice(0, 20).map((i) => i.path) });
    }
    return engine;
  }

  function limit(env, name, envName) {
    const v = Number(env?.[envName]);
    return Number.isFinite(v) && v > 0 ? v : (limits[name] ?? DEFAULTS[name]);
  }

  /**
   * Prepares the page view (consent, digest, context) and the cookie to write; the elements are
   * decided later, as the rewriter meets them. `null` when the engine fails (the page then passes through).
   */
  function decide(request, t, input) {
    const eng = getEngine();
    if (!eng) return null;
    // A request that did not say it accepts HTML is read only once the origin sent HTML.
    input ??= inputs(request, t);
    let session = null;
    try {
      const { signals, incoming } = input;
      session = eng.session({ storage: 'memory', clock: () => t });
      const outcome = session.consent(signals);
      const store = outcome.allowed.includes('store');
      // Adopts the visitor's id (hence a stable decision seed), sticky
      // assignments and coarse interests; a tampered cookie is ignored.
      if (store && incoming) session.loadDigest(incoming);
      // A snapshot of profile, consent and context: what the elements are decided against.
      const prepared = session.prepare(input.context);
      let setCookie = null;
      if (store) {
        const cookie = session.digestCookie();
        if (cookie && cookie.split(';')[0] !== `${DIGEST_COOKIE}=${incoming}`) setCookie = cookie;
      } else if (incoming !== null) {
        // Storage is not (or no longer) allowed: the digest must go.
        setCookie = deleteDigestCookie();
      }
      const mode = outcome.allowed.includes('useContent') ? 'profile' : 'contextual';
      // Decided from the request alone (no profile, no stored id): the same request gets the same
      // decisions until `stableUntil`, so they are remembered by it (cache.js `answerMemo`).
      const fromRequest = mode === 'contextual' && !store;
      return { page: lazyAnswer(prepared), prepared, layouts, allowed: outcome.allowed, mode, setCookie, memo: fromRequest ? { key: answerKey(input), until: prepared.stableUntil() } : null };
    } catch (e) {
      logFailure(log, 'engine-failed', e);
      return null;
    } finally {
      // Its Wasm memory now, not when the garbage collector gets to it: the prepared page is its own.
      session?.free();
    }
  }

  /** What a request's decisions are made from, read from its headers (no engine call). */
  function inputs(request, t, url = request.url) {
    const headers = request.headers;
    const cookie = headers.get('Cookie');
    const cookies = parseCookies(cookie);
    const incoming = cookies.has(DIGEST_COOKIE) ? cookies.get(DIGEST_COOKIE) : null;
    return { signals: readConsent(headers, cookies), incoming, context: requestContext(request, t, url), cookie };
  }

  /**
   * The origin's answer to `request` (at `url`); with `known` (a page noted before), asks whether
   * it is still that page. `sent`: the request's Cookie header; `cookie`: what of it goes to the
   * origin (hearth's own cookies are for the edge, not the origin: keeps the origin page cacheable).
   */
  async function fetchOrigin(request, env, url, sent, cookie, known) {
    let headers = request.headers;
    if (cookie !== sent || known) {
      headers = new Headers(headers);
      if (cookie) headers.set('Cookie', cookie);
      else if (sent !== null) headers.delete('Cookie');
      if (known?.etag) headers.set('If-None-Match', known.etag);
      if (known?.modified) headers.set('If-Modified-Since', known.modified);
    }
    const method = request.method;
    const init = { method, headers, body: method === 'GET' || method === 'HEAD' ? null : request.body, redirect: 'manual' };
    if (env?.ORIGIN && typeof env.ORIGIN.fetch === 'function') return env.ORIGIN.fetch(url, init);
    const base = typeof env?.ORIGIN === 'string' ? env.ORIGIN : env?.ORIGIN_URL;
    if (!base) throw new Error('no ORIGIN binding');
    const { pathname, search } = new URL(url);
    return fetch(new URL(pathname + search, base), init);
  }

  async function fetch_(request, env, ctx) {
    if (env?.HEARTH_TEST_ROUTES === '1' && new URL(request.url).pathname === '/__hearth/scenario') {
      return scenarioRoute(request);
    }
    const t = now();
    const started = Date.now(); // the origin budget's clock (`now` is the decisions' own)
    const url = request.url; // made anew by the runtime on every read
    const personalizable = request.method === 'GET';
    const input = personalizable && /text\/html/.test(request.headers.get('Accept') ?? '') ? inputs(request, t, url) : null;
    // HEARTH_RENDER_CACHE=off renders every page (the bench's comparison; templates are still read once).
    const caching = cache !== null && env?.HEARTH_RENDER_CACHE !== 'off';
    // A request decided before from the same inputs needs no engine (the answer memo).
    const asked = input && caching ? answerKey(input) : null;
    const req = { t, input, asked, remembered: asked !== null && memo.known(asked, t), decided: undefined, rendering: false };
    try {
      return await respond(request, env, ctx, req, { started, url, personalizable, caching });
    } finally {
      // A page rendered as it streams decides until its end (and its shell after): `render` frees
      // its prepared page then. Any other answer is done with it here.
      if (!req.rendering) req.decided?.prepared.free();
    }
  }

  /** The answer to `request`, from what `fetch_` read of it. */
  async function respond(request, env, ctx, req, { started, url, personalizable, caching }) {
    const { t, input, asked } = req;
    // When what was kept of the page this URL gave last serves this request, the origin is not
    // asked while that page is fresh, and after only whether it changed: a 304 sends no body.
    // Not for a request with its own conditions.
    const noted = asked !== null ? origins.get(url) : null;
    const before = noted && !CONDITIONAL.some((h) => request.headers.has(h)) ? noted : null;
    const beforeKey = before && pageKey(before.origin, layouts.generation);
    let ready = before ? fromKept(beforeKey, request, req) : undefined;
    const sent = input ? input.cookie : request.headers.get('Cookie');
    const cookie = forwardedCookieHeader(sent);
    // Freshness is only for requests that send the origin no cookies (cache.js `originPages`).
    const anonymous = cookie === null;
    if (ready?.body && anonymous && t < before.freshUntil && acceptsStored(request.headers)) return served(null, ready, before);
    const pending = fetchOrigin(request, env, url, sent, cookie, ready?.body ? before : null);
    // Other page loads are prepared while the origin is in flight.
    if (input && !req.remembered && req.decided === undefined) req.decided = decide(request, t, input);

    // A slow origin's page goes out as it came: the visitor waits for the origin's headers either
    // way, so the time is read when they arrive (a timer per request would cost more than the check).
    const res = await pending;
    if (Date.now() - started > limit(env, 'originBudgetMs', 'HEARTH_ORIGIN_BUDGET_MS')) {
      log(JSON.stringify({ hearth: 'origin-slow', passthrough: true }));
      // Only a request hearth made conditional can get a 304 it did not ask for: it gets the kept page.
      return ready?.body && res.status === 304 ? revalidated(res, ready, before, t, anonymous) : res;
    }
    if (!personalizable) return res;
    if (res.status === 304 && ready?.body) return revalidated(res, ready, before, t, anonymous); // unchanged: the kept page, with its headers
    const head = originHeaders(res);
    const maxBytes = limit(env, 'maxHtmlBytes', 'HEARTH_MAX_HTML_BYTES');
    if (!isPersonalizable(res, maxBytes, head)) return res;

    const origin = cache !== null ? originKey(request, res, head) : null;
    if (origin !== null && caching) origins.note(url, origin, res, head, t, anonymous);
    const key = caching ? pageKey(origin, layouts.generation) : null;
    // Looked up again unless the origin sent the page looked up before (it ignored the conditions).
    if (key !== beforeKey) ready = key !== null ? fromKept(key, request, req) : undefined;
    if (ready?.body) return served(res, ready);

    const decided = req.decided !== undefined ? req.decided : decide(request, t, input);
    if (!decided) return res; // engine failure: logged; the page goes out as it came
    const found = ready?.found ?? null;
    // Whole pages are kept only for visitors decided without their profile; shells for anyone.
    const whole = decided.mode === 'contextual';
    // A shell costs a second rendering: made for a page that comes back, when none fits these decisions.
    // At most one shell rendering per page at a time (a burst of misses would each render one).
    const shell = key !== null && !found?.shell && !found?.unusable && !shelling.has(key) && cache.again(key);
    const remember = (text) => rememberAnswer(decided, key, t, text);
    req.rendering = true;
    return render(res, decided, { head, maxBytes, origin, key, whole, shell, remember, caching, ctx });
  }

  /**
   * What was kept of page `key` that serves this request: `{body, answer, how}` to send, else
   * `{found}` (`renderCache#lookup`'s result, which the rendering goes by), or `null` when the
   * engine failed. Decides the request (`req.decided`) unless the answer memo serves it.
   */
  function fromKept(key, request, req) {
    if (req.remembered) {
      const hit = fromMemo(req.asked, key, req.t);
      if (hit) return { body: hit.body, answer: hit, how: 'hit' };
    }
    if (req.decided === undefined) req.decided = decide(request, req.t, req.input);
    const decided = req.decided;
    if (!decided) return null;
    const whole = decided.mode === 'contextual';
    try {
      const found = cache.lookup(key, decided.page, whole);
      if (found?.body) {
        rememberAnswer(decided, key, req.t, found.text);
        return { body: found.body, answer: decided, how: 'hit' };
      }
      const filled = found?.shell ? fillShell(found.shell, decided.page, decided.mode) : null;
      if (filled !== null) {
        if (whole) {
          cache.store(key, decided.page.calls(), found.text, filled);
          rememberAnswer(decided, key, req.t, found.text);
        }
        return { body: filled, answer: decided, how: 'shell' };
      }
      return { found };
    } catch (e) {
      logFailure(log, 'engine-failed', e); // the page is rendered as the engine allows (see lazyAnswer)
      return { found: null };
    }
  }

  /** Remembers `text` as what `decided`'s inputs decide on page `key` (until `stableUntil`). */
  function rememberAnswer(decided, key, t, text) {
    if (decided.memo) memo.put(decided.memo.key, key, t, { until: decided.memo.until, text, mode: decided.mode, setCookie: decided.setCookie });
  }

  /** The cached bytes for what `asked` decided on `page` before, while that still holds at `t`. */
  function fromMemo(asked, page, t) {
    const known = page === null ? null : memo.get(asked, page, t);
    const body = known && cache.get(page, known.text);
    return body ? { body, ...known } : null;
  }

  /**
   * A personalized page: private, without the origin's validators and length, with hearth's
   * headers. A noted page's (cache.js `originPages`) heads are made once per `mode` and `how`.
   */
  function personalized(res, body, { mode, setCookie }, how) {
    const noted = !(res instanceof Response);
    let head = res.headers;
    if (noted) {
      const heads = (res.privateHeads ??= new Map());
      const k = `${mode} ${how}`;
      head = heads.get(k);
      if (!head) heads.set(k, (head = hearthHead(privateHead(new Headers(res.headers)), mode, how)));
    }
    const out = new Response(body, { status: res.status, statusText: res.statusText, headers: head });
    const headers = out.headers; // the response's own copy (one copy, not two)
    if (!noted) hearthHead(privateHead(headers), mode, how);
    if (setCookie) headers.append('Set-Cookie', setCookie);
    return out;
  }

  /**
   * A page made from what was kept (`how`: hit or shell), with the head of `page` (the origin's
   * response, or the page noted before when the origin answered 304). The origin's body is not
   * needed (cancelled, so its connection is freed now).
   */
  function served(res, { body, answer, how }, page = res) {
    res?.body?.cancel().catch(() => {});
    return personalized(page, body, answer, how);
  }

  /** The origin's 304 for the page noted before: the kept page goes out, and the noted one is fresh again. */
  function revalidated(res, ready, before, t, anonymous) {
    origins.revalidated(before, res, t, anonymous);
    return served(res, ready, before);
  }

  /**
   * Rewrites the origin page as it streams, from the templates read of it before (`origin`).
   * With a `key`, what it wrote is kept once the whole page went through cleanly, with the layout
   * it started with: the whole page (`whole`: tees the output), and, when this page has no shell
   * for these decisions yet (`shell`), a shell rendered from a tee of the origin's body.
   */
  function render(res, decided, { head, maxBytes, origin, key, whole, shell, remember, caching, ctx }) {
    const state = { off: false };
    let errors = 0;
    let body = res;
    if (head.length === null) {
      // Unknown length: count bytes and stop rewriting past the limit.
      let seen = 0;
      const counter = new TransformStream({
        transform(chunk, c) {
          seen += chunk.byteLength;
          if (seen > maxBytes) state.off = true;
          c.enqueue(chunk);
        },
      });
      body = new Response(res.body.pipeThrough(counter), res);
    }
    const onError = (e) => {
      errors++;
      logFailure(log, 'rewrite-failed', e);
    };
    const known = origin === null ? null : templates.get(origin);
    decided.templates = known;
    decided.complete = () => {
      // The whole page went through cleanly: what it read of its templates is kept.
      if (origin !== null && !errors && !state.off && (!known || decided.collected.size)) templates.add(origin, decided.collected);
    };
    const generation = layouts.generation;
    const clean = (page) => !errors && !state.off && !page.failed() && layouts.generation === generation;
    // The prepared page's Wasm memory goes once every rendering deciding on it has ended (the
    // visitor's, and a shell's); one that never ends (the client went away) leaves it to the collector.
    let renderings = key !== null && shell ? 2 : 1;
    decided.ended = () => {
      if (--renderings === 0) decided.prepared.free();
    };
    if (key !== null && shell) {
      const [mine, theirs] = body.body.tee();
      body = new Response(mine, res);
      ctx?.waitUntil?.(renderShell(new Response(theirs, res), decided, key, onError, clean));
    }
    const out = rewriter(decided, state, onError).transform(body);
    if (key === null || !whole) return personalized(res, out.body, decided, caching ? (key === null ? 'bypass' : 'miss') : undefined);

    const [mine, kept] = out.body.tee();
    const keep = new Response(kept).blob().then(
      (blob) => {
        if (!clean(decided.page)) return;
        const text = decided.page.text();
        cache.store(key, decided.page.calls(), text, blob);
        remember(text);
      },
      () => {}, // the client went away or the origin failed: nothing to keep
    );
    ctx?.waitUntil?.(keep);
    return personalized(res, mine, decided, 'miss');
  }

  /**
   * Renders `input` (the origin page) as a shell for `decided`'s decisions (rewrite.js
   * `fillShell`), on its own page of decisions from the same prepared view (the same decisions,
   * made again), and keeps it when it went through as cleanly as the visitor's page.
   */
  function renderShell(input, decided, key, onError, clean) {
    shelling.add(key);
    const page = lazyAnswer(decided.prepared);
    const holes = { marker: holeMarker(), lists: [] };
    const state = { off: false };
    const mine = { ...decided, page, holes, complete: undefined, ended: undefined };
    return new Response(rewriter(mine, state, onError).transform(input).body).text().then(
      (text) => {
        if (state.off || !clean(page)) return;
        const shape = page.shape();
        if (!cache.hasShell(key, shape)) cache.storeShell(key, page.calls(), shape, makeShell(text, holes));
      },
      () => {},
    ).finally(() => {
      shelling.delete(key);
      decided.ended();
    });
  }

  /** Test-only (HEARTH_TEST_ROUTES=1): replays tests/data/determinism/scenario.json and answers the page JSON as the engine wrote it. */
  async function scenarioRoute(request) {
    const scenario = await request.json();
    const text = replayScenario(getEngine(), scenario);
    return new Response(text, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
  }

  return { fetch: fetch_, decide, getEngine };
}

/** The fixed determinism scenario through this engine: JSON.stringify of the page answer. */
export function replayScenario(engine, scenario) {
  const s = engine.session({ storage: 'memory', clock: () => scenario.now, secret: scenario.secret });
  s.consent(scenario.consent);
  for (const e of scenario.events) {
    const r = s.event(e);
    if (!r.learned) throw new Error(`event not learned: ${JSON.stringify(e)}: ${r.why}`);
  }
  return JSON.stringify(s.page(scenario.request, scenario.context));
}

/** A 200 HTML page of acceptable size: everything else (3xx/4xx/5xx, 204/206, other types, huge pages) passes through. */
export function isPersonalizable(res, maxBytes, h = originHeaders(res)) {
  if (res.status !== 200 || !res.body) return false;
  const type = (h.type ?? '').toLowerCase();
  if (!/^\s*text\/html\b/.test(type)) return false;
  const charset = /charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
  if (charset && !/^utf-?8$/.test(charset)) return false;
  // The runtime decodes gzip and br for us (and re-encodes on the way out); anything else passes through.
  const enc = (h.encoding ?? '').trim().toLowerCase();
  if (!['', 'identity', 'gzip', 'br'].includes(enc)) return false;
  if (h.length !== null && !(Number(h.length) <= maxBytes)) return false;
  return true;
}

export { CONSENT_COOKIE };
