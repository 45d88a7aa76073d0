// The site's own <template>s, rendered at the edge exactly as the browser module (js/dom.js)
// renders them: HTMLRewriter hands the template's content over as tokens (start tags with their
// attributes, text, end tags), and `renderTemplate` writes one filled copy of it as HTML.
//
// The same rules as js/dom.js's `fill` and `#renderRecommend`:
// * `data-hearth-field="f"` sets the element's text to the value (escaped), or, when `f` is an
//   allow-listed attribute the element may carry (alt; href on a/area; src/srcset on img/source),
//   that attribute;
// * `data-hearth-attr="src alt:field"` sets allow-listed attributes, URLs http(s) only after
//   resolving (relative URLs are fine), srcset candidates each checked;
// * values that are objects (or missing) leave the element as the template has it;
// * a recommendation item's top-level elements get `data-hearth-item`, its `[data-hearth-artwork]`
//   elements the item's id (when empty) and that artwork's src/srcset/alt.
// Nothing from data is ever written as markup: text and attribute values are escaped here, and
// the markup itself is the site's (attribute values are re-emitted as the origin wrote them).
// What is written is always balanced: elements the template leaves open are closed, so inserted
// HTML can never swallow the rest of the page.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

export const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'keygen']);
const ATTRS = new Set(['src', 'srcset', 'href', 'alt']);
// Which elements may take which URL attribute (js/dom.js URL_TARGETS): never script, iframe, object...
const URL_TARGETS = { src: new Set(['img', 'source']), srcset: new Set(['img', 'source']), href: new Set(['a', 'area']) };
const BASE = 'https://edge.invalid/';

/** js/dom.js's safeUrl: a string or number that is http(s) once resolved against the page, or null. */
export function pageUrl(value) {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const s = String(value).trim();
  if (s === '' || s.length > 2048) return null;
  let u;
  try {
    u = new URL(s, BASE); // any http(s) base: a relative URL resolves to the page's own scheme
  } catch {
    return null;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? s : null;
}

/** js/dom.js's safeSrcset: every candidate a safe URL with at most a `w`/`x` descriptor, or null. */
export function pageSrcset(value) {
  if (typeof value !== 'string') return null;
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return null;
  for (const p of parts) {
    const [url, descriptor, extra] = p.split(/\s+/);
    if (extra !== undefined || pageUrl(url) === null) return null;
    if (descriptor !== undefined && !/^\d+(\.\d+)?[wx]$/.test(descriptor)) return null;
  }
  return parts.join(', ');
}

/** js/dom.js's setSafeAttr: the value `tag` may get for `attr`, or null (refused: leave it). */
export function safeAttr(tag, attr, value) {
  if (!ATTRS.has(attr) || value === undefined || value === null) return null;
  if (attr === 'alt') return String(value);
  if (!URL_TARGETS[attr].has(tag)) return null;
  return attr === 'srcset' ? pageSrcset(value) : pageUrl(value);
}

/** `data-hearth-attr="src alt:imageAlt"` -> [[attr, field]] (js/dom.js attrMap). */
export function attrPairs(spec) {
  return (spec ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [attr, field] = pair.split(':');
      return [attr, field || attr];
    });
}

/** What `fill` does to one element: `{set: [[attr, value]], text: string|null}`. */
export function fillPlan(tag, get, values) {
  const set = [];
  let text = null;
  const field = get('data-hearth-field');
  if (field) {
    const v = values[field];
    if (v !== undefined && v !== null && typeof v !== 'object') {
      if (ATTRS.has(field) && (field === 'alt' || URL_TARGETS[field]?.has(tag))) {
        const safe = safeAttr(tag, field, v);
        if (safe !== null) set.push([field, safe]);
      } else text = String(v);
    }
  }
  for (const [attr, f] of attrPairs(get('data-hearth-attr'))) {
    const safe = safeAttr(tag, attr, values[f]);
    if (safe !== null) set.push([attr, safe]);
  }
  return { set, text };
}

/** A raw attribute value (as lol-html reports it: entities not decoded) inside double quotes. */
const rawAttr = (v) => v.replace(/"/g, '&quot;').replace(/</g, '&lt;');

function startTag(tag, attrs) {
  let s = `<${tag}`;
  for (const [name, value, escaped] of attrs) s += ` ${name}="${escaped ? escapeHtml(value) : rawAttr(value)}"`;
  return `${s}>`;
}

/** Sets an attribute on a token's list: [name, value, escaped] (escaped: a value of ours, to escape). */
function put(attrs, name, value) {
  const i = attrs.findIndex((a) => a[0] === name);
  if (i >= 0) attrs[i] = [name, value, true];
  else attrs.push([name, value, true]);
}

/**
 * One filled copy of a template's `tokens` ({t: 's', tag, attrs} | {t: 'x', text} | {t: 'e'}) as HTML.
 * `values`: the fields. `item`: a recommended item's id (marks top-level elements and fills
 * artwork elements), with `artwork(id)` giving that artwork's decision (or null).
 */
export function renderTemplate(tokens, values, { item, artwork } = {}) {
  let out = '';
  const open = []; // tag names of the open elements
  let replaced = -1; // depth of the element whose content a text field replaced (-1: none)
  let inert = -1; // depth of a nested <template> (its content is not filled, as in the browser; -1: none)
  for (const tok of tokens) {
    if (tok.t === 'e') {
      if (!open.length) continue; // an end tag the template closed implicitly, already written
      const tag = open.pop();
      if (replaced === open.length) replaced = -1;
      if (replaced < 0) out += `</${tag}>`;
      if (inert === open.length) inert = -1;
      continue;
    }
    if (replaced >= 0) {
      if (tok.t === 's' && !VOID.has(tok.tag)) open.push(tok.tag);
      continue;
    }
    if (tok.t === 'x') {
      out += tok.text; // the site's own markup text, as the origin wrote it
      continue;
    }
    const attrs = tok.attrs.map(([n, v]) => [n, v, false]);
    const get = (name) => {
      const a = attrs.find((x) => x[0] === name);
      return a ? a[1] : null;
    };
    let text = null;
    if (inert < 0) {
      if (item !== undefined && open.length === 0) put(attrs, 'data-hearth-item', item);
      const plan = fillPlan(tok.tag, get, values);
      for (const [a, v] of plan.set) put(attrs, a, v);
      text = plan.text;
      if (item !== undefined && get('data-hearth-artwork') !== null) {
        if (!get('data-hearth-artwork')) put(attrs, 'data-hearth-artwork', item);
        const d = artwork?.(get('data-hearth-artwork'));
        if (d && typeof d === 'object' && !('error' in d)) {
          // js/dom.js #renderArtwork: a new src with the old srcset would keep showing the old image.
          const c = d.content ?? {};
          if (c.src !== undefined && c.srcset === undefined) {
            const i = attrs.findIndex((x) => x[0] === 'srcset');
            if (i >= 0) attrs.splice(i, 1);
          }
          for (const a of ATTRS) {
            if (a === 'href' || c[a] === undefined) continue;
            const safe = safeAttr(tok.tag, a, c[a]);
            if (safe !== null) put(attrs, a, safe);
          }
          put(attrs, 'data-hearth-variant', String(d.artwork));
          put(attrs, 'data-hearth-decided', String(d.artwork));
          put(attrs, 'data-hearth-ready', 'edge');
        }
      }
    }
    out += startTag(tok.tag, attrs);
    if (VOID.has(tok.tag)) continue;
    if (tok.tag === 'template' && inert < 0) inert = open.length;
    open.push(tok.tag);
    if (text !== null) {
      out += escapeHtml(text);
      replaced = open.length - 1;
    }
  }
  while (open.length) out += `</${open.pop()}>`; // balanced, whatever the template left open
  return out;
}
