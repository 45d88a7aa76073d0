// What a page decided at the edge: the decisions made as the rewriter meets elements
// (`lazyAnswer`, rewrite.js), the script that embeds them, and shells (a page rendered for
// decisions of one shape, with holes for what differs per visitor) filled from them (cache.js).

import { renderTemplate } from './template.js';

export function isError(x) {
  return !x || typeof x !== 'object' || 'error' in x;
}

/** Ids as the manifest allows them (docs/manifest.md): safe inside a quoted selector value. */
export const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A list's items as a page shows them: the first `k` when the page gives a `k` (data-k), else all. */
export const firstK = (recs, k) => (k > 0 ? recs.slice(0, k) : recs);

const SCRIPT_ESCAPES = { '<': '\\u003c', '\u2028': '\\u2028', '\u2029': '\\u2029' };
/** Escapes JSON for a <script> element: no `</script>`, `<!--` or line separators (one pass). */
export function scriptJson(answer) {
  return JSON.stringify(answer).replace(/[<\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]);
}

/**
 * Decisions made as the rewriter meets elements, each once per page view, against one
 * `PreparedPage` (js/hearth.js): only what the page contains is decided. `answer()` is
 * what was decided, in the shape of `Session#page`'s answer.
 *
 * `calls()` lists the rewriter's calls, in order; none of their arguments comes from a decision
 * (a list's artworks are asked for by list), and which calls a page makes depends only on its
 * markup and the layout learned, not on what was decided. `replay(calls)` makes them again and
 * gives the answer's text, so another request's page can be matched to a rendering (cache.js).
 */
export function lazyAnswer(prepared) {
  const kinds = { slots: new Map(), artworks: new Map(), promotions: new Map(), recommendations: new Map() };
  const met = new Set(); // placements the page has (others may be decided ahead, see `promotion`)
  const calls = [];
  let failed = false;
  let changed = 0; // counts what was decided (and placements met): the answer's text is made once per count
  let text = { at: -1, value: null };
  let depth = 0; // calls made by other calls are not logged
  const once = (kind, key, f) => {
    const m = kinds[kind];
    if (failed) return undefined; // the engine failed once on this page: the rest stays as the origin sent it
    if (!m.has(key)) {
      changed++;
      try {
        f(m);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
    return m.get(key);
  };
  const logged = (name, f) => (...args) => {
    if (depth === 0) calls.push([name, ...args]);
    depth++;
    try {
      return f(...args);
    } finally {
      depth--;
    }
  };
  const api = {
    slot: logged('slot', (id) => once('slots', id, (m) => m.set(id, prepared.decide(id)))),
    artwork: logged('artwork', (item) => once('artworks', item, (m) => m.set(item, prepared.artworks([item])?.[item]))),
    /** Several artworks in one call into the engine. */
    artworks: logged('artworks', (items) => {
      const want = [...new Set(items.filter((i) => !kinds.artworks.has(i)))];
      if (want.length) {
        once('artworks', want[0], (m) => {
          const got = prepared.artworks(want) ?? {};
          for (const i of want) m.set(i, Object.hasOwn(got, i) ? got[i] : undefined);
        });
      }
      return (item) => (failed ? undefined : kinds.artworks.get(item));
    }),
    /** The artworks of a recommended list's items: for each item, each of `refs` (a template's
     * data-hearth-artwork values; empty: the item itself). */
    listArtworks: logged('listArtworks', (list, k, refs) => {
      const recs = kinds.recommendations.get(list);
      const items = Array.isArray(recs) ? firstK(recs, k) : [];
      return api.artworks(items.flatMap((r) => refs.map((v) => v || r.item)));
    }),
    /** A placement's promotions; `peek`: decided ahead of the page, embedded only once the page has the placement. */
    promotion: logged('promotion', (placement, peek = false) => {
      if (!peek && !met.has(placement)) {
        met.add(placement);
        changed++;
      }
      return once('promotions', placement, (m) => m.set(placement, prepared.promotions(placement)));
    }),
    /** The list as the browser module asks for it (`k` when the page gives one); the first ask of a list on the page wins. */
    recommend: logged('recommend', (list, k) => once('recommendations', list, (m) => m.set(list, prepared.recommend(list, k)))),
    /** Decided so far; `null` when the page had nothing to decide. Own keys only (`__proto__` is data). */
    answer() {
      const out = {};
      let any = false;
      for (const [kind, m] of Object.entries(kinds)) {
        const entries = kind === 'promotions' ? [...m].filter(([k]) => met.has(k)) : [...m];
        if (entries.length) any = true;
        out[kind] = Object.fromEntries(entries);
      }
      return any ? out : null;
    },
    /** `scriptJson(answer())`, made again only once more was decided. */
    text() {
      if (text.at !== changed) text = { at: changed, value: scriptJson(api.answer()) };
      return text.value;
    },
    /** Whether the engine failed on this page (what was not decided stayed as the origin sent it). */
    failed: () => failed,
    /**
     * The decisions as far as the page's markup depends on them outside its lists' items and the
     * decisions script (see `fillShell`), as text: what `rewriter` reads of each (a slot's variant
     * and content, an artwork's, the first chosen promotion's; whether a list has items). `made`:
     * the calls (default: this page's own; a replayed list for a page matched by `replay`).
     */
    shape(made = calls) {
      const out = [];
      for (const [name, id, k] of made) {
        if (name === 'slot' || name === 'artwork') {
          const d = kinds[name === 'slot' ? 'slots' : 'artworks'].get(id);
          out.push(isError(d) ? 0 : [d.variant ?? d.artwork, d.content ?? null]);
        } else if (name === 'promotion') {
          const p = kinds.promotions.get(id);
          const c = !isError(p) && Array.isArray(p.chosen) ? p.chosen[0] : 0;
          out.push(c ? [c.promotion, c.content ?? null] : c === undefined ? 1 : 0);
        } else if (name === 'recommend') {
          const r = kinds.recommendations.get(id);
          out.push(Array.isArray(r) ? (firstK(r, k).length ? 1 : 2) : 0);
        }
      }
      return JSON.stringify(out);
    },
    calls: () => calls.slice(),
    /** Makes `calls` on this page and gives the answer's text (`scriptJson`), or `null` when the engine failed. */
    replay(list) {
      depth++; // the page's own calls stay what its rewriter made
      try {
        for (const [name, ...args] of list) api[name](...args);
      } finally {
        depth--;
      }
      return failed ? null : api.text();
    },
  };
  return api;
}

/** The `data-hearth-artwork` values in a template's tokens (an item's artworks). */
export const artworkRefs = (tokens) => tokens.flatMap((t) => (t.t === 's' ? t.attrs.filter(([n]) => n === 'data-hearth-artwork').map(([, v]) => v) : []));

/**
 * Rendered list items, per template (its tokens, which the template store and shells keep), by
 * everything `renderTemplate` reads for an item: its fields and the decisions of its artworks.
 * Items recur across visitors (the catalog is the manifest's), so most renderings are found here.
 * Keyed by what an item shows, never by who it was shown to; at most `MAX_ITEMS` per template.
 */
const renderedItems = new WeakMap(); // tokens -> Map(key -> HTML), oldest first
const MAX_ITEMS = 1024;

/** A list's items as the browser module renders them: one filled copy of the template each. */
export function renderList(page, { list, k, tokens }, items) {
  const refs = artworkRefs(tokens);
  const artwork = refs.length ? page.listArtworks(list, k, refs) : undefined;
  let known = renderedItems.get(tokens);
  if (!known) renderedItems.set(tokens, (known = new Map()));
  let out = '';
  for (const r of items) {
    const values = { ...r.content, title: r.title ?? r.content?.title ?? '', reason: r.reason, item: r.item };
    const key = JSON.stringify([values, artwork ? refs.map((v) => artwork(v || r.item) ?? null) : null]);
    let html = known.get(key);
    if (html === undefined) {
      html = renderTemplate(tokens, values, { item: r.item, artwork });
      known.set(key, html);
      if (known.size > MAX_ITEMS) known.delete(known.keys().next().value);
    }
    out += html;
  }
  return out;
}

/** A list's items as the rewriter shows them (`k` caps them). */
function listItems(page, list, k) {
  const recs = page.recommend(list, k > 0 ? k : undefined);
  return Array.isArray(recs) ? firstK(recs, k) : [];
}

/** The decisions script, as the rewriter appends it after the document ('' when nothing was decided). */
export function decisionsScript(page, mode) {
  const text = page.text();
  return text !== 'null' ? `<script type="application/json" id="hearth-decisions" data-hearth-mode="${mode}">${text}</script>` : '';
}

/**
 * A shell from what `rewriter` wrote with `decided.holes` (`{marker, lists}`): the page as
 * rendered for decisions of one `shape`, cut at its holes (each list's items and decided
 * attribute, the decisions script). The text between holes is encoded once, here.
 */
export function makeShell(text, { marker, lists }) {
  const encoder = new TextEncoder();
  const segments = [];
  const holes = [];
  const re = new RegExp(`${marker}([dis])(\\d*)`, 'g');
  let at = 0;
  for (const m of text.matchAll(re)) {
    segments.push(encoder.encode(text.slice(at, m.index)));
    holes.push([m[1], Number(m[2])]);
    at = m.index + m[0].length;
  }
  segments.push(encoder.encode(text.slice(at)));
  return { segments, holes, lists, size: segments.reduce((n, b) => n + b.byteLength, 0) };
}

/**
 * A page from a shell (`makeShell`), filled from `page`'s decisions: the bytes the rewriter would
 * write for them, as a Blob (the shell's bytes are not copied through JS). `null` when `page`
 * cannot fill it (the engine failed; an item id that is not an id).
 */
export function fillShell(shell, page, mode) {
  const parts = [shell.segments[0]];
  for (let i = 0; i < shell.holes.length; i++) {
    const [kind, n] = shell.holes[i];
    if (kind === 's') parts.push(decisionsScript(page, mode));
    else {
      const hole = shell.lists[n];
      const items = listItems(page, hole.list, hole.k);
      if (kind === 'i') parts.push(renderList(page, hole, items));
      else if (items.every((r) => ID.test(r.item))) parts.push(items.map((r) => r.item).join(' '));
      else return null; // the rewriter would have escaped it
    }
    parts.push(shell.segments[i + 1]);
  }
  return page.failed() ? null : new Blob(parts);
}
