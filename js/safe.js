// The allow-list for every value hearth writes into a page, in the browser
// (js/dom.js) and at the edge (worker/): one implementation, so a page reads
// the same whichever of them filled it.
//
// Only these attributes are ever set from data: alt anywhere; src and srcset on
// img/source; href on a/area (never on script, iframe, object, embed, base,
// link). URLs must be http(s) once resolved against the page (relative URLs
// are fine; javascript:, data:, blob: and obfuscated schemes are refused), and
// every srcset candidate is checked.

export const ATTRS = new Set(['src', 'srcset', 'href', 'alt']);
const URL_TARGETS = { src: new Set(['img', 'source']), srcset: new Set(['img', 'source']), href: new Set(['a', 'area']) };

/** `value` (a string or number) if it is an http(s) URL once resolved against `base`, else null. */
export function safeUrl(value, base) {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const s = String(value).trim();
  if (s === '' || s.length > 2048) return null;
  let u;
  try {
    u = new URL(s, base);
  } catch {
    return null;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? s : null;
}

/** A srcset whose every candidate is a safe URL with at most a `w`/`x` descriptor, or null. */
export function safeSrcset(value, base) {
  if (typeof value !== 'string') return null;
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return null;
  for (const p of parts) {
    const [url, descriptor, extra] = p.split(/\s+/);
    if (extra !== undefined || safeUrl(url, base) === null) return null;
    if (descriptor !== undefined && !/^\d+(\.\d+)?[wx]$/.test(descriptor)) return null;
  }
  return parts.join(', ');
}

/** Whether element `tag` (any case) may take allow-listed attribute `attr` at all. */
export function mayTake(tag, attr) {
  return attr === 'alt' || (URL_TARGETS[attr]?.has(tag.toLowerCase()) ?? false);
}

/** The value element `tag` may get for `attr` from `value` (a string or number), or null (refused: leave the element as it is). */
export function safeAttr(tag, attr, value, base) {
  if (!ATTRS.has(attr) || (typeof value !== 'string' && typeof value !== 'number') || !mayTake(tag, attr)) return null;
  if (attr === 'alt') return String(value);
  return attr === 'srcset' ? safeSrcset(value, base) : safeUrl(value, base);
}

/** `"src alt:imageAlt"` (a `data-hearth-attr` value) -> `[[attr, field]]`. */
export function attrPairs(spec) {
  return (spec ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [attr, field] = pair.split(':');
      return [attr, field || attr];
    });
}
