// Returning visitors for worker/bench.sh's profile row: `node worker/test/visitors.mjs N [manifest.json]`
// prints N Cookie header values, each a visitor with full consent and a digest cookie made from
// their own history (views, clicks and carts of catalog items, mostly within one taxonomy tag,
// over the last days), as the edge would have written it. Visitor i has the same history on every
// run (a fixed generator), dated back from now.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hearth } from '../../pkg/node.js';

const CONSENT = 'hearth_consent=store.content.promotions.measure';
const HOUR = 3_600_000;

/** A small fixed generator (mulberry32): the same visitors on every run. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` Cookie header values for visitors of `manifest` (an object), as of `now`. */
export function visitors(manifest, n, now = Date.now()) {
  const engine = Hearth.load(manifest);
  const items = manifest.catalog?.items ?? [];
  const tags = [...new Set(items.flatMap((i) => i.tags ?? []))];
  const out = [];
  for (let v = 0; v < n; v++) {
    const random = generator(v + 1);
    const pick = (xs) => xs[Math.floor(random() * xs.length)];
    let t = now - (1 + Math.floor(random() * 72)) * HOUR;
    const s = engine.session({ storage: 'memory', clock: () => t, secret: [v + 1, 0x5eed] });
    s.consent({ choices: { store: true, content: true, promotions: true, measure: true } });
    // Most of a visitor's interest is in one tag; the rest anywhere in the catalog.
    const liked = tags.length ? pick(tags) : null;
    const near = items.filter((i) => i.tags?.includes(liked));
    const events = 2 + Math.floor(random() * 10);
    for (let e = 0; e < events && items.length; e++) {
      const item = (near.length && random() < 0.75 ? pick(near) : pick(items)).id;
      const r = random();
      s.event({ type: r < 0.7 ? 'view' : r < 0.9 ? 'click' : 'addToCart', item });
      t += Math.floor(random() * 20 * 60_000);
    }
    const digest = s.digestCookie()?.split(';')[0];
    if (!digest) throw new Error('no digest cookie: does the manifest allow storing a profile?');
    out.push(`${CONSENT}; ${digest}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 32);
  const path = process.argv[3] ?? fileURLToPath(new URL('../build/manifest.json', import.meta.url));
  for (const c of visitors(JSON.parse(readFileSync(path, 'utf8')), n)) console.log(c);
}
