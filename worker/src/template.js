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

import { ATTRS, attrPairs, mayTake, safeAttr as sharedSafeAttr } from '../build/hearth/safe.js';

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

export const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'keygen']);
// Pages are filled through the browser module's allow-list (js/safe.js), against a placeholder
// base: relative URLs resolve to the page's own scheme, and only http(s) is accepted.
const BASE = 'https://edge.invalid/';

/** The value element `tag` may get for `attr`, or null (refused: leave it). See js/safe.js. */
export const safeAttr = (tag, attr, value) => sharedSafeAttr(tag, attr, value, BASE);

/** What `fill` does to one element: `{set: [[attr, value]], text: string|null}`. */
export function fillPlan(tag, get, values) {
  const set = [];
  let text = null;
  const field = get('data-hearth-field');
  if (field) {
    const v = values[field];
    if (v !== undefined && v !== null && typeof v !== 'object') {
      if (ATTRS.has(field) && mayTake(tag, field)) {
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
