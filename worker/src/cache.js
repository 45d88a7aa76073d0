// What the worker keeps between requests, per isolate (worker/README.md, "Rendered pages, kept
// per isolate", has the rules and the reasons).
//
// Rewriting a page costs a JS call per element the rewriter matches (about 30-75 us each in
// workerd, see BENCHMARKS.md), a few milliseconds per page. So, per origin page (`originKey`: its
// URL, validators, length, type and encoding; only pages a shared cache could keep) and learned
// layout (`Layouts#generation`), the worker keeps:
// - whole pages, by the embedded answer's text, for visitors decided from the request alone
//   (no content consent): equal answers mean the rewriter would make the same calls with the
//   same results, so write the same bytes. A request's answer comes from replaying the calls the
//   page's first rendering made (decisions.js `lazyAnswer`), which depend only on the page and
//   the layout;
// - shells (decisions.js `makeShell`), by the decisions' shape, for every visitor: the page with
//   each list's items and the decisions script left as holes, filled per visitor;
// - what requests decided from their headers alone decided (`answerMemo`), until the engine's
//   `stableUntil`, so a repeat request needs no engine;
// - each origin page's templates (`templateStore`).
// Nothing kept is a cookie or a header; a profile visitor's page is never kept whole.

/** What the rewriter learned about containers' templates (rewrite.js), with a counter that moves on every change. */
export class Layouts extends Map {
  generation = 0;
  set(key, value) {
    if (!sameLayout(this.get(key), value)) this.generation++;
    return super.set(key, value);
  }
  delete(key) {
    if (this.has(key)) this.generation++;
    return super.delete(key);
  }
  clear() {
    if (this.size) this.generation++;
    super.clear();
  }
}

function sameLayout(a, b) {
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((v) => b.has(v));
  return a === b;
}

const DEFAULT_LIMITS = {
  /** Origin pages (URL and validators) remembered. */
  pages: 64,
  /** Whole pages (distinct answers), and shells (distinct shapes), of one origin page. */
  variants: 16,
  /** Bytes of whole pages and shells kept in all. */
  bytes: 16 * 1024 * 1024,
};

/**
 * The origin response's headers hearth reads, each read once (every read is a call into the
 * runtime, about 1 us in workerd).
 */
export function originHeaders(res) {
  const h = res.headers;
  const get = (n) => h.get(n);
  return {
    type: get('Content-Type'),
    encoding: get('Content-Encoding'),
    length: get('Content-Length'),
    etag: get('ETag'),
    modified: get('Last-Modified'),
    cacheControl: get('Cache-Control'),
    setCookie: get('Set-Cookie'),
    vary: get('Vary'),
    age: get('Age'),
  };
}

/**
 * How long a shared cache may serve the origin's response without asking it again (RFC 9111
 * 4.2.1): `s-maxage`, else `max-age`, less its `Age`; in ms, 0 when it gives none. (`Expires` and
 * heuristic freshness are not used: such a page is revalidated every time.)
 */
export function freshFor(cacheControl, age) {
  const cc = cacheControl ?? '';
  const m = /(?:^|[\s,])s-maxage\s*=\s*"?(\d+)/i.exec(cc) ?? /(?:^|[\s,])max-age\s*=\s*"?(\d+)/i.exec(cc);
  if (!m) return 0;
  const a = Number(age ?? 0);
  return Math.max(0, Number(m[1]) - (Number.isInteger(a) && a > 0 ? a : 0)) * 1000;
}

/**
 * Whether a request lets a cache answer it with a stored page it has not revalidated (RFC 9111
 * 5.2.1.4 `no-cache`, `max-age=0`, `Pragma: no-cache`; 3.5: never for a request with `Authorization`).
 */
export function acceptsStored(headers) {
  const cc = headers.get('Cache-Control');
  if (cc !== null && /(?:^|[\s,])(no-cache|no-store|max-age\s*=\s*"?0+"?(?:$|[\s,]))/i.test(cc)) return false;
  const pragma = headers.get('Pragma');
  if (pragma !== null && /no-cache/i.test(pragma)) return false;
  return !headers.has('Authorization');
}

/**
 * What identifies an origin page's bytes: its URL and validators, length, type and encoding; or
 * `null` for a page a shared cache could not keep (no validator or length; `private`,
 * `no-store`, `no-cache`; Set-Cookie; Vary on anything but Accept-Encoding).
 */
export function originKey(request, res, h = originHeaders(res)) {
  if (h.length === null || (h.etag === null && h.modified === null)) return null;
  if (/(^|[\s,])(private|no-store|no-cache)\b/i.test(h.cacheControl ?? '')) return null;
  if (h.setCookie !== null) return null;
  const vary = (h.vary ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
  if (vary.some((v) => v !== 'accept-encoding')) return null;
  return [request.url, h.etag, h.modified, h.length, h.type, h.encoding].join('\n');
}

/**
 * The last page each URL gave that a shared cache could keep (`originKey`), with its validators,
 * response head and freshness (`freshUntil`, from `freshFor`): while it is fresh, a request whose
 * page was kept is answered without the origin; after, it asks the origin only whether the page
 * changed (`If-None-Match` / `If-Modified-Since`), and a 304 costs neither side the body and makes
 * it fresh again. Freshness is only for requests that send the origin no cookies (hearth's own
 * are never sent), and only from such a request's page: an origin page can depend on the site's
 * cookies without saying so (no `Vary`), which a revalidation catches (another ETag) and a fresh
 * copy would not. The head is an origin page's own (no `Set-Cookie`: `originKey` would be
 * `null`), never a visitor's.
 */
export function originPages(limits = {}) {
  const max = limits.pages ?? 64;
  const pages = new Map(); // URL -> { origin, etag, modified, cacheControl, status, statusText, headers, freshUntil }, oldest first
  return {
    get: (url) => pages.get(url) ?? null,
    /**
     * Notes that `url` gave `res` at `t` (key `origin`, headers read as `h`); copies the headers
     * only for a new page. Only an `anonymous` request's answer (no cookies of the site's own)
     * makes the page fresh; another's leaves a known page's freshness as it was, and a new one stale.
     */
    note(url, origin, res, h, t, anonymous) {
      const freshUntil = anonymous ? t + freshFor(h.cacheControl, h.age) : 0;
      const known = pages.get(url);
      if (known?.origin === origin) {
        if (anonymous) known.freshUntil = freshUntil;
        return;
      }
      pages.delete(url);
      pages.set(url, { origin, etag: h.etag, modified: h.modified, cacheControl: h.cacheControl, status: res.status, statusText: res.statusText, headers: new Headers(res.headers), freshUntil });
      while (pages.size > max) pages.delete(pages.keys().next().value);
    },
    /** The origin answered an `anonymous` request's condition on `page` with 304 at `t`: fresh again for what the 304 (else the page) says. */
    revalidated(page, res, t, anonymous) {
      if (!anonymous) return;
      const h = res.headers;
      page.freshUntil = t + freshFor(h.get('Cache-Control') ?? page.cacheControl, h.get('Age'));
    },
  };
}

/**
 * The key of an origin page's renderings (`originKey`) with the layout they were rendered with,
 * or `null` for a page a shared cache could not keep (it is rewritten for every request).
 */
export function pageKey(origin, generation) {
  return origin === null ? null : `${origin}\n${generation}`;
}

/**
 * Template contents read from each origin page (`originKey`), for every visitor: a page read once
 * renders its lists' and promotions' templates from them (rewrite.js), sparing the handler calls
 * that collect a template (about 30 for the demo's card). Same bytes, same templates: a changed
 * page has a new key and is read again.
 */
export function templateStore(limits = {}) {
  const max = limits.pages ?? 64;
  const pages = new Map(); // origin key -> Map(template key -> [tokens of each container's template, in page order])
  return {
    get: (origin) => pages.get(origin) ?? null,
    /** Adds what a complete, clean render of `origin` read (`collected`). */
    add(origin, collected) {
      let known = pages.get(origin);
      if (!known) {
        known = new Map();
        pages.set(origin, known);
        while (pages.size > max) pages.delete(pages.keys().next().value);
      }
      for (const [k, tokens] of collected) known.set(k, tokens);
    },
  };
}

/**
 * An isolate's rendered pages: `lookup` before rendering, `store`/`storeShell` after a rendering
 * that went through cleanly. Per origin page (`pageKey`):
 * - `variants`: whole pages, by the answer's text (visitors decided from the request alone);
 * - `shells`: the page with each list's items and the decisions script left as holes, by the
 *   decisions' `shape` (lazyAnswer; what the rest of the markup depends on), for any visitor:
 *   decisions.js `fillShell` fills them from a visitor's own decisions.
 */
export function renderCache(limits = {}) {
  const max = { ...DEFAULT_LIMITS, ...limits };
  const pages = new Map(); // key -> { calls, variants: Map(answer text -> Blob), shells: Map(shape -> shell) }, oldest first
  const seen = new Set(); // keys rendered once (a shell costs a second rendering: only for pages that come back)
  let bytes = 0;
  const sizeOf = (v) => v.size ?? 0; // a Blob's bytes, or a shell's (makeShell)

  const drop = (key) => {
    const p = pages.get(key);
    if (!p) return;
    for (const m of [p.variants, p.shells]) for (const v of m.values()) bytes -= sizeOf(v);
    pages.delete(key);
  };
  const touch = (key, p) => {
    pages.delete(key); // most recently used last
    pages.set(key, p);
  };
  const entry = (key, calls) => {
    let p = pages.get(key);
    if (!p) {
      p = { calls, callsText: JSON.stringify(calls), variants: new Map(), shells: new Map() };
      pages.set(key, p);
      while (pages.size > max.pages) drop(pages.keys().next().value);
    }
    return p;
  };
  /** Adds `value` to one of a page's maps, within the limits. */
  const keep = (m, k, value) => {
    const size = sizeOf(value);
    if (size > max.bytes || m.has(k)) return;
    m.set(k, value);
    bytes += size;
    if (m.size > max.variants) {
      const [oldest, v] = m.entries().next().value;
      m.delete(oldest);
      bytes -= sizeOf(v);
    }
    while (bytes > max.bytes && pages.size) drop(pages.keys().next().value);
  };

  return {
    /**
     * What was rendered for `key` that fits the decisions `page` gives: `{text, body}` (the whole
     * page, when `whole`), `{text, shell}`, `{text}` (neither; `unusable` when the shell for these
     * decisions cannot serve them), or `null`. Makes the page's decisions on `page` (as its
     * first rendering did), so a miss renders with them as they are.
     */
    lookup(key, page, whole) {
      const p = pages.get(key);
      if (!p) return null;
      const text = page.replay(p.calls);
      if (text === null) return null;
      const body = whole ? p.variants.get(text) : undefined;
      const shell = body ? undefined : p.shells.get(page.shape(p.calls));
      // A shell made with other calls than these (which the rewriter avoids) could order the answer otherwise.
      if (shell && shell.calls !== p.callsText) return { text, unusable: true };
      if (!body && !shell) return { text };
      touch(key, p);
      return body ? { text, body } : { text, shell };
    },
    /** The whole page rendered for `key` with the decisions whose answer is `text`, or `null`. */
    get(key, text) {
      const p = pages.get(key);
      const body = p?.variants.get(text);
      if (!body) return null;
      touch(key, p);
      return body;
    },
    /** Whether `key` was rendered before (and now it has been). */
    again(key) {
      if (seen.has(key) || pages.has(key)) return true;
      seen.add(key);
      if (seen.size > 4 * max.pages) seen.delete(seen.values().next().value);
      return false;
    },
    /** Whether `key` has a shell for decisions of this `shape`. */
    hasShell: (key, shape) => pages.get(key)?.shells.has(shape) ?? false,
    /** Keeps a whole page (a Blob: immutable, shared by every response) by its answer's `text`. */
    store: (key, calls, text, body) => keep(entry(key, calls).variants, text, body),
    /** Keeps a shell (decisions.js `makeShell`) by the decisions' `shape`, with the calls that made it. */
    storeShell: (key, calls, shape, shell) => keep(entry(key, calls).shells, shape, { ...shell, calls: JSON.stringify(calls) }),
    /** Pages and bytes held (for tests and logs). */
    stats: () => ({
      pages: pages.size,
      variants: [...pages.values()].reduce((n, p) => n + p.variants.size, 0),
      shells: [...pages.values()].reduce((n, p) => n + p.shells.size, 0),
      bytes,
    }),
  };
}

/**
 * What a request's decisions are made from when no profile and no stored id take part (no
 * content and no storage consent): its consent signals, whether it carried a digest cookie (which
 * is then deleted) and its page context. The engine is a function of these and the clock.
 */
export function answerKey({ signals, incoming, context }) {
  return JSON.stringify([signals, incoming !== null, context]);
}

/**
 * Answers of requests decided from their headers alone (`answerKey`), on each page (`pageKey`),
 * each valid until its `PreparedPage#stableUntil`: the engine's decisions for the same inputs do
 * not change before then. Lets the worker serve a rendered page without calling the engine.
 */
export function answerMemo(limits = {}) {
  const max = limits.answers ?? 1024;
  const entries = new Map(); // answer key -> { until, mode, setCookie, pages: Map(page key -> answer text) }
  return {
    /** Whether `key` has answers valid at `t`. */
    known(key, t) {
      const e = entries.get(key);
      return e !== undefined && t < e.until;
    },
    /** `{text, mode, setCookie}` for `key` on `page` at `t`, or `null`. */
    get(key, page, t) {
      const e = entries.get(key);
      const text = e && t < e.until ? e.pages.get(page) : undefined;
      return text === undefined ? null : { text, mode: e.mode, setCookie: e.setCookie };
    },
    /**
     * Remembers what `key` decided on `page` at `t` (`until`: the prepared page's `stableUntil`).
     * Entries past their time go first: a request's key (its context and consent signals) is
     * held in memory for about a minute at most, never logged or stored.
     */
    put(key, page, t, { until, text, mode, setCookie }) {
      for (const [k, old] of entries) {
        if (old.until > t) break; // oldest first: entries are made in time order
        entries.delete(k);
      }
      let e = entries.get(key);
      if (!e || e.until !== until) {
        e = { until, mode, setCookie, pages: new Map() };
        entries.delete(key);
        entries.set(key, e);
        while (entries.size > max) entries.delete(entries.keys().next().value);
      }
      if (e.pages.size >= 64 && !e.pages.has(page)) e.pages.clear();
      e.pages.set(page, text);
    },
    size: () => entries.size,
  };
}
