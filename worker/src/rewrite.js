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
//   [data-hearth-recommend="list"]         a <template> child rendered once per item, right after it
//                                          (data-k, or data-hearth-k, caps how many), as js/dom.js does
//   [data-hearth-promotion="placement"]    the chosen promotion: its <template data-hearth-variant>
//                                          rendered after it, or else the default markup's fields filled
// Every element decided gets data-hearth-decided (what was decided) and data-hearth-ready="edge".
// Elements are decided as they stream by (only what the page contains), and what was decided
// goes in <script type="application/json" id="hearth-decisions"> after the document.

import { fillPlan, renderTemplate, safeAttr, VOID } from './template.js';
import { artworkRefs, decisionsScript, firstK, ID, isError, renderList } from './decisions.js';

function fillAttrs(el, content, name = 'data-hearth-attrs') {
  const spec = el.getAttribute(name);
  if (!spec || !content) return;
  for (const pair of spec.split(/\s+/).filter(Boolean)) {
    const [attr, field = attr] = pair.split(':');
    const v = safeAttr(el.tagName, attr.toLowerCase(), content[field]);
    if (v !== null) el.setAttribute(attr.toLowerCase(), v); // HTMLRewriter escapes attribute values
  }
}

/** Elements whose end tag HTML lets a later start tag imply: lol-html cannot see that, so replacing
 * their whole content could swallow the rest of a page that omits the end tag. Recommendation
 * containers and promotion placements are never replaced: the edge only sets attributes on their
 * children and inserts after a <template>'s end tag. A `p`, `li`, `dt` or `dd` container ends, as
 * in the browser, at a child that implies its end tag (CLOSERS); containers with the other
 * optional end tags (table parts, options, ruby) are left to the browser. */
const OPTIONAL_END = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'rb', 'rp', 'rt', 'rtc', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'colgroup', 'caption']);
const P_CLOSERS = new Set('address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p plaintext pre search section summary table ul xmp'.split(' '));
const CLOSERS = { p: P_CLOSERS, li: new Set(['li']), dt: new Set(['dt', 'dd']), dd: new Set(['dt', 'dd']) };
const leftToBrowser = (tag) => OPTIONAL_END.has(tag) && !(tag in CLOSERS);


/** Layouts learned per worker isolate (which containers have which templates) are capped at this many. */
const MAX_LAYOUTS = 256;

/**
 * Text fields: the element's first text node becomes `valueOf(el)` (escaped; `null`: leave the
 * element alone); later text is left alone, so a missing end tag never costs the rest of the page.
 * An element without text gets the value before its end tag.
 */
function textFiller(valueOf, state, onError) {
  let cur = null;
  return {
    element(el) {
      if (state.off) return;
      try {
        const v = valueOf(el);
        if (v === null) return;
        const mine = { value: v, started: false, done: false };
        cur = mine;
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

/** A slot's text field: `content[el[name]]` when it is text. */
const contentText = (top, name) => (el) => {
  const v = top()?.content?.[el.getAttribute(name)];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
};


/**
 * An HTMLRewriter applying `decided.page` (decisions.js `lazyAnswer`). `state.off` (set when a page of
 * unknown length grows past the limit) turns every handler into a no-op.
 * A handler that throws leaves its element as the origin sent it.
 *
 * Every handler call and every selector costs a round trip into JS (about 30 us each in
 * workerd, see BENCHMARKS.md), so elements inside slots are matched with descendant selectors
 * and find their slot in `cur`: the slot most recently entered. Only a slot nested in another
 * registers an end-tag handler, to give the outer slot back when it closes.
 *
 * Recommendation containers and promotion placements are rendered from the page's own
 * <template>s (worker/src/template.js), as js/dom.js renders them: the template's content is
 * collected as tokens while it streams by, and the filled copies go right after its end tag;
 * the template stays (the browser renders from it again later); default children are hidden
 * (`hidden data-hearth-default`, attributes only) when the template's copies replace them.
 * Whether a placement's default children precede a template for the chosen promotion is only
 * known once it has streamed by, so the worker remembers each placement's templates
 * (`decided.layouts`, per isolate): the first page of a placement guesses (a list has its
 * template; a promotion has none) and the browser module re-renders what a wrong guess left.
 */
export function rewriter(decided, state, onError) {
  const { page } = decided;
  const layouts = decided.layouts ?? new Map();
  // Template contents read from this very origin page before (`decided.templates`: per list, or
  // placement and variant, the tokens of each container's template in page order; see cache.js
  // `templateStore`): a known template is rendered from them, which spares the calls collecting
  // it. `collected`: what this page read.
  const known = decided.templates ?? null;
  const collected = (decided.collected = new Map());
  const templateCount = new Map();
  let cur = null; // the innermost open slot's decision (null when it has none)
  let curId = null; // and its id (also for a slot left undecided)
  const outer = [];
  let voidNested = false;
  let rec = null; // the recommendation container last entered
  let promo = null; // the promotion placement last entered
  let cap = null; // the template streaming by: {tokens} (null when known already)
  const slotTemplated = new Set(); // slot decisions whose variant has a template (the defaults give way to it)
  const slotClosers = new Map(); // slot decision -> child tags that end it (a <p> slot, say)
  const slotSeen = new Map(); // slot id -> the variants it has templates for, on this page
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
  const REC_TPL = '[data-hearth-recommend] > template:not([data-hearth-variant])';
  // A promotion's template is collected only when the placement is known to have one for the
  // promotion chosen: decided ahead for the placements seen before, so that the other templates'
  // content costs no handler calls (a call each element and text chunk, see BENCHMARKS.md).
  const promoTemplates = [];
  for (const [key, variants] of layouts) {
    if (!key.startsWith('promotion|') || !(variants instanceof Set) || !variants.size) continue;
    const placement = key.slice('promotion|'.length);
    if (!ID.test(placement)) continue;
    let p;
    try {
      p = page.promotion(placement, true);
    } catch (e) {
      onError(e);
      break;
    }
    const v = Array.isArray(p?.chosen) ? p.chosen[0]?.promotion : undefined;
    if (typeof v === 'string' && ID.test(v) && variants.has(v) && !known?.has(`promotion|${placement}|${v}`)) {
      promoTemplates.push(`[data-hearth-promotion="${placement}"] > template[data-hearth-variant="${v}"]`);
    }
  }
  // A page read before has every list's template known (a first read collects them all).
  const TEMPLATES = [...(known ? [] : [REC_TPL]), ...promoTemplates];
  const IN_PROMO = (sel) => `[data-hearth-promotion] > ${sel}, [data-hearth-promotion] > :not(template) ${sel}`;
  const END = { t: 'e' };

  /** What a container showed, remembered for the next page (unless the page was cut short). */
  const learn = (box) => {
    if (!box || box.learned || state.off) return;
    box.learned = true;
    if (layouts.size >= MAX_LAYOUTS && !layouts.has(box.key)) layouts.clear();
    layouts.set(box.key, box.kind === 'recommend' ? box.sawTemplate : box.variants); // slots and promotions: variants
  };
  /** A default child the template's copies replace: hidden, and marked for the browser module. */
  const hideDefault = (el) => {
    if (el.hasAttribute('hidden')) el.setAttribute('data-hearth-default', '');
    else {
      el.setAttribute('hidden', '');
      el.setAttribute('data-hearth-default', 'hidden');
    }
  };
  /**
   * `render(tokens)` after `el`'s (a template's) end tag, with its content as tokens: known from an
   * earlier read of this page (`key` in `known`), or else collected as it streams by.
   */
  const withTemplate = (el, key, render) => {
    // A page may have several containers for one list (or placement): each has its own template.
    const nth = templateCount.get(key) ?? 0;
    templateCount.set(key, nth + 1);
    const have = known?.get(key)?.[nth];
    const c = { tokens: have ? null : [] }; // `cap` also while a known template streams by (its artworks are its items')
    cap = c;
    el.onEndTag((end) => {
      if (cap === c) cap = null;
      // Closed by another end tag: the browser keeps the rest of the page inert in the template anyway.
      if (state.off || end.name !== 'template') return;
      if (!have) {
        if (!collected.has(key)) collected.set(key, []);
        collected.get(key)[nth] = c.tokens;
      }
      try {
        const html = render(have ?? c.tokens);
        if (html) end.after(html, { html: true });
      } catch (e) {
        onError(e);
      }
    });
  };
  // A shell (decisions.js `fillShell`): each list's items and the decisions script become holes.
  const holes = decided.holes ?? null;
  const renderItems = (box, tokens) => {
    if (!holes || !box.items.length) return renderList(page, { list: box.list, k: box.k, tokens }, box.items);
    const refs = artworkRefs(tokens);
    if (refs.length) page.listArtworks(box.list, box.k, refs); // decided as when rendered: the answer has them
    holes.lists[box.hole].tokens = tokens;
    return `${holes.marker}i${box.hole}`;
  };
  /** A child of `box`'s container: false when it ends the container (as the browser's parser would). */
  const within = (box, tag) => {
    if (!box || box.done) return false;
    if (box.closers?.has(tag)) {
      box.done = true;
      learn(box);
      return false;
    }
    return true;
  };
  /** A promotion field in the placement's default markup, filled when no template is used. */
  const promoField = (el) => {
    const b = promo;
    if (!b || b.done || !b.chosen || b.templated) return null;
    const plan = fillPlan(el.tagName, (n) => el.getAttribute(n), b.values);
    for (const [attr, v] of plan.set) el.setAttribute(attr, v);
    return plan.text === null || VOID.has(el.tagName) ? null : plan.text;
  };

  const rw = new HTMLRewriter()
    .on(
      // Registered first, so `cur` is still the parent slot when the child is a slot itself.
      '[data-hearth-slot] > :not(template)',
      guard((el) => {
        if (!cur || !slotTemplated.has(cur)) return;
        if (slotClosers.get(cur)?.has(el.tagName)) slotTemplated.delete(cur);
        else hideDefault(el);
      }),
    )
    .on(
      '[data-hearth-slot] [data-hearth-slot]',
      guard((el) => {
        // Registered before the slot handler, so it runs first on the same element.
        const saved = [cur, curId];
        try {
          el.onEndTag(() => {
            [cur, curId] = outer.pop() ?? [null, null];
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
        const id = el.getAttribute('data-hearth-slot');
        if (!slotSeen.has(id)) slotSeen.set(id, new Set());
        // The chosen variant's template replaces the default content (js/dom.js #renderSlot), which
        // streams by first: whether it has one is known from the slot's last page. A slot this
        // isolate has not seen yet is left to the browser module (undecided, as sent), which renders
        // it as this page's templates allow; its templates are learned for the next page.
        const layout = layouts.get(`slot|${id}`);
        const d = layout === undefined ? null : page.slot(id);
        const ok = d !== null && !isError(d);
        if (voidNested) voidNested = false;
        else [cur, curId] = [ok ? d : null, id];
        if (!ok) return;
        if (layout.has(d.variant) && !leftToBrowser(el.tagName)) {
          slotTemplated.add(d);
          slotClosers.set(d, CLOSERS[el.tagName]);
        }
        el.setAttribute('data-hearth-ready', 'edge');
        el.setAttribute('data-hearth-decided', d.variant);
        fillAttrs(el, d.content);
        fillAttrs(el, d.content, 'data-hearth-attr');
      }),
    )
    .on(
      '[data-hearth-slot] template[data-hearth-variant]',
      guard((el) => {
        if (curId !== null) slotSeen.get(curId)?.add(el.getAttribute('data-hearth-variant'));
        if (!cur) return;
        // An unclosed <template> hides the rest of the page in a browser too; removing it changes nothing visible.
        if (el.getAttribute('data-hearth-variant') === cur.variant) el.removeAndKeepContent();
        else el.remove();
      }),
    )
    .on(IN_SLOT('[data-hearth-text]'), textFiller(contentText(() => cur, 'data-hearth-text'), state, onError))
    .on(IN_SLOT('[data-hearth-field]'), textFiller(contentText(() => cur, 'data-hearth-field'), state, onError))
    .on('[data-hearth-slot] [data-hearth-attrs]', guard((el) => fillAttrs(el, content())))
    .on('[data-hearth-slot] [data-hearth-attr]', guard((el) => fillAttrs(el, content(), 'data-hearth-attr')))
    .on(
      '[data-hearth-artwork]',
      guard((el) => {
        const id = el.getAttribute('data-hearth-artwork');
        if (!id || cap) return; // an item's artwork (in a template) is decided with its item
        const a = page.artwork(id);
        if (isError(a)) return;
        el.setAttribute('data-hearth-ready', 'edge');
        el.setAttribute('data-hearth-decided', a.artwork);
        for (const attr of ['src', 'srcset', 'alt']) {
          const v = safeAttr(el.tagName, attr, a.content?.[attr]);
          if (v !== null) el.setAttribute(attr, v);
        }
      }),
    )
    .on(
      '[data-hearth-recommend]',
      guard((el) => {
        learn(rec);
        rec = null;
        if (leftToBrowser(el.tagName)) return;
        const list = el.getAttribute('data-hearth-recommend');
        const k = Number.parseInt(el.getAttribute('data-hearth-k') ?? el.getAttribute('data-k') ?? '', 10);
        const box = { kind: 'recommend', key: `recommend|${list}`, closers: CLOSERS[el.tagName], sawTemplate: false, list, k, items: [] };
        rec = box;
        // No template there last time: the browser shows the default content, and so does the edge.
        if (layouts.get(box.key) === false) return;
        const recs = page.recommend(list, k > 0 ? k : undefined);
        if (!Array.isArray(recs)) return;
        box.items = firstK(recs, k);
        el.setAttribute('data-hearth-ready', 'edge');
        if (holes && box.items.length) {
          box.hole = holes.lists.push({ list, k, tokens: null }) - 1;
          el.setAttribute('data-hearth-decided', `${holes.marker}d${box.hole}`);
        } else el.setAttribute('data-hearth-decided', box.items.map((r) => r.item).join(' '));
      }),
    )
    .on(
      '[data-hearth-recommend] > *',
      guard((el) => {
        const box = rec;
        if (!within(box, el.tagName)) return;
        if (el.tagName !== 'template') {
          if (box.items.length) hideDefault(el);
        } else if (!box.sawTemplate && !el.hasAttribute('data-hearth-variant')) {
          box.sawTemplate = true; // the first one, as in the browser
          // Also with nothing to render: the template is read (so it is known) and its artworks asked
          // for (none), so that what a page calls on the engine does not depend on its decisions.
          withTemplate(el, box.key, (tokens) => renderItems(box, tokens));
        }
      }),
    )
    .on(
      '[data-hearth-promotion]',
      guard((el) => {
        learn(promo);
        promo = null;
        if (leftToBrowser(el.tagName)) return;
        const placement = el.getAttribute('data-hearth-promotion');
        const box = { kind: 'promotion', key: `promotion|${placement}`, closers: CLOSERS[el.tagName], variants: new Set(), chosen: null };
        promo = box;
        const p = page.promotion(placement);
        if (isError(p) || !Array.isArray(p.chosen)) return;
        el.setAttribute('data-hearth-ready', 'edge');
        const chosen = p.chosen[0];
        // Nothing chosen: the default content, as in the browser.
        if (!chosen) return el.setAttribute('data-hearth-decided', '');
        box.chosen = chosen;
        box.values = chosen.content ?? {};
        const known = layouts.get(box.key);
        box.templated = known instanceof Set && known.has(chosen.promotion);
        el.setAttribute('data-hearth-variant', chosen.promotion);
        el.setAttribute('data-hearth-decided', chosen.promotion);
      }),
    )
    .on(
      '[data-hearth-promotion] > *',
      guard((el) => {
        const box = promo;
        if (!within(box, el.tagName)) return;
        if (el.tagName !== 'template') {
          if (box.templated) hideDefault(el);
          return;
        }
        const v = el.getAttribute('data-hearth-variant');
        if (v === null || box.variants.has(v)) return;
        box.variants.add(v); // the first one of each variant, as in the browser
        if (box.templated && v === box.chosen.promotion) withTemplate(el, `${box.key}|${v}`, (tokens) => renderTemplate(tokens, box.values));
      }),
    )
    .on(`${IN_PROMO('[data-hearth-field]')}, ${IN_PROMO('[data-hearth-attr]')}`, textFiller(promoField, state, onError));
  if (TEMPLATES.length) {
    rw.on(TEMPLATES.map((t) => `${t} *`).join(', '), {
      element(el) {
        const c = cap;
        if (!c?.tokens || state.off) return;
        c.tokens.push({ t: 's', tag: el.tagName, attrs: [...el.attributes] });
        if (!VOID.has(el.tagName)) el.onEndTag(() => c.tokens.push(END));
      },
    })
    .on(TEMPLATES.join(', '), {
      text(t) {
        if (cap?.tokens && !state.off && t.text) cap.tokens.push({ t: 'x', text: t.text });
      },
    });
  }
  return rw.onDocument({
    // What was decided, for the browser module and for debugging, after the document: the
    // answer is only complete once every element has been met.
    end(end) {
      try {
        if (state.off) return;
        learn(rec);
        learn(promo);
        for (const [id, variants] of slotSeen) learn({ kind: 'slot', key: `slot|${id}`, variants });
        decided.complete?.();
        try {
          const script = holes ? `${holes.marker}s` : decisionsScript(page, decided.mode);
          if (script) end.append(script, { html: true });
        } catch (e) {
          onError(e);
        }
      } finally {
        decided.ended?.(); // nothing is decided after the document's end
      }
    },
  });
}
