// Applying one page answer to HTML as it streams (HTMLRewriter).
//
// Markup (the same attributes the browser module reads):
//   [data-hearth-slot="id"]                the slot; gets data-hearth-decided="<variant>"
//     <template data-hearth-variant="v">   the chosen one is unwrapped, the others removed
//     [data-hearth-text="field"]           text content from the variant's content (escaped);
//                                          also read as the browser module's data-hearth-field
//     [data-hearth-attrs="src alt:field"]  allow-listed attributes (src, srcset, href, alt) from content;
//                                          also read as the browser module's data-hearth-attr
//   [data-hearth-artwork="item"]           src/srcset/alt from the item's chosen artwork
//   [data-hearth-recommend="list"]         filled with the list's items (data-hearth-k caps how many)
//   [data-hearth-promotion="placement"]    filled with the chosen promotions
// Elements are decided as they stream by (only what the page contains), and what was decided
// goes in <script type="application/json" id="hearth-decisions"> after the document.

const ATTRS = new Set(['src', 'srcset', 'href', 'alt']);
const URL_ATTRS = new Set(['src', 'srcset', 'href']);

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

/** A URL safe to put in src/href: relative, http(s), or (href only) mailto/tel; `null` otherwise. */
export function safeUrl(value, attr = 'href') {
  const s = String(value).trim();
  // Browsers ignore tabs/newlines and leading control characters when parsing schemes.
  const probe = s.replace(/[\u0000-\u0020\u007f]/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(probe)?.[1]?.toLowerCase();
  if (scheme === undefined) return /^[/?#.\w%~-]/.test(probe) || probe === '' ? s : null;
  if (scheme === 'http' || scheme === 'https') return s;
  if (attr === 'href' && (scheme === 'mailto' || scheme === 'tel')) return s;
  return null;
}

function safeSrcset(value) {
  const parts = String(value).split(',').map((p) => p.trim()).filter(Boolean);
  return parts.every((p) => safeUrl(p.split(/\s+/)[0], 'src') !== null) ? parts.join(', ') : null;
}

/** The value to set for allow-listed `attr`, or null to leave the origin's. */
export function attrValue(attr, v) {
  if (!ATTRS.has(attr) || (typeof v !== 'string' && typeof v !== 'number')) return null;
  if (!URL_ATTRS.has(attr)) return String(v);
  return attr === 'srcset' ? safeSrcset(v) : safeUrl(v, attr);
}

function isError(x) {
  return !x || typeof x !== 'object' || 'error' in x;
}

function fillAttrs(el, content, name = 'data-hearth-attrs') {
  const spec = el.getAttribute(name);
  if (!spec || !content) return;
  for (const pair of spec.split(/\s+/).filter(Boolean)) {
    const [attr, field = attr] = pair.split(':');
    const v = attrValue(attr.toLowerCase(), content[field]);
    if (v !== null) el.setAttribute(attr.toLowerCase(), v); // HTMLRewriter escapes attribute values
  }
}

/** Elements whose end tag HTML lets a later start tag imply: lol-html cannot see that, so replacing
 * their whole content could swallow the rest of a page that omits the end tag. */
const OPTIONAL_END = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'rb', 'rp', 'rt', 'rtc', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'colgroup', 'caption']);

/**
 * `data-hearth-text`: the element's first text node becomes the field's value (escaped); later
 * text is left alone, so a missing end tag never costs the rest of the page. An element without
 * text gets the value before its end tag.
 */
function textFiller(top, state, onError, name = 'data-hearth-text') {
  let cur = null;
  return {
    element(el) {
      if (state.off) return;
      const v = top()?.content?.[el.getAttribute(name)];
      if (typeof v !== 'string' && typeof v !== 'number') return;
      const mine = { value: String(v), started: false, done: false };
      cur = mine;
      try {
        el.onEndTag((end) => {
          if (!mine.started) end.before(mine.value);
          mine.done = true;
          if (cur === mine) cur = null;
        });
      } catch (e) {
        onError(e);
      }
    },
    text(t) {
      const mine = cur;
      if (!mine || mine.done || state.off) return;
      if (!mine.started) {
        if (t.text.trim() === '' && !t.lastInTextNode) return;
        mine.started = true;
        t.replace(mine.value); // text: escaped by HTMLRewriter
      } else t.remove();
      if (t.lastInTextNode) mine.done = true;
    },
  };
}

/** Escapes JSON for a <script> element: no `</script>`, `<!--` or line separators. */
export function scriptJson(answer) {
  return JSON.stringify(answer).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function recommendationsHtml(recs, container) {
  const tag = /^(ul|ol)$/i.test(container) ? 'li' : 'div';
  return recs
    .map((r) => {
      const href = attrValue('href', r.content?.href);
      const title = escapeHtml(r.title ?? r.item);
      const link = href === null ? `<span data-hearth-text="title">${title}</span>` : `<a href="${escapeHtml(href)}" data-hearth-text="title">${title}</a>`;
      const price = typeof r.content?.price === 'string' ? ` <span data-hearth-text="price">${escapeHtml(r.content.price)}</span>` : '';
      return `<${tag} data-hearth-item="${escapeHtml(r.item)}">${link}${price}</${tag}>`;
    })
    .join('');
}

function promotionsHtml(chosen) {
  return chosen
    .map((p) => {
      const text = escapeHtml(p.content?.text ?? '');
      const href = attrValue('href', p.content?.href);
      return href === null
        ? `<span data-hearth-promo="${escapeHtml(p.promotion)}">${text}</span>`
        : `<a data-hearth-promo="${escapeHtml(p.promotion)}" href="${escapeHtml(href)}">${text}</a>`;
    })
    .join('');
}

/**
 * Decisions made as the rewriter meets elements, each once per page view, against one
 * `PreparedPage` (js/hearth.js): only what the page contains is decided. `answer()` is
 * what was decided, in the shape of `Session#page`'s answer.
 */
export function lazyAnswer(prepared) {
  const kinds = { slots: new Map(), artworks: new Map(), promotions: new Map(), recommendations: new Map() };
  let failed = false;
  const memo = (kind, f) => (key) => {
    const m = kinds[kind];
    if (failed) return undefined; // the engine failed once on this page: the rest stays as the origin sent it
    if (!m.has(key)) {
      try {
        m.set(key, f(key));
      } catch (e) {
        failed = true;
        throw e;
      }
    }
    return m.get(key);
  };
  return {
    slot: memo('slots', (id) => prepared.decide(id)),
    artwork: memo('artworks', (item) => prepared.artworks([item])?.[item]),
    promotion: memo('promotions', (placement) => prepared.promotions(placement)),
    recommend: memo('recommendations', (list) => prepared.recommend(list)),
    /** Decided so far; `null` when the page had nothing to decide. Own keys only (`__proto__` is data). */
    answer() {
      const out = {};
      let any = false;
      for (const [kind, m] of Object.entries(kinds)) {
        if (m.size) any = true;
        out[kind] = Object.fromEntries(m);
      }
      return any ? out : null;
    },
  };
}

/**
 * An HTMLRewriter applying `decided.page` (see `lazyAnswer`). `state.off` (set when a page of
 * unknown length grows past the limit) turns every handler into a no-op.
 * A handler that throws leaves its element as the origin sent it.
 *
 * Every handler call and every selector costs a round trip into JS (about 30 us each in
 * workerd, see BENCHMARKS.md), so elements inside slots are matched with descendant selectors
 * and find their slot in `cur`: the slot most recently entered. Only a slot nested in another
 * registers an end-tag handler, to give the outer slot back when it closes.
 */
export function rewriter(decided, state, onError) {
  const { page } = decided;
  let cur = null; // the innermost open slot's decision (null when it has none)
  const outer = [];
  let voidNested = false;
  const guard = (f) => ({
    element(el) {
      if (state.off) return;
      try {
        f(el);
      } catch (e) {
        onError(e);
      }
    },
  });
  const content = () => cur?.content;
  const IN_SLOT = (sel) => `[data-hearth-slot] ${sel}, [data-hearth-slot]${sel}`;

  return new HTMLRewriter()
    .on(
      '[data-hearth-slot] [data-hearth-slot]',
      guard((el) => {
        // Registered before the slot handler, so it runs first on the same element.
        const saved = cur;
        try {
          el.onEndTag(() => {
            cur = outer.pop() ?? null;
          });
        } catch {
          voidNested = true; // a void element (no end tag) has no content to scope
          return;
        }
        outer.push(saved);
      }),
    )
    .on(
      '[data-hearth-slot]',
      guard((el) => {
        const d = page.slot(el.getAttribute('data-hearth-slot'));
        const ok = !isError(d);
        if (voidNested) voidNested = false;
        else cur = ok ? d : null;
        if (!ok) return;
        el.setAttribute('data-hearth-decided', d.variant);
        fillAttrs(el, d.content);
        fillAttrs(el, d.content, 'data-hearth-attr');
      }),
    )
    .on(
      '[data-hearth-slot] template[data-hearth-variant]',
      guard((el) => {
        if (!cur) return;
        // An unclosed <template> hides the rest of the page in a browser too; removing it changes nothing visible.
        if (el.getAttribute('data-hearth-variant') === cur.variant) el.removeAndKeepContent();
        else el.remove();
      }),
    )
    .on(IN_SLOT('[data-hearth-text]'), textFiller(() => cur, state, onError))
    .on(IN_SLOT('[data-hearth-field]'), textFiller(() => cur, state, onError, 'data-hearth-field'))
    .on('[data-hearth-slot] [data-hearth-attrs]', guard((el) => fillAttrs(el, content())))
    .on('[data-hearth-slot] [data-hearth-attr]', guard((el) => fillAttrs(el, content(), 'data-hearth-attr')))
    .on(
      '[data-hearth-artwork]',
      guard((el) => {
        const a = page.artwork(el.getAttribute('data-hearth-artwork'));
        if (isError(a)) return;
        el.setAttribute('data-hearth-decided', a.artwork);
        for (const attr of ['src', 'srcset', 'alt']) {
          const v = attrValue(attr, a.content?.[attr]);
          if (v !== null) el.setAttribute(attr, v);
        }
      }),
    )
    .on(
      '[data-hearth-recommend]',
      guard((el) => {
        if (OPTIONAL_END.has(el.tagName)) return;
        const recs = page.recommend(el.getAttribute('data-hearth-recommend'));
        if (!Array.isArray(recs)) return;
        const kAttr = Number(el.getAttribute('data-hearth-k') ?? el.getAttribute('data-k'));
        const shown = Number.isInteger(kAttr) && kAttr > 0 ? recs.slice(0, kAttr) : recs;
        el.setAttribute('data-hearth-decided', shown.map((r) => r.item).join(' '));
        el.setInnerContent(recommendationsHtml(shown, el.tagName), { html: true });
      }),
    )
    .on(
      '[data-hearth-promotion]',
      guard((el) => {
        if (OPTIONAL_END.has(el.tagName)) return;
        const p = page.promotion(el.getAttribute('data-hearth-promotion'));
        if (isError(p)) return;
        el.setAttribute('data-hearth-decided', p.chosen.map((c) => c.promotion).join(' '));
        if (p.chosen.length) el.setInnerContent(promotionsHtml(p.chosen), { html: true });
      }),
    )
    .onDocument({
      // What was decided, for the browser module and for debugging, after the document: the
      // answer is only complete once every element has been met.
      end(end) {
        if (state.off) return;
        try {
          const answer = page.answer();
          if (answer) end.append(`<script type="application/json" id="hearth-decisions" data-hearth-mode="${decided.mode}">${scriptJson(answer)}</script>`, { html: true });
        } catch (e) {
          onError(e);
        }
      },
    });
}
