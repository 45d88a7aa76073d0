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
// The page answer goes in <script type="application/json" id="hearth-decisions"> at the end of
// <head> (or before the first hearth element when there is no <head>).

const ATTRS = new Set(['src', 'srcset', 'href', 'alt']);
const URL_ATTRS = new Set(['src', 'srcset', 'href']);

/** The page request that decides everything the manifest can put on a page. */
export function pageRequestOf(manifest, maxArtworks) {
  const items = (manifest.catalog?.items ?? []).filter((i) => Array.isArray(i.artworks) && i.artworks.length).map((i) => i.id);
  const placements = new Set(Object.keys(manifest.placements ?? {}));
  for (const p of Object.values(manifest.promotions ?? {})) if (p?.placement) placements.add(p.placement);
  return {
    slots: 'all',
    artworks: items.slice(0, maxArtworks),
    promotions: [...placements],
    recommend: Object.keys(manifest.recommendations ?? {}).map((list) => ({ list })),
  };
}

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
 * An HTMLRewriter applying `decided.answer`. `state.off` (set when a page of
 * unknown length grows past the limit) turns every handler into a no-op.
 * A handler that throws leaves its element as the origin sent it.
 */
export function rewriter(decided, state, onError) {
  const { answer } = decided;
  const stack = [];
  let injected = false;
  const script = `<script type="application/json" id="hearth-decisions" data-hearth-mode="${decided.mode}">${scriptJson(answer)}</script>`;
  const inject = (el, where) => {
    if (injected) return;
    injected = true;
    el[where](script, { html: true });
  };
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
  const top = () => stack[stack.length - 1];

  return new HTMLRewriter()
    .on('head', guard((el) => inject(el, 'append')))
    .on(
      '[data-hearth-slot]',
      guard((el) => {
        inject(el, 'before');
        const d = answer.slots?.[el.getAttribute('data-hearth-slot')];
        const ok = !isError(d);
        if (ok) {
          el.setAttribute('data-hearth-decided', d.variant);
          fillAttrs(el, d.content);
        }
        // Register the pop first: a void element (no end tag) throws here and is not pushed.
        el.onEndTag(() => {
          stack.pop();
        });
        stack.push(ok ? d : null);
      }),
    )
    .on(
      'template[data-hearth-variant]',
      guard((el) => {
        const d = top();
        if (!d) return;
        // An unclosed <template> hides the rest of the page in a browser too; removing it changes nothing visible.
        if (el.getAttribute('data-hearth-variant') === d.variant) el.removeAndKeepContent();
        else el.remove();
      }),
    )
    .on('[data-hearth-text]', textFiller(top, state, onError))
    .on('[data-hearth-field]', textFiller(top, state, onError, 'data-hearth-field'))
    .on('[data-hearth-attrs]', guard((el) => fillAttrs(el, top()?.content)))
    .on('[data-hearth-attr]', guard((el) => fillAttrs(el, top()?.content, 'data-hearth-attr')))
    .on(
      '[data-hearth-artwork]',
      guard((el) => {
        inject(el, 'before');
        const a = answer.artworks?.[el.getAttribute('data-hearth-artwork')];
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
        inject(el, 'before');
        const recs = answer.recommendations?.[el.getAttribute('data-hearth-recommend')];
        if (!Array.isArray(recs) || OPTIONAL_END.has(el.tagName)) return;
        const kAttr = Number(el.getAttribute('data-hearth-k') ?? el.getAttribute('data-k'));
        const shown = Number.isInteger(kAttr) && kAttr > 0 ? recs.slice(0, kAttr) : recs;
        el.setAttribute('data-hearth-decided', shown.map((r) => r.item).join(' '));
        el.setInnerContent(recommendationsHtml(shown, el.tagName), { html: true });
      }),
    )
    .on(
      '[data-hearth-promotion]',
      guard((el) => {
        inject(el, 'before');
        const p = answer.promotions?.[el.getAttribute('data-hearth-promotion')];
        if (isError(p) || OPTIONAL_END.has(el.tagName)) return;
        el.setAttribute('data-hearth-decided', p.chosen.map((c) => c.promotion).join(' '));
        if (p.chosen.length) el.setInnerContent(promotionsHtml(p.chosen), { html: true });
      }),
    );
}
