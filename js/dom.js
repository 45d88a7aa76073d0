// hearth's declarative layer for the browser: mark placements in the HTML and
// let hearth fill them.
//
//   <link rel="stylesheet" href="/hearth.css">   (optional, see HIDE_CSS)
//   <section data-hearth-slot="hero">
//     <h1 data-hearth-field="title">Default title</h1>
//     <img data-hearth-attr="src alt" src="/default.svg" alt="...">
//     <template data-hearth-variant="camp">...site-authored HTML...</template>
//   </section>
//   <img data-hearth-artwork="item-42" src="/studio.svg" alt="...">
//   <div data-hearth-recommend="home" data-k="8"><template>
//     <a data-hearth-attr="href"><img data-hearth-artwork alt=""><span data-hearth-field="title"></span></a>
//   </template></div>
//   <p data-hearth-promotion="promo-bar"><span data-hearth-field="text">Default</span>
//     <button data-hearth-dismiss>×</button></p>
//
//   import { init } from 'hearth';
//   const hearth = await init({ manifest: '/manifest.json' });
//   hearth.consent({ choices: { store: true, content: true } });
//
// What it guarantees:
// * Nothing from data is parsed as HTML: variants' HTML comes from the
//   site's own <template>s (cloned), and values from the manifest reach the
//   page only through textContent and setAttribute on an allow-list of
//   attributes (src, srcset, href, alt), after a URL check (http(s) only,
//   relative URLs resolve against the page). So it works with Trusted Types
//   enforced and under a CSP without 'unsafe-inline'.
// * Only hearth's placements are hidden until decided, and never longer than
//   `timeoutMs` (default 300): then the page's own default content shows and
//   stays for this page view. A bad manifest, a missing Wasm file or a failing
//   engine leave every default in place and log one console.error.
// * It never touches device storage itself: the session does, and only once
//   consent allows `store`.
// * Placements added later (single-page apps) are filled as they appear.
// * Elements the edge worker (worker/) decided carry data-hearth-decided and are
//   adopted as they are (no decision, no render here); lists and promotions it
//   rendered from these same templates are rendered here again on refresh().
import { Hearth } from './hearth.js';
import { bind } from './glue.js';
import { ATTRS, attrPairs, mayTake, safeAttr, safeUrl as safeUrlAt } from './safe.js';

const T0 = typeof performance !== 'undefined' ? performance.now() : 0;
try {
  performance.mark('hearth:script-start');
} catch {
  // No User Timing (very old browsers): timings are still computed.
}

/** The compiled module from `source`: a URL (or its text), a Request, a Response, a Module or the bytes. */
async function compileWasm(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const response = typeof Response === 'function' && source instanceof Response ? source : await fetch(source);
  if (!response.ok) throw new Error(`${response.url || source} answered HTTP ${response.status}`);
  // Compiled as it downloads, when the server says what it is (other types take the bytes first).
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('Content-Type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Each build's glue (the browser builds export less, see glue.js), imported only for the build a
 * page loads. A page then downloads one glue, the one its Wasm needs.
 */
const GLUES = {
  page: () => import('./hearth_browser.js'),
  features: () => import('./hearth_features.js'),
  full: () => import('./hearth_wasm.js'),
};
/** Which build a Wasm with these export names is: told by an export only the larger builds have. */
const buildOf = (names) => (names.has('gbHash') ? 'full' : names.has('wasmengine_visitor') ? 'features' : 'page');
const NAMED = { browser: 'page', features: 'features', wasm: 'full' };
/** The build a Wasm URL (or a Request for one, which can be fetched again) names by the package's file names, or undefined. */
function namedBuild(source) {
  const url = typeof source === 'string' || source instanceof URL ? String(source) : typeof Request === 'function' && source instanceof Request ? source.url : undefined;
  return NAMED[/hearth_(browser|features|wasm)_bg\.wasm/.exec(url ?? '')?.[1]];
}

async function initWasm(source) {
  const named = namedBuild(source);
  if (named) {
    // A package file: fetched while the glue its name says loads, instantiated by that glue as it
    // downloads (instantiateStreaming), then checked. Another build under that name fails to link,
    // or is found out by its exports, and is loaded again below.
    const [glue, response] = await Promise.all([GLUES[named](), fetch(source)]);
    let exports;
    try {
      exports = await glue.default({ module_or_path: response });
    } catch (e) {
      if (!(e instanceof WebAssembly.LinkError)) throw e;
    }
    if (exports && buildOf(new Set(Object.keys(exports))) === named) return bind(glue);
  }
  const module = await compileWasm(source);
  const glue = await GLUES[buildOf(new Set(WebAssembly.Module.exports(module).map((e) => e.name)))]();
  await glue.default({ module_or_path: module });
  bind(glue);
}

let wasmReady;
/**
 * Loads and instantiates the Wasm once; later calls return the same promise. The page build by
 * default (see tools/build-pkg.sh); `wasm` may name another (a URL, Request, Response, Module or
 * the bytes).
 */
export function loadWasm(wasm) {
  wasmReady ??= initWasm(wasm ?? new URL('./hearth_browser_bg.wasm', import.meta.url));
  return wasmReady.then(() => undefined);
}

/**
 * The rule that hides placements until they are decided. A site that wants
 * no flash of default content before this module has even loaded puts it in
 * its own stylesheet (in <head>); the CSS animation reveals the defaults after
 * 1.5 s even if no script runs at all. `init` also adopts it as a
 * constructable stylesheet, which needs no 'unsafe-inline' under a CSP.
 */
export const HIDE_CSS = `[data-hearth-slot]:not([data-hearth-ready]),[data-hearth-promotion]:not([data-hearth-ready]),[data-hearth-recommend]:not([data-hearth-ready]),[data-hearth-artwork]:not([data-hearth-ready]){visibility:hidden;animation:hearth-reveal 0s linear 1.5s forwards}@keyframes hearth-reveal{to{visibility:visible}}`;

const SELECTOR = '[data-hearth-slot],[data-hearth-promotion],[data-hearth-recommend],[data-hearth-artwork]';

/** `value` as a safe URL (http(s) after resolving against the page), or null (see safe.js). */
export function safeUrl(value) {
  return safeUrlAt(value, document.baseURI);
}

/** Sets `attr` on `el` from `value` through the allow-list (safe.js); false when refused. */
function setSafeAttr(el, attr, value) {
  const safe = safeAttr(el.tagName, attr, value, document.baseURI);
  if (safe === null) return false;
  el.setAttribute(attr, safe);
  return true;
}

/** `data-hearth-attr="src alt"` or `"href:link alt:imageAlt"` -> [[attr, field]]. */
const attrMap = (el) => attrPairs(el.getAttribute('data-hearth-attr'));

/**
 * Fills `root` (an element or fragment) from `values`: `data-hearth-field`
 * elements get text, `data-hearth-attr` elements allow-listed attributes.
 */
function fill(root, values) {
  const els = [];
  if (root.nodeType === 1 && (root.hasAttribute('data-hearth-field') || root.hasAttribute('data-hearth-attr'))) els.push(root);
  els.push(...root.querySelectorAll('[data-hearth-field],[data-hearth-attr]'));
  for (const el of els) {
    const field = el.getAttribute('data-hearth-field');
    if (field) {
      const v = values[field];
      if (v !== undefined && v !== null && typeof v !== 'object') {
        if (ATTRS.has(field) && mayTake(el.tagName, field)) setSafeAttr(el, field, v);
        else el.textContent = String(v);
      }
    }
    for (const [attr, f] of attrMap(el)) setSafeAttr(el, attr, values[f]);
  }
}

const plain = (o) => o !== null && typeof o === 'object' && !Array.isArray(o);

/** The page context hearth decides on, from the browser plus the site's own. */
function browserContext(extra) {
  const ctx = {
    url: location.href,
    path: location.pathname,
    referrer: document.referrer || undefined,
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    userAgent: navigator.userAgent,
    locale: navigator.language,
  };
  return { ...ctx, ...extra };
}

/** The placements under `root` (itself included), outside <template>s. */
function placements(root) {
  const out = [];
  if (root.nodeType === 1 && root.matches(SELECTOR)) out.push(root);
  if (root.querySelectorAll) out.push(...root.querySelectorAll(SELECTOR));
  return out;
}

function kindOf(el) {
  if (el.hasAttribute('data-hearth-slot')) return 'slot';
  if (el.hasAttribute('data-hearth-promotion')) return 'promotion';
  if (el.hasAttribute('data-hearth-recommend')) return 'recommend';
  return 'artwork';
}

/**
 * A page under hearth: the engine, the visitor's session, the placements it
 * fills and the helpers that report what the visitor does. Made by `init`.
 * When loading failed, `error` says why and every method is a harmless no-op.
 */
export class HearthPage {
  /** The loaded engine (undefined when loading failed). */
  engine;
  /** The visitor's session (undefined when loading failed). */
  session;
  /** The manifest document when it was loaded from JSON (a URL or an object); for a compiled manifest, its labels (`Hearth#labels`). */
  manifest;
  /** Why hearth is not running, or undefined. */
  error;
  /** `{ scriptStart, filled, sinceNavigation, timedOut }` in ms, once the first fill is done. */
  timings;
  /** Claims the engine ignored on the last decision, with why. */
  rejectedClaims = [];

  #opts;
  #doc;
  #context = {};
  #signals = {};
  #seq = 0;
  #cache;
  #originals = new WeakMap();
  #shown = new WeakMap();
  #adopted = new WeakSet();
  #edgeSeen = new WeakSet();
  #edgeAnswer;
  #exposed = new Set();
  #listeners = new Set();
  #observer;
  #reported = false;
  #timedOut = false;
  #timer;
  #onClick;

  constructor(options, doc = document) {
    this.#opts = options;
    this.#doc = doc;
    this.#context = plain(options.context) ? { ...options.context } : {};
    this.#resetCache();
  }

  // ---------- lifecycle (used by init) ----------

  /** Hides placements (adopted stylesheet) and starts the reveal timer. */
  _begin() {
    if (this.#opts.styles !== false) adoptHideRule(this.#doc);
    const ms = Number.isFinite(this.#opts.timeoutMs) ? this.#opts.timeoutMs : 300;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      for (const el of placements(this.#doc)) if (!el.hasAttribute('data-hearth-ready')) el.setAttribute('data-hearth-ready', 'default');
    }, Math.max(0, ms));
  }

  /** Shows every default and logs one error: hearth is off for this page. */
  _fail(message, cause) {
    clearTimeout(this.#timer);
    this.error = message;
    const reveal = (root) => {
      for (const el of placements(root)) if (!el.hasAttribute('data-hearth-ready')) el.setAttribute('data-hearth-ready', 'default');
    };
    reveal(this.#doc);
    // Placements the app adds later show their defaults too, not hidden until the CSS fallback.
    if (typeof MutationObserver !== 'undefined') {
      this.#observer?.disconnect();
      this.#observer = new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) reveal(n);
      });
      this.#observer.observe(this.#doc.documentElement ?? this.#doc, { childList: true, subtree: true });
    }
    this.#report(message, cause);
  }

  _start(engine, session, manifest) {
    this.engine = engine;
    this.session = session;
    this.manifest = manifest;
    this.#onClick = (e) => this.#click(e);
    this.#doc.addEventListener('click', this.#onClick, true);
    if (typeof MutationObserver !== 'undefined' && this.#opts.observe !== false) {
      this.#observer = new MutationObserver((records) => this.#mutated(records));
      this.#observer.observe(this.#doc.documentElement ?? this.#doc, { childList: true, subtree: true });
    }
  }

  /** Applies the first consent signals without re-rendering (nothing is shown yet). */
  _consent(signals) {
    this.#signals = signals;
    return this.#applyConsent();
  }

  _firstFill() {
    clearTimeout(this.#timer);
    this.#fillAll(false);
    const filled = performance.now();
    try {
      performance.mark('hearth:slots-filled');
      performance.measure('hearth:script-to-filled', 'hearth:script-start', 'hearth:slots-filled');
    } catch {
      // User Timing unavailable.
    }
    this.timings = { scriptStart: T0, filled: filled - T0, sinceNavigation: filled, timedOut: this.#timedOut };
  }

  // ---------- consent ----------

  /**
   * Merges new consent signals (`{choices}`, `{tcString}`, `{gpc}`, ... or
   * `{withdrawn: true}`) into what the page knows, applies them, and decides
   * the page again. Returns the session's consent outcome.
   */
  consent(signals = {}) {
    if (!this.session) return undefined;
    this.#signals = { ...this.#signals, ...signals };
    const outcome = this.#applyConsent();
    this.refresh();
    return outcome;
  }

  #applyConsent() {
    try {
      const outcome = this.session.consent(this.#signals);
      if (outcome?.storageDegraded) this.#report(`hearth: device storage failed (${outcome.storageDegraded}); the profile is kept in memory for this page only`);
      return outcome;
    } catch (e) {
      this.#report('hearth: consent signals were refused', e);
      return undefined;
    }
  }

  /** The consent signals currently applied. */
  get signals() {
    return { ...this.#signals };
  }

  /** What consent allows now (`store`, `useContent`, `measure`...). */
  get allowed() {
    return this.session ? this.session.allowed : [];
  }

  // ---------- context ----------

  /**
   * Merges `{attributes, claims, country, ...}` into the page context and decides again. New
   * claims are checked with WebCrypto meanwhile (the browser build has no Ed25519 of its own) and
   * the page decides once more with them; `presentClaims` waits for that instead.
   */
  setContext(context = {}) {
    this.#context = { ...this.#context, ...context };
    this.refresh();
    if (context.claims?.length) this.#verified(context.claims).then(() => this.refresh());
  }

  /**
   * Presents signed claims (e.g. after login); forged or expired ones are ignored by the engine.
   * Resolves once their signatures are checked and the page is decided with them.
   */
  async presentClaims(claims) {
    const list = [...claims];
    await this.#verified(list);
    this.#context = { ...this.#context, claims: list };
    this.refresh();
  }

  #verified(claims) {
    return Promise.resolve(this.engine?.verifyClaims(claims)).catch((e) => this.#report('hearth: could not verify the claims; they are ignored', e));
  }

  /** The context the next decision uses. */
  get context() {
    return browserContext(this.#context);
  }

  // ---------- decisions ----------

  /**
   * Decides every placement on the page again (after consent, a route
   * change, a claim, erase, mute) and re-renders from the page's own
   * defaults. Exposures of the new decisions are reported again.
   */
  refresh() {
    if (!this.session) return;
    this.#resetCache();
    this.#fillAll(true);
  }

  /** The answers behind what the page shows now, with their `reason`s. */
  get decisions() {
    const c = this.#cache;
    return { slots: { ...c.slots }, artworks: { ...c.artworks }, promotions: { ...c.promotions }, recommendations: { ...c.recommendations }, segments: [...c.segments] };
  }

  /**
   * Calls `cb(exposure)` for every decision shown, once per decision, only
   * while consent allows `measure`. Returns a function that unsubscribes.
   * An exposure is `{kind: 'slot'|'artwork'|'promotion'|'recommendations', ...}`.
   */
  onExposure(cb) {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  #resetCache() {
    this.#seq += 1;
    this.#cache = { slots: {}, artworks: {}, promotions: {}, recommendations: {}, segments: [] };
  }

  #mutated(records) {
    if (!this.session) return;
    const added = [];
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) added.push(...placements(n));
    const pending = added.filter((el) => !el.hasAttribute('data-hearth-ready') && el.isConnected);
    if (pending.length) this.#fill(pending, false);
  }

  #fillAll(again) {
    const els = placements(this.#doc).filter((el) => {
      // Rendered at the edge from the page's own template (a list, a promotion): adopted as it
      // is on first sight, rendered here again like any other element on refresh.
      if (this.#adopted.has(el)) {
        if (!again) return false;
        this.#adopted.delete(el);
        el.removeAttribute('data-hearth-decided');
        return true;
      }
      if (el.hasAttribute('data-hearth-decided')) {
        if (this.#adopt(el)) return false;
        el.removeAttribute('data-hearth-decided'); // the edge could not render it as this page would: render it here
        return true;
      }
      return again || !el.hasAttribute('data-hearth-ready');
    });
    this.#fill(els, again);
  }

  /** What the edge decided (worker/src/rewrite.js embeds it after the document), or {}. */
  #edge(kind, key) {
    if (this.#edgeAnswer === undefined) {
      this.#edgeAnswer = {};
      try {
        const s = this.#doc.getElementById('hearth-decisions');
        const v = s && s.type === 'application/json' ? JSON.parse(s.textContent) : null;
        if (plain(v)) this.#edgeAnswer = v;
      } catch {
        // Not there or not JSON: the elements' own attributes still say what was decided.
      }
    }
    const m = this.#edgeAnswer[kind];
    return plain(m) && Object.hasOwn(m, key) ? m[key] : undefined;
  }

  /**
   * An element decided at the edge (`data-hearth-decided`). Slots and artwork show their
   * decision and are kept as they are. A list or a promotion was rendered from the page's own
   * template (the template kept, the defaults hidden with `data-hearth-default`): it is adopted
   * when it shows what this module would have rendered, its defaults kept for later renders;
   * false when it must be rendered here instead. Exposures are reported once, as for a render.
   */
  #adopt(el) {
    const kind = kindOf(el);
    const decided = el.getAttribute('data-hearth-decided');
    if (kind === 'slot' || kind === 'artwork') {
      if (!el.hasAttribute('data-hearth-ready')) el.setAttribute('data-hearth-ready', 'edge');
      // The edge hid the defaults for a variant's template that the page turned out not to have:
      // the defaults (filled at the edge) are what this module would show.
      const kids = [...el.children];
      if (kind === 'slot' && !kids.some((n) => n.nodeName !== 'TEMPLATE' && !n.hasAttribute('data-hearth-default'))) {
        for (const n of kids) {
          if (n.getAttribute('data-hearth-default') === 'hidden') n.removeAttribute('hidden');
          n.removeAttribute('data-hearth-default');
        }
      }
      if (!this.#edgeSeen.has(el)) {
        this.#edgeSeen.add(el);
        this.#adoptedExposure(el, kind, decided);
      }
      return true;
    }
    const children = [...el.children];
    const marked = children.filter((n) => n.hasAttribute('data-hearth-default'));
    const defaults = marked.length ? marked : children.filter((n) => n.nodeName !== 'TEMPLATE');
    this.#originals.set(el, {
      nodes: defaults.map((n) => {
        const c = n.cloneNode(true);
        if (c.getAttribute('data-hearth-default') === 'hidden') c.removeAttribute('hidden');
        c.removeAttribute('data-hearth-default');
        return c;
      }),
      attrs: Object.fromEntries([...ATTRS].filter((a) => el.hasAttribute(a)).map((a) => [a, el.getAttribute(a)])),
      hidden: el.hidden,
    });
    const rendered = children.filter((n) => n.nodeName !== 'TEMPLATE' && !n.hasAttribute('data-hearth-default'));
    let ok;
    if (kind === 'recommend') {
      const ids = decided.split(' ').filter(Boolean);
      const shown = [...new Set(rendered.map((n) => n.getAttribute('data-hearth-item')))];
      const t = children.find((n) => n.nodeName === 'TEMPLATE' && !n.hasAttribute('data-hearth-variant'));
      ok = ids.length === 0 ? !marked.length : Boolean(t) && shown.join(' ') === ids.join(' ');
    } else {
      const t = decided ? this.#template(el, decided) : null;
      // Rendered from its template (defaults hidden), or in the default markup when it has none.
      ok = !decided || (marked.length ? Boolean(t) && rendered.length > 0 : !t);
    }
    if (!ok) return false;
    if (!el.hasAttribute('data-hearth-ready')) el.setAttribute('data-hearth-ready', 'edge');
    this.#adopted.add(el);
    this.#adoptedExposure(el, kind, decided);
    return true;
  }

  /** Records and reports an edge decision as `#render*` would have on showing it. */
  #adoptedExposure(el, kind, decided) {
    const c = this.#cache;
    if (kind === 'slot') {
      const id = el.getAttribute('data-hearth-slot');
      const d = this.#edge('slots', id);
      if (plain(d) && !d.error) c.slots[id] = d;
      this.#shown.set(el, { slot: id, variant: decided });
      this.#expose(`slot|${id}|${decided}`, () => {
        this.#safe(() => this.session.event({ type: 'impression', slot: id, variant: decided }));
        return { kind: 'slot', slot: id, variant: decided, propensity: d?.propensity, explored: d?.explored, codes: d?.codes };
      });
    } else if (kind === 'artwork') {
      const item = el.getAttribute('data-hearth-artwork');
      const d = this.#edge('artworks', item);
      if (plain(d) && !d.error) c.artworks[item] = d;
      this.#shown.set(el, { item, artwork: decided });
      this.#expose(`artwork|${item}|${decided}`, () => ({ kind: 'artwork', item, artwork: decided, propensity: d?.propensity, explored: d?.explored }));
    } else if (kind === 'recommend') {
      const list = el.getAttribute('data-hearth-recommend');
      const items = decided.split(' ').filter(Boolean);
      const recs = this.#edge('recommendations', list);
      c.recommendations[recKey(list, Number.parseInt(el.getAttribute('data-k') ?? '', 10))] = Array.isArray(recs) ? recs.filter((r) => items.includes(r?.item)) : items.map((item) => ({ item }));
      if (!items.length) return;
      this.#shown.set(el, { list });
      this.#expose(`recommend|${list}|${items.join(',')}`, () => ({ kind: 'recommendations', list, items }));
    } else {
      const placement = el.getAttribute('data-hearth-promotion');
      const a = this.#edge('promotions', placement);
      if (plain(a) && !a.error) c.promotions[placement] = a;
      if (!decided) return;
      const p = Array.isArray(a?.chosen) ? a.chosen.find((x) => x?.promotion === decided) : undefined;
      this.#shown.set(el, { promotion: decided, placement });
      this.#expose(`promotion|${placement}|${decided}`, () => {
        this.#safe(() => this.session.promotion(decided, 'impression'));
        return { kind: 'promotion', placement, promotion: decided, reason: p?.reason };
      });
    }
  }

  /** Decides what `els` need (one page() call, then one for artworks) and renders them. */
  #fill(els, again) {
    try {
      this.#observer?.takeRecords();
      const c = this.#cache;
      const need = { slots: new Set(), promotions: new Set(), recommend: new Map() };
      for (const el of els) {
        const kind = kindOf(el);
        if (kind === 'slot') {
          const id = el.getAttribute('data-hearth-slot');
          if (!(id in c.slots)) need.slots.add(id);
        } else if (kind === 'promotion') {
          const id = el.getAttribute('data-hearth-promotion');
          if (!(id in c.promotions)) need.promotions.add(id);
        } else if (kind === 'recommend') {
          const list = el.getAttribute('data-hearth-recommend');
          const k = Number.parseInt(el.getAttribute('data-k') ?? '', 10);
          const key = recKey(list, k);
          if (!(key in c.recommendations)) need.recommend.set(key, Number.isFinite(k) && k > 0 ? { list, k } : { list });
        }
      }
      if (need.slots.size || need.promotions.size || need.recommend.size) {
        const answer = this.session.page(
          { slots: [...need.slots], promotions: [...need.promotions], recommend: [...need.recommend.values()] },
          this.context,
        );
        Object.assign(c.slots, answer.slots);
        Object.assign(c.promotions, answer.promotions);
        for (const [key, { list }] of need.recommend) c.recommendations[key] = answer.recommendations[list];
        c.segments = answer.segments ?? c.segments;
        this.rejectedClaims = answer.rejectedClaims;
      }
      const artworks = [];
      for (const el of els) {
        const kind = kindOf(el);
        if (kind === 'slot') this.#renderSlot(el);
        else if (kind === 'promotion') this.#renderPromotion(el);
        else if (kind === 'recommend') artworks.push(...this.#renderRecommend(el));
        else artworks.push(el);
        // Artwork inside what was just rendered (a variant's template, say).
        if (kind !== 'artwork') artworks.push(...placements(el).filter((x) => x !== el && kindOf(x) === 'artwork'));
      }
      // Artwork last: recommendation items bring their own.
      const shown = [...new Set(artworks)].filter((el) => el.isConnected && (again || !el.hasAttribute('data-hearth-ready')));
      const want = [...new Set(shown.map((el) => el.getAttribute('data-hearth-artwork')).filter((id) => id && !(id in c.artworks)))];
      if (want.length) Object.assign(c.artworks, this.session.page({ artworks: want }, this.context).artworks);
      for (const el of shown) this.#renderArtwork(el);
      this.#observer?.takeRecords();
    } catch (e) {
      for (const el of els) if (!el.hasAttribute('data-hearth-ready')) el.setAttribute('data-hearth-ready', 'default');
      this.#report('hearth: deciding the page failed; showing the default content', e);
    }
  }

  /** Puts the element back to the page's own default content (kept on first sight). */
  #restore(el) {
    const saved = this.#originals.get(el);
    if (!saved) {
      const nodes = [...el.childNodes].filter((n) => n.nodeName !== 'TEMPLATE').map((n) => n.cloneNode(true));
      const attrs = {};
      for (const a of ATTRS) if (el.hasAttribute(a)) attrs[a] = el.getAttribute(a);
      this.#originals.set(el, { nodes, attrs, hidden: el.hidden });
      return;
    }
    for (const a of ATTRS) {
      if (a in saved.attrs) el.setAttribute(a, saved.attrs[a]);
      else el.removeAttribute(a);
    }
    el.hidden = saved.hidden;
    this.#replaceContent(el, saved.nodes.map((n) => n.cloneNode(true)));
  }

  /** Replaces everything but the <template>s in `el` with `nodes`. */
  #replaceContent(el, nodes) {
    for (const n of [...el.childNodes]) if (n.nodeName !== 'TEMPLATE') n.remove();
    const first = [...el.children].find((n) => n.nodeName === 'TEMPLATE');
    for (const n of nodes) el.insertBefore(n, first ?? null);
  }

  #template(el, id) {
    for (const t of el.children) if (t.nodeName === 'TEMPLATE' && t.getAttribute('data-hearth-variant') === id) return t;
    return null;
  }

  /** Done: shown with a decision (or the default, when `decided` is false). */
  #ready(el, decided, key) {
    el.setAttribute('data-hearth-ready', decided ? 'decided' : 'default');
    if (decided) this.#shown.set(el, key);
    else this.#shown.delete(el);
  }

  #renderSlot(el) {
    const id = el.getAttribute('data-hearth-slot');
    const d = this.#cache.slots[id];
    this.#restore(el); // first sight: remembers the defaults; later: puts them back
    if (!d || d.error) {
      if (d?.error) el.setAttribute('data-hearth-error', d.error);
      return this.#ready(el, false);
    }
    el.removeAttribute('data-hearth-error');
    const t = this.#template(el, d.variant);
    if (t) this.#replaceContent(el, [this.#doc.importNode(t.content, true)]);
    // Values fill the default markup or the chosen template's placeholders.
    for (const n of el.childNodes) if (n.nodeName !== 'TEMPLATE' && n.nodeType === 1) fill(n, d.content ?? {});
    el.setAttribute('data-hearth-variant', d.variant);
    this.#ready(el, true, { slot: id, variant: d.variant });
    this.#expose(`slot|${id}|${d.variant}`, () => {
      this.#safe(() => this.session.event({ type: 'impression', slot: id, variant: d.variant }));
      return { kind: 'slot', slot: id, variant: d.variant, propensity: d.propensity, explored: d.explored, codes: d.codes };
    });
  }

  #renderPromotion(el) {
    const placement = el.getAttribute('data-hearth-promotion');
    const a = this.#cache.promotions[placement];
    this.#restore(el);
    if (!a || a.error || !a.chosen?.length) {
      if (a?.error) el.setAttribute('data-hearth-error', a.error);
      el.removeAttribute('data-hearth-variant');
      return this.#ready(el, false);
    }
    const p = a.chosen[0];
    const t = this.#template(el, p.promotion);
    if (t) this.#replaceContent(el, [this.#doc.importNode(t.content, true)]);
    for (const n of el.childNodes) if (n.nodeName !== 'TEMPLATE' && n.nodeType === 1) fill(n, p.content ?? {});
    el.setAttribute('data-hearth-variant', p.promotion);
    this.#ready(el, true, { promotion: p.promotion, placement });
    this.#expose(`promotion|${placement}|${p.promotion}`, () => {
      this.#safe(() => this.session.promotion(p.promotion, 'impression'));
      return { kind: 'promotion', placement, promotion: p.promotion, reason: p.reason };
    });
  }

  /** Renders a list; returns the artwork elements its items carry. */
  #renderRecommend(el) {
    const list = el.getAttribute('data-hearth-recommend');
    const k = Number.parseInt(el.getAttribute('data-k') ?? '', 10);
    const recs = this.#cache.recommendations[recKey(list, k)];
    this.#restore(el);
    const t = [...el.children].find((n) => n.nodeName === 'TEMPLATE' && !n.hasAttribute('data-hearth-variant'));
    if (!Array.isArray(recs) || !t || !recs.length) {
      if (recs?.error) el.setAttribute('data-hearth-error', recs.error);
      this.#ready(el, false);
      return placements(el).filter((x) => x !== el && kindOf(x) === 'artwork');
    }
    const nodes = [];
    const arts = [];
    for (const r of recs) {
      const frag = this.#doc.importNode(t.content, true);
      const values = { ...r.content, title: r.title ?? r.content?.title ?? '', reason: r.reason, item: r.item };
      for (const n of frag.children) {
        n.setAttribute('data-hearth-item', r.item);
        fill(n, values);
      }
      for (const img of frag.querySelectorAll('[data-hearth-artwork]')) {
        if (!img.getAttribute('data-hearth-artwork')) img.setAttribute('data-hearth-artwork', r.item);
        arts.push(img);
      }
      nodes.push(frag);
    }
    this.#replaceContent(el, nodes);
    this.#ready(el, true, { list });
    this.#expose(`recommend|${list}|${recs.map((r) => r.item).join(',')}`, () => ({ kind: 'recommendations', list, items: recs.map((r) => r.item) }));
    return arts;
  }

  #renderArtwork(el) {
    const item = el.getAttribute('data-hearth-artwork');
    const d = this.#cache.artworks[item];
    this.#restore(el);
    if (!d || d.error) {
      if (d?.error) el.setAttribute('data-hearth-error', d.error);
      return this.#ready(el, false);
    }
    el.removeAttribute('data-hearth-error');
    const content = d.content ?? {};
    // A new src with the old srcset would keep showing the old image.
    if (content.src !== undefined && content.srcset === undefined) el.removeAttribute('srcset');
    for (const a of ATTRS) if (a !== 'href' && content[a] !== undefined) setSafeAttr(el, a, content[a]);
    el.setAttribute('data-hearth-variant', d.artwork);
    this.#ready(el, true, { item, artwork: d.artwork });
    this.#expose(`artwork|${item}|${d.artwork}`, () => ({ kind: 'artwork', item, artwork: d.artwork, propensity: d.propensity, explored: d.explored }));
  }

  /** Once per decision: records it (`record()`), then tells listeners if `measure` is allowed. */
  #expose(key, record) {
    const k = `${this.#seq}|${key}`;
    if (this.#exposed.has(k)) return;
    this.#exposed.add(k);
    const exposure = record();
    if (!this.#listeners.size || !this.allowed.includes('measure')) return;
    for (const cb of this.#listeners) {
      try {
        cb(exposure);
      } catch (e) {
        console.error('hearth: an onExposure callback threw', e);
      }
    }
  }

  #click(e) {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    const dismiss = target.closest('[data-hearth-dismiss]');
    const promo = target.closest('[data-hearth-promotion]');
    if (dismiss && promo) {
      const shown = this.#shown.get(promo);
      if (shown?.promotion) {
        e.preventDefault();
        this.dismiss(shown.promotion);
        promo.hidden = true;
      }
      return;
    }
    const itemEl = target.closest('[data-hearth-item]');
    if (itemEl) this.click(itemEl.getAttribute('data-hearth-item'));
    const slot = target.closest('[data-hearth-slot]');
    const s = slot && this.#shown.get(slot);
    if (s?.slot) this.#safe(() => this.session.event({ type: 'slotClick', slot: s.slot, variant: s.variant }));
  }

  // ---------- tracking helpers ----------

  view(item) {
    return this.#safe(() => this.session.view(String(item)));
  }
  click(item) {
    return this.#safe(() => this.session.click(String(item)));
  }
  addToCart(item) {
    return this.#safe(() => this.session.addToCart(String(item)));
  }
  purchase(item) {
    return this.#safe(() => this.session.purchase(String(item)));
  }
  /** Browsing a taxonomy category (the tag, never free text). */
  search(tag) {
    return this.#safe(() => this.session.search(String(tag)));
  }
  /** The visitor dismissed a promotion (starts its cooldown). */
  dismiss(promotion) {
    return this.#safe(() => this.session.dismiss(String(promotion)));
  }
  /** The visitor took up a promotion. */
  convert(promotion) {
    return this.#safe(() => this.session.promotion(String(promotion), 'conversion'));
  }

  // ---------- the visitor's controls ----------

  /** Everything hearth holds about the visitor (for a "Your data" panel). */
  export() {
    return this.#safe(() => this.session.export());
  }
  /** Stops learning (decisions still use what is known). */
  pause() {
    this.#safe(() => this.session.pause());
  }
  resume() {
    this.#safe(() => this.session.resume());
  }
  /** Removes a topic's influence, and decides the page again. */
  mute(tag) {
    this.#safe(() => this.session.mute(String(tag)));
    this.refresh();
  }
  unmute(tag) {
    this.#safe(() => this.session.unmute(String(tag)));
    this.refresh();
  }
  /** Deletes everything hearth stored; consent is undetermined again and the defaults come back. */
  erase() {
    const r = this.#safe(() => this.session.erase());
    this.#signals = {};
    this.refresh();
    return r;
  }

  /** Stops observing the page and listening to clicks. */
  disconnect() {
    this.#observer?.disconnect();
    if (this.#onClick) this.#doc.removeEventListener('click', this.#onClick, true);
  }

  #safe(f) {
    if (!this.session) return undefined;
    try {
      return f();
    } catch (e) {
      this.#report('hearth: a call into the engine failed', e);
      return undefined;
    }
  }

  /** One console.error per page: the first problem, clearly. */
  #report(message, cause) {
    if (typeof this.#opts.onError === 'function') {
      try {
        this.#opts.onError(Object.assign(new Error(message), { cause }));
      } catch {
        // The site's handler must not break the page.
      }
    }
    if (this.#reported) return;
    this.#reported = true;
    const why = cause === undefined ? '' : `: ${cause instanceof Error ? cause.message : String(cause)}`;
    console.error(`${message}${why}`);
  }
}

const recKey = (list, k) => `${list}|${Number.isFinite(k) && k > 0 ? k : ''}`;

const adopted = new WeakSet();
function adoptHideRule(doc) {
  if (adopted.has(doc)) return;
  adopted.add(doc);
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(HIDE_CSS);
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  } catch {
    // No constructable stylesheets: the site's own copy of HIDE_CSS (if any) and the timeout still hold.
  }
}

/** The browser's own privacy signals: GPC and DNT, only when set. */
function browserSignals() {
  const s = {};
  if (typeof navigator !== 'undefined') {
    if (navigator.globalPrivacyControl === true) s.gpc = true;
    if (navigator.doNotTrack === '1' || globalThis.doNotTrack === '1') s.dnt = true;
  }
  return s;
}

/**
 * Listens to an IAB TCF v2 CMP when the page has one: `onChange({tcString, tcfPurposes})`
 * on every consent the CMP reports. Resolves once the CMP first answered (or
 * at once without a CMP), so the first decision can wait for it.
 */
function listenTcf(onChange) {
  const api = globalThis.__tcfapi;
  if (typeof api !== 'function') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    try {
      api('addEventListener', 2, (tcData, success) => {
        if (!success || !tcData) return resolve(undefined);
        const status = tcData.eventStatus;
        if (status === 'tcloaded' || status === 'useractioncomplete') {
          const tc = tcData.gdprApplies === false ? undefined : tcData.tcString;
          // The CMP's own reading of the string: the browser build decodes no TC strings.
          if (tc) onChange({ tcString: tc, tcfPurposes: consentedPurposes(tcData) });
          resolve(tc);
        } else resolve(undefined); // cmpuishown: the visitor has not chosen yet
      });
    } catch {
      resolve(undefined);
    }
  });
}

/** The purpose numbers `TCData.purpose.consents` marks true (`{"1": true, "2": false, ...}`). */
function consentedPurposes(tcData) {
  const consents = tcData.purpose?.consents ?? {};
  return Object.keys(consents).filter((p) => consents[p] === true).map(Number).filter((p) => p >= 1 && p <= 24);
}

const COMPILED = [72, 69, 65, 82, 84, 72, 99]; // "HEARTHc", what a compiled manifest starts with

/** `{input}` for `Hearth.load` (JSON text, or a compiled manifest's bytes), with `doc` when given as an object. */
async function loadManifest(manifest) {
  if (typeof manifest === 'string' || manifest instanceof URL) {
    const res = await fetch(manifest, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${manifest}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { input: COMPILED.every((b, i) => bytes[i] === b) ? bytes : new TextDecoder().decode(bytes) };
  }
  if (manifest instanceof Uint8Array || manifest instanceof ArrayBuffer) return { input: manifest };
  if (plain(manifest)) return { input: JSON.stringify(manifest), doc: manifest };
  throw new TypeError('`manifest` must be a URL, a manifest object or a compiled manifest');
}

function mark(name) {
  try {
    performance.mark(name);
  } catch {
    // User Timing unavailable.
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts hearth on this page: loads the Wasm and the manifest, applies the
 * consent signals it can find (the site's `consent`, GPC, DNT, a TCF CMP),
 * fills every placement, and keeps filling the ones added later. Never
 * rejects: on failure the page keeps its defaults, `page.error` says why,
 * and one console.error was logged.
 * @param {import('./dom.js').PageOptions} options
 */
export async function mount(options = {}) {
  const page = new HearthPage(options);
  page._begin();
  const deadline = performance.now() + (Number.isFinite(options.timeoutMs) ? options.timeoutMs : 300);
  let engine;
  let manifest;
  try {
    const [loaded] = await Promise.all([
      loadManifest(options.manifest).then((m) => (mark('hearth:manifest-fetched'), m)).catch((e) => Promise.reject(new Error(`could not load the manifest (${e.message})`))),
      loadWasm(options.wasmUrl ?? (options.features ? new URL('./hearth_features_bg.wasm', import.meta.url) : undefined)).then(() => mark('hearth:wasm-ready')).catch((e) => Promise.reject(new Error(`could not load the Wasm engine (${e.message})`))),
    ]);
    try {
      engine = await Hearth.loadAsync(loaded.input, { decryptionKey: options.decryptionKey });
    } catch (e) {
      const where = typeof options.manifest === 'string' || options.manifest instanceof URL ? ` ${options.manifest}` : '';
      throw new Error(`the manifest${where} is not valid (${String(e.message).trim().replace(/\n\s*/g, '; ')})`);
    }
    mark('hearth:engine-loaded');
    // A compiled manifest has no document: its labels are what pages read of one.
    manifest = loaded.doc ?? (typeof loaded.input === 'string' ? tryParse(loaded.input) : engine.labels);
  } catch (e) {
    page._fail(`hearth: ${e.message}; showing the default content`);
    return page;
  }
  try {
    const session = engine.session({ storage: options.storage ?? 'localStorage', ...(options.session ?? {}) });
    page._start(engine, session, manifest);
    const signals = { ...browserSignals(), ...(options.consent ?? {}) };
    page._consent(signals);
    // A CMP that answers before the deadline decides the first render; a later answer re-decides.
    let first = true;
    const tcf = listenTcf((s) => {
      if (first) page._consent({ ...page.signals, ...s });
      else page.consent(s);
    });
    // Claims in the first context are checked (WebCrypto) while the CMP answers.
    const claims = options.context?.claims ? engine.verifyClaims(options.context.claims).catch((e) => console.error('hearth: could not verify the claims; they are ignored', e)) : undefined;
    await Promise.race([Promise.all([tcf, claims]), sleep(Math.max(0, deadline - performance.now() - 20))]);
    first = false;
    page._firstFill();
  } catch (e) {
    page._fail('hearth: starting the engine failed; showing the default content', e);
  }
  return page;
}

function tryParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
