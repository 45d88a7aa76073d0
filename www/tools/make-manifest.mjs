#!/usr/bin/env node
// Generates the demo shop's manifest, product feed and artwork:
//
//   node www/tools/make-manifest.mjs        # writes www/site/manifest.json,
//                                           # www/site/catalog.json, www/site/img/**,
//                                           # www/site/api/member-gold.json
//
// Everything but the claim-signing key is deterministic (a fixed seed): the same
// taxonomy, items, factors and images on every run. The Ed25519 key pair is made
// fresh each run; only its public half goes into the manifest (`claims.publicKey`),
// the private half signs the sample loyalty claim and is then thrown away, so a
// visitor can present the claim but nobody can mint another one.
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SITE = join(dirname(fileURLToPath(import.meta.url)), '..', 'site');
const FACTORS = 12;
const SEED = 20261201;

// ---- a small seeded PRNG (mulberry32) ----
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

// ---- taxonomy ----
const TAGS = {
  running: { label: 'Running' },
  'trail-running': { label: 'Trail running', parent: 'running' },
  'road-running': { label: 'Road running', parent: 'running' },
  hiking: { label: 'Hiking' },
  camping: { label: 'Camping' },
  climbing: { label: 'Climbing' },
  cycling: { label: 'Cycling' },
  paddling: { label: 'Paddling' },
  snow: { label: 'Snow sports' },
  ultralight: { label: 'Ultralight gear' },
  waterproof: { label: 'Waterproof and rain gear' },
  // Sensitive: never learned unless the tag says so and the visitor consented to it.
  recovery: { label: 'Health and recovery', sensitive: true, learn: true },
  kids: { label: "Children's gear", sensitive: true },
};
// The activities a visitor browses by (the shop's departments), with their scene.
const DEPARTMENTS = [
  ['trail-running', 'trail'],
  ['road-running', 'road'],
  ['hiking', 'forest'],
  ['camping', 'night'],
  ['climbing', 'crag'],
  ['cycling', 'hills'],
  ['paddling', 'lake'],
  ['snow', 'snow'],
];
const SCENE_OF = Object.fromEntries(DEPARTMENTS);
SCENE_OF.recovery = 'studio';
SCENE_OF.kids = 'forest';

// ---- products: [type name, glyph, tags, price range, count] ----
const TYPES = [
  ['trail shoe', 'shoe', ['trail-running'], [99, 179], 12],
  ['running vest', 'vest', ['trail-running', 'ultralight'], [69, 149], 6],
  ['headlamp', 'headlamp', ['camping', 'trail-running'], [29, 99], 8],
  ['road shoe', 'shoe', ['road-running'], [89, 169], 12],
  ['GPS watch', 'watch', ['road-running', 'cycling'], [149, 499], 6],
  ['running tee', 'shirt', ['road-running'], [25, 55], 6],
  ['hiking boot', 'boot', ['hiking', 'waterproof'], [119, 249], 12],
  ['daypack', 'pack', ['hiking'], [49, 139], 8],
  ['trekking poles', 'poles', ['hiking', 'ultralight'], [59, 159], 6],
  ['rain jacket', 'jacket', ['hiking', 'cycling', 'waterproof'], [99, 329], 8],
  ['tent', 'tent', ['camping'], [149, 599], 12],
  ['sleeping bag', 'sleepbag', ['camping'], [89, 399], 8],
  ['camp stove', 'stove', ['camping', 'ultralight'], [39, 149], 6],
  ['water bottle', 'bottle', ['hiking', 'cycling', 'camping'], [12, 45], 6],
  ['climbing shoe', 'shoe', ['climbing'], [89, 189], 8],
  ['rope', 'rope', ['climbing'], [129, 299], 6],
  ['climbing helmet', 'helmet', ['climbing'], [59, 129], 6],
  ['bike helmet', 'helmet', ['cycling'], [49, 249], 8],
  ['cycling jersey', 'shirt', ['cycling'], [49, 129], 8],
  ['kayak paddle', 'paddle', ['paddling'], [79, 349], 8],
  ['dry bag', 'drybag', ['paddling', 'camping', 'waterproof'], [19, 69], 6],
  ['paddling vest', 'vest', ['paddling'], [89, 199], 6],
  ['skis', 'skis', ['snow'], [299, 799], 8],
  ['goggles', 'goggles', ['snow'], [59, 219], 8],
  ['insulated jacket', 'jacket', ['snow', 'hiking'], [149, 449], 8],
  ['foam roller', 'roller', ['recovery', 'running'], [19, 59], 4],
  ['compression socks', 'socks', ['recovery', 'road-running'], [15, 39], 4],
  ["kids' hiking boot", 'boot', ['kids', 'hiking'], [49, 89], 4],
  ["kids' sleeping bag", 'sleepbag', ['kids', 'camping'], [39, 79], 3],
];
const NAMES = ['Ridge', 'Summit', 'Cascade', 'Alpine', 'Granite', 'Cedar', 'Aspen', 'Boulder', 'Tundra', 'Juniper', 'Sierra', 'Fjord', 'Basalt', 'Larch', 'Talus', 'Kestrel', 'Cirrus', 'Moraine', 'Scree', 'Ember'];
const MODELS = ['Pro', 'Lite', 'GTX', '2', 'Trail', 'Plus', 'Evo', 'Air', 'Max', 'Flow', 'Peak', 'Storm'];
const HUES = [
  ['#d9480f', '#a63a0c'],
  ['#1c7ed6', '#1559a0'],
  ['#2b8a3e', '#1e6330'],
  ['#5f3dc4', '#45308f'],
];
const ACTIVITY_WORDS = {
  trail: 'on a muddy mountain trail',
  road: 'on a city street at sunrise',
  forest: 'on a forest path below the peaks',
  night: 'at a campsite under the stars',
  crag: 'at the foot of a sandstone crag',
  hills: 'on a road through rolling hills',
  lake: 'on a calm lake',
  snow: 'on a snowy slope',
  studio: 'on a plain background',
};

// Factors: one seeded direction per tag; an item is the normalized sum of its
// tags' directions plus a little noise (what a model trained off-device would give).
const tagVec = {};
for (const t of Object.keys(TAGS)) tagVec[t] = Array.from({ length: FACTORS }, () => rand() * 2 - 1);
function factorsOf(tags) {
  const v = new Array(FACTORS).fill(0);
  tags.forEach((t, i) => tagVec[t].forEach((x, d) => (v[d] += x * (i === 0 ? 1 : 0.6))));
  for (let d = 0; d < FACTORS; d++) v[d] += (rand() - 0.5) * 0.3;
  const n = Math.hypot(...v) || 1;
  return v.map((x) => round(x / n));
}

const items = [];
const feed = [];
const artFiles = new Map(); // path -> [glyph, scene, hue]
let n = 0;
for (const [type, glyph, tags, [lo, hi], count] of TYPES) {
  for (let i = 0; i < count; i++) {
    n += 1;
    const id = `item-${n}`;
    const title = `${pick(NAMES)} ${pick(MODELS)} ${type}`;
    const hue = Math.floor(rand() * HUES.length);
    const price = (Math.round(lo + rand() * (hi - lo)) - 0.05).toFixed(2);
    const itemTags = [...tags];
    if (!itemTags.includes('waterproof') && rand() < 0.12 && !tags.includes('kids')) itemTags.push('waterproof');
    // Artworks: a studio shot first (the default), then one per activity the item is for.
    const scenes = ['studio', ...new Set(itemTags.map((t) => SCENE_OF[t]).filter((s) => s && s !== 'studio'))];
    const artworks = scenes.map((scene) => {
      const src = `/img/art/${glyph}-${scene}-${hue}.svg`;
      artFiles.set(src, [glyph, scene, hue]);
      const sceneTags = scene === 'studio' ? undefined : itemTags.filter((t) => SCENE_OF[t] === scene);
      return {
        id: scene,
        ...(sceneTags ? { tags: sceneTags } : {}),
        content: { src, alt: `${title} ${ACTIVITY_WORDS[scene]}` },
      };
    });
    const department = itemTags.find((t) => SCENE_OF[t] && !TAGS[t].sensitive) ?? itemTags[0];
    items.push({
      id,
      title,
      tags: itemTags,
      content: { href: `#/p/${id}`, price, department: TAGS[department].label },
      factors: factorsOf(itemTags),
      artworks,
    });
    feed.push({ id, title, price, tags: itemTags, department, src: artworks[0].content.src, alt: artworks[0].content.alt });
  }
}

const popularity = {};
for (const it of items) popularity[it.id] = 5 + Math.floor(rand() ** 2 * 400);

// ---- slots ----
const HERO = {
  classic: ['New season', 'Gear for every trail, road and river', 'Tested by people who go outside for a living. Free returns for 60 days.', '#/c/hiking', 'Shop the new season', 'Mountains at dawn above a valley'],
  trail: ['Trail running', 'Lighter, grippier: the new trail line', 'Shoes and vests that shrug off mud, roots and scree.', '#/c/trail-running', 'Shop trail running', 'A runner on a ridge at sunset'],
  road: ['Road running', 'Your fastest 10K starts here', 'Cushioned road shoes, GPS watches and tees that breathe.', '#/c/road-running', 'Shop road running', 'A city street at sunrise'],
  hike: ['Hiking', 'Boots broken in by the first mile', 'Waterproof boots, daypacks and poles for long days out.', '#/c/hiking', 'Shop hiking', 'A forest path below snowy peaks'],
  camp: ['Camping', 'Sleep under the stars this weekend', 'Tents, bags and stoves that pack small and pitch fast.', '#/c/camping', 'Shop camping', 'A tent glowing under a starry sky'],
  climb: ['Climbing', 'Send your project', 'Ropes, helmets and shoes for crag and gym.', '#/c/climbing', 'Shop climbing', 'A sandstone crag in warm light'],
  ride: ['Cycling', 'Roll further, lighter', 'Helmets, jerseys and rain shells for every road.', '#/c/cycling', 'Shop cycling', 'A road winding through green hills'],
  paddle: ['Paddling', 'Flat water, early light', 'Paddles, vests and dry bags for lakes and coast.', '#/c/paddling', 'Shop paddling', 'A calm lake reflecting the mountains'],
  snow: ['Snow sports', 'First tracks this winter', 'Skis, goggles and insulated layers for cold days.', '#/c/snow', 'Shop snow sports', 'Fresh snow on a mountain slope'],
};
const HERO_TAGS = { trail: ['trail-running'], road: ['road-running'], hike: ['hiking'], camp: ['camping'], climb: ['climbing'], ride: ['cycling'], paddle: ['paddling'], snow: ['snow'] };
const HERO_SCENE = { classic: 'dawn', trail: 'trail', road: 'road', hike: 'forest', camp: 'night', climb: 'crag', ride: 'hills', paddle: 'lake', snow: 'snow' };

const slots = {
  hero: {
    label: 'Home page banner',
    description: 'The big picture at the top of the home page.',
    strategy: 'affinity',
    default: 'classic',
    exploration: 0.05,
    variants: Object.entries(HERO).map(([id, [label, title, text, href, cta, alt]]) => ({
      id,
      label,
      ...(HERO_TAGS[id] ? { tags: HERO_TAGS[id] } : {}),
      content: { title, text, href, cta, src: `/img/hero/${id}.svg`, alt },
    })),
  },
  greeting: {
    label: 'Greeting strip',
    description: 'A short line under the banner that depends only on this visit (time, device, where you came from).',
    strategy: 'rules',
    default: 'hello',
    variants: [
      { id: 'from-search', label: 'Arrived from a search', condition: { 'context.referrer': 'search' }, content: { title: 'Found us through a search? Welcome.', text: 'Every product ships free over $75.' } },
      { id: 'mobile', label: 'On a phone', condition: { 'context.device': 'mobile' }, content: { title: 'Shopping on the go?', text: 'Reserve online, pick up in any store.' } },
      { id: 'weekend', label: 'Weekend', condition: { 'context.weekday': { $in: [0, 6] } }, content: { title: 'Weekend plans?', text: 'Order by noon for same-day pickup.' } },
      { id: 'evening', label: 'Evening', condition: { 'context.hour': { $gte: 18 } }, content: { title: 'Planning tomorrow’s adventure?', text: 'Orders placed tonight ship first thing.' } },
      { id: 'morning', label: 'Morning', condition: { 'context.hour': { $lt: 11 } }, content: { title: 'Good morning, early bird.', text: 'Coffee, then trails.' } },
      { id: 'hello', label: 'Everyone else', content: { title: 'Welcome to Ridgeline Outfitters.', text: 'Free returns for 60 days on everything.' } },
    ],
  },
  cta: {
    label: 'Bottom-of-page invitation',
    description: 'What we invite you to do next; learns from what visitors click.',
    strategy: 'bandit',
    default: 'newsletter',
    variants: [
      { id: 'newsletter', label: 'Newsletter', content: { title: 'Trail notes, once a month', text: 'Routes, repairs and first looks. No spam.', href: '#/newsletter', cta: 'Subscribe' } },
      { id: 'stores', label: 'Stores', content: { title: 'Try it on in a store', text: 'Twelve stores, free gait analysis and boot fitting.', href: '#/stores', cta: 'Find a store' } },
      { id: 'repair', label: 'Repairs', content: { title: 'We fix what we sell', text: 'Free first repair on every jacket, tent and pack.', href: '#/repairs', cta: 'Book a repair' } },
    ],
  },
};

// ---- segments, promotions ----
const aff = (tag, min = 0.3) => ({ [`profile.affinity.${tag}`]: { $gte: min } });
const segments = {
  runner: { label: 'Often looks at running', condition: { $or: [aff('trail-running'), aff('road-running')] } },
  camper: { label: 'Often looks at camping', condition: aff('camping') },
  'snow-fan': { label: 'Often looks at snow sports', condition: aff('snow') },
  'water-fan': { label: 'Often looks at paddling', condition: aff('paddling') },
  returning: { label: 'Has visited before', condition: { 'profile.visits': { $gte: 2 } } },
  'frequent-buyer': { label: 'Bought three times or more', condition: { 'profile.purchases': { $gte: 3 } } },
  gold: { label: 'Gold loyalty member', condition: { 'claims.loyaltyTier': 'gold' } },
};
const promotions = {
  'free-returns': {
    placement: 'promo-bar', label: 'Free returns',
    content: { text: 'Free returns for 60 days, on everything.', href: '#/returns', cta: 'How it works' },
    priority: 1, value: 1, exclusionGroup: 'sitewide',
  },
  'camp-weekend': {
    placement: 'promo-bar', label: 'Camping weekend offer', tags: ['camping'], usesProfile: true,
    content: { text: 'Camp this weekend: 15% off tents and sleeping bags.', href: '#/c/camping', cta: 'See tents' },
    condition: { segments: { $in: ['camper'] } },
    caps: { perDay: 6, perWeek: 12, lifetime: 30 }, cooldown: { afterDismissDays: 7, afterConversionDays: 30 },
    priority: 2, value: 12, exclusionGroup: 'sitewide',
  },
  'runners-club': {
    placement: 'promo-bar', label: 'Runners club', tags: ['running'], usesProfile: true,
    content: { text: 'Runners club: free gait analysis with any shoe.', href: '#/c/trail-running', cta: 'Book a slot' },
    condition: { segments: { $in: ['runner'] } },
    caps: { perDay: 3, perWeek: 8 }, cooldown: { afterDismissDays: 7 },
    priority: 2, value: 10, exclusionGroup: 'sitewide',
  },
  'winter-sale': {
    placement: 'promo-bar', label: 'Winter sale', tags: ['snow'], usesProfile: true,
    content: { text: 'Winter sale: 20% off skis and goggles.', href: '#/c/snow', cta: 'Shop the sale' },
    condition: { segments: { $in: ['snow-fan'] } },
    window: { start: '2026-11-01', end: '2027-03-01' },
    caps: { perDay: 2, perWeek: 6, lifetime: 15 }, cooldown: { afterDismissDays: 5, afterConversionDays: 30 },
    priority: 3, value: 15, exclusionGroup: 'sitewide',
  },
  'gold-members': {
    placement: 'promo-bar', label: 'Gold member offer',
    content: { text: 'Gold members: free express shipping on every order.', href: '#/members', cta: 'Your benefits' },
    condition: { 'claims.loyaltyTier': 'gold' }, requiresClaims: ['loyaltyTier'],
    caps: { perDay: 5 }, priority: 5, value: 8, exclusionGroup: 'sitewide',
  },
  birthday: {
    placement: 'promo-bar', label: 'Birthday treat',
    content: { text: 'Happy birthday! $20 off anything this month.', href: '#/members', cta: 'Claim it' },
    birthdayMonth: true, requiresClaims: ['birthMonth'],
    caps: { lifetime: 3 }, priority: 6, value: 20, exclusionGroup: 'sitewide',
  },
};

// ---- claims ----
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
const b64url = (buf) => Buffer.from(buf).toString('base64url');
function claim(doc) {
  const payload = b64url(JSON.stringify(doc));
  return `${payload}.${b64url(sign(null, Buffer.from(payload, 'ascii'), privateKey))}`;
}
// Valid for five years from generation; re-run this script to renew.
const exp = Math.floor(Date.now() / 1000) + 5 * 365 * 86400;
const member = {
  name: 'Alex (demo gold member)',
  claims: [claim({ trait: 'loyaltyTier', value: 'gold', exp })],
};

const manifest = {
  hearth: 1,
  name: 'ridgeline-outfitters',
  profile: { halfLifeDays: 30, recentItems: 20, retentionDays: 395, sessionMinutes: 30 },
  taxonomy: { tags: TAGS },
  features: {
    'free-shipping-threshold': { defaultValue: 75, rules: [{ condition: { segments: { $in: ['gold'] } }, force: 0 }] },
  },
  segments,
  slots,
  placements: { 'promo-bar': { maxPerPage: 1 } },
  promotions,
  catalog: { factors: FACTORS, items },
  recommendations: {
    home: { k: 8, exclude: ['viewed', 'purchased'], maxPerTag: 0, mmrLambda: 0.7 },
    'for-you': { k: 5, exclude: ['viewed', 'purchased'], maxPerTag: 0, mmrLambda: 0.6 },
  },
  priors: {
    slots: { cta: { newsletter: { alpha: 4, beta: 96 }, stores: { alpha: 3, beta: 97 }, repair: { alpha: 2, beta: 98 } } },
    promotions: { 'camp-weekend': { alpha: 5, beta: 95 }, 'runners-club': { alpha: 4, beta: 96 }, 'winter-sale': { alpha: 6, beta: 94 }, 'free-returns': { alpha: 1, beta: 99 } },
    popularity,
  },
  claims: { publicKey: raw.toString('base64'), traits: ['loyaltyTier', 'birthMonth'] },
};

// ---- images ----
const SCENES = {
  studio: (w, h) => `<defs><radialGradient id="g" cx="50%" cy="45%" r="70%"><stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="#e4e7eb"/></radialGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/><ellipse cx="${w / 2}" cy="${h * 0.82}" rx="${w * 0.28}" ry="${h * 0.04}" fill="#000" opacity=".08"/>`,
  dawn: (w, h) => `<defs><linearGradient id="g" x2="0" y2="1"><stop offset="0" stop-color="#ffb36b"/><stop offset=".6" stop-color="#ffd9a8"/><stop offset="1" stop-color="#f3e7d3"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/><circle cx="${w * 0.3}" cy="${h * 0.55}" r="${h * 0.12}" fill="#fff3d6"/><path d="M0 ${h * 0.75} L${w * 0.18} ${h * 0.42} L${w * 0.33} ${h * 0.62} L${w * 0.5} ${h * 0.3} L${w * 0.7} ${h * 0.6} L${w * 0.85} ${h * 0.45} L${w} ${h * 0.65} V${h} H0Z" fill="#7a5c8c" opacity=".75"/><path d="M0 ${h * 0.85} L${w * 0.25} ${h * 0.65} L${w * 0.45} ${h * 0.8} L${w * 0.65} ${h * 0.62} L${w} ${h * 0.82} V${h} H0Z" fill="#4a3b5c"/>`,
  trail: (w, h) => `<rect width="${w}" height="${h}" fill="#f6c48f"/><circle cx="${w * 0.8}" cy="${h * 0.25}" r="${h * 0.1}" fill="#fff1d0"/><path d="M0 ${h * 0.6} L${w * 0.3} ${h * 0.3} L${w * 0.55} ${h * 0.55} L${w * 0.75} ${h * 0.35} L${w} ${h * 0.55} V${h} H0Z" fill="#b5651d"/><path d="M0 ${h * 0.8} Q${w * 0.5} ${h * 0.6} ${w} ${h * 0.75} V${h} H0Z" fill="#7a3e12"/><path d="M${w * 0.35} ${h} Q${w * 0.5} ${h * 0.8} ${w * 0.62} ${h * 0.68}" stroke="#d8a36a" stroke-width="${h * 0.05}" fill="none"/>`,
  road: (w, h) => `<rect width="${w}" height="${h}" fill="#cfe3f3"/><g fill="#8fa3b5">${[0.05, 0.17, 0.26, 0.4, 0.55, 0.68, 0.8, 0.9].map((x, i) => `<rect x="${w * x}" y="${h * (0.25 + (i % 3) * 0.08)}" width="${w * 0.09}" height="${h}"/>`).join('')}</g><rect y="${h * 0.72}" width="${w}" height="${h * 0.28}" fill="#3d4450"/><g fill="#f2f2f2">${[0.1, 0.3, 0.5, 0.7, 0.9].map((x) => `<rect x="${w * x - w * 0.04}" y="${h * 0.85}" width="${w * 0.08}" height="${h * 0.02}"/>`).join('')}</g>`,
  forest: (w, h) => `<rect width="${w}" height="${h}" fill="#d6ecf5"/><path d="M0 ${h * 0.6} L${w * 0.25} ${h * 0.2} L${w * 0.45} ${h * 0.5} L${w * 0.65} ${h * 0.15} L${w} ${h * 0.55} V${h} H0Z" fill="#9bb3c4"/><path d="M${w * 0.22} ${h * 0.25} L${w * 0.25} ${h * 0.2} L${w * 0.29} ${h * 0.27}Z M${w * 0.61} ${h * 0.21} L${w * 0.65} ${h * 0.15} L${w * 0.7} ${h * 0.22}Z" fill="#fff"/><rect y="${h * 0.7}" width="${w}" height="${h * 0.3}" fill="#4f7d3a"/><g fill="#2f5a2a">${Array.from({ length: 12 }, (_, i) => { const x = (i + 0.5) * (w / 12); const s = h * (0.18 + (i % 3) * 0.05); return `<path d="M${x} ${h * 0.72 - s} L${x + s * 0.35} ${h * 0.74} L${x - s * 0.35} ${h * 0.74}Z"/>`; }).join('')}</g>`,
  night: (w, h) => `<rect width="${w}" height="${h}" fill="#14213d"/><g fill="#fff">${Array.from({ length: 40 }, (_, i) => `<circle cx="${((i * 97) % 100) / 100 * w}" cy="${((i * 53) % 60) / 100 * h}" r="${1 + (i % 3) * 0.6}" opacity="${0.5 + (i % 5) * 0.1}"/>`).join('')}</g><circle cx="${w * 0.82}" cy="${h * 0.18}" r="${h * 0.07}" fill="#f8f3d4"/><path d="M0 ${h * 0.78} L${w * 0.3} ${h * 0.55} L${w * 0.55} ${h * 0.72} L${w * 0.8} ${h * 0.5} L${w} ${h * 0.68} V${h} H0Z" fill="#23395b"/><rect y="${h * 0.85}" width="${w}" height="${h * 0.15}" fill="#1b2a1f"/><path d="M${w * 0.1} ${h * 0.88} L${w * 0.17} ${h * 0.76} L${w * 0.24} ${h * 0.88}Z" fill="#f4a259"/>`,
  crag: (w, h) => `<rect width="${w}" height="${h}" fill="#ffe0b8"/><path d="M${w * 0.45} ${h} L${w * 0.5} ${h * 0.1} L${w * 0.75} ${h * 0.05} L${w * 0.85} ${h * 0.3} L${w} ${h * 0.25} V${h}Z" fill="#c8553d"/><path d="M${w * 0.55} ${h} L${w * 0.6} ${h * 0.2} M${w * 0.7} ${h} L${w * 0.72} ${h * 0.15}" stroke="#a23e2c" stroke-width="${w * 0.01}"/><rect y="${h * 0.88}" width="${w}" height="${h * 0.12}" fill="#d9a66b"/>`,
  hills: (w, h) => `<rect width="${w}" height="${h}" fill="#bfe3ff"/><circle cx="${w * 0.2}" cy="${h * 0.2}" r="${h * 0.09}" fill="#fff6c2"/><path d="M0 ${h * 0.6} Q${w * 0.25} ${h * 0.35} ${w * 0.5} ${h * 0.55} T${w} ${h * 0.5} V${h} H0Z" fill="#8cc084"/><path d="M0 ${h * 0.8} Q${w * 0.3} ${h * 0.6} ${w * 0.6} ${h * 0.78} T${w} ${h * 0.72} V${h} H0Z" fill="#5b9a52"/><path d="M${w * 0.2} ${h} Q${w * 0.5} ${h * 0.75} ${w * 0.9} ${h * 0.7}" stroke="#6b6b6b" stroke-width="${h * 0.04}" fill="none"/>`,
  lake: (w, h) => `<rect width="${w}" height="${h}" fill="#fde2c4"/><path d="M0 ${h * 0.55} L${w * 0.2} ${h * 0.3} L${w * 0.4} ${h * 0.5} L${w * 0.65} ${h * 0.25} L${w} ${h * 0.5} V${h * 0.6} H0Z" fill="#6c7a89"/><rect y="${h * 0.58}" width="${w}" height="${h * 0.42}" fill="#3a86b4"/><g stroke="#9fd0ee" stroke-width="2" opacity=".7">${[0.66, 0.74, 0.82, 0.9].map((y, i) => `<path d="M${w * (0.1 + i * 0.15)} ${h * y} h${w * 0.2}"/>`).join('')}</g>`,
  snow: (w, h) => `<rect width="${w}" height="${h}" fill="#a9d6f5"/><path d="M0 ${h * 0.7} L${w * 0.3} ${h * 0.2} L${w * 0.5} ${h * 0.45} L${w * 0.7} ${h * 0.15} L${w} ${h * 0.6} V${h} H0Z" fill="#f4f8fb"/><path d="M${w * 0.3} ${h * 0.2} L${w * 0.38} ${h * 0.33} L${w * 0.3} ${h * 0.3} L${w * 0.24} ${h * 0.3}Z M${w * 0.7} ${h * 0.15} L${w * 0.78} ${h * 0.28} L${w * 0.66} ${h * 0.22}Z" fill="#cfdde8"/><path d="M0 ${h * 0.85} Q${w * 0.5} ${h * 0.7} ${w} ${h * 0.82} V${h} H0Z" fill="#ffffff"/>`,
};
// Glyphs in a 100x100 box; `c` main colour, `d` darker.
const GLYPHS = {
  shoe: (c, d) => `<path d="M8 62 Q10 40 22 38 L40 40 Q50 52 66 54 L88 60 Q96 64 92 72 L12 72 Q6 70 8 62Z" fill="${c}"/><path d="M8 70 H94 V78 H10Z" fill="${d}"/><path d="M30 44 l6 8 M38 44 l6 9 M46 48 l5 7" stroke="#fff" stroke-width="3"/>`,
  boot: (c, d) => `<path d="M22 18 H50 L52 56 L84 62 Q94 66 90 76 H18Z" fill="${c}"/><rect x="16" y="74" width="78" height="8" rx="2" fill="${d}"/><path d="M26 26 h20 M26 36 h20 M26 46 h22" stroke="#fff" stroke-width="3"/>`,
  tent: (c, d) => `<path d="M10 80 L50 18 L90 80Z" fill="${c}"/><path d="M50 18 L62 80 H38Z" fill="${d}"/><path d="M4 82 H96" stroke="#333" stroke-width="3"/>`,
  pack: (c, d) => `<rect x="26" y="18" width="48" height="66" rx="14" fill="${c}"/><rect x="34" y="46" width="32" height="26" rx="6" fill="${d}"/><path d="M40 18 Q50 8 60 18" stroke="${d}" stroke-width="5" fill="none"/>`,
  poles: (c, d) => `<path d="M36 12 L28 90 M64 12 L72 90" stroke="${c}" stroke-width="6" stroke-linecap="round"/><rect x="31" y="10" width="10" height="18" rx="3" fill="${d}"/><rect x="59" y="10" width="10" height="18" rx="3" fill="${d}"/>`,
  jacket: (c, d) => `<path d="M36 14 L50 22 L64 14 L86 26 L92 60 L80 62 L78 88 H22 L20 62 L8 60 L14 26Z" fill="${c}"/><path d="M50 22 V88" stroke="${d}" stroke-width="3"/><path d="M36 14 Q50 30 64 14" fill="${d}"/>`,
  headlamp: (c, d) => `<ellipse cx="50" cy="54" rx="40" ry="20" fill="none" stroke="${d}" stroke-width="7"/><rect x="34" y="28" width="32" height="26" rx="8" fill="${c}"/><circle cx="50" cy="41" r="8" fill="#fff7c2"/><path d="M62 36 L92 20 M62 46 L94 44" stroke="#fff1a8" stroke-width="3" opacity=".8"/>`,
  watch: (c, d) => `<rect x="38" y="6" width="24" height="88" rx="8" fill="${d}"/><circle cx="50" cy="50" r="24" fill="${c}"/><circle cx="50" cy="50" r="17" fill="#1d232a"/><path d="M50 50 V38 M50 50 L58 54" stroke="#fff" stroke-width="3"/>`,
  shirt: (c, d) => `<path d="M34 14 Q50 24 66 14 L90 28 L80 44 L72 40 V88 H28 V40 L20 44 L10 28Z" fill="${c}"/><path d="M28 56 H72" stroke="${d}" stroke-width="6"/>`,
  vest: (c, d) => `<path d="M30 12 L42 30 H58 L70 12 L82 30 V88 H18 V30Z" fill="${c}"/><rect x="28" y="46" width="16" height="22" rx="4" fill="${d}"/><rect x="56" y="46" width="16" height="22" rx="4" fill="${d}"/>`,
  sleepbag: (c, d) => `<path d="M30 10 Q50 2 70 10 L76 88 Q50 96 24 88Z" fill="${c}"/><ellipse cx="50" cy="20" rx="14" ry="8" fill="${d}"/><path d="M28 40 Q50 46 72 40 M27 60 Q50 66 74 60" stroke="${d}" stroke-width="3" fill="none"/>`,
  stove: (c, d) => `<rect x="30" y="50" width="40" height="34" rx="6" fill="${c}"/><path d="M24 48 H76" stroke="${d}" stroke-width="5"/><path d="M42 40 Q50 20 58 40 Q50 34 42 40Z" fill="#ff8c2b"/><rect x="44" y="60" width="12" height="16" rx="3" fill="${d}"/>`,
  bottle: (c, d) => `<rect x="40" y="8" width="20" height="12" rx="3" fill="${d}"/><rect x="32" y="20" width="36" height="72" rx="10" fill="${c}"/><rect x="32" y="44" width="36" height="16" fill="${d}" opacity=".6"/>`,
  rope: (c, d) => `<circle cx="50" cy="52" r="34" fill="none" stroke="${c}" stroke-width="10"/><circle cx="50" cy="52" r="20" fill="none" stroke="${d}" stroke-width="8"/><path d="M76 74 Q90 88 80 96" stroke="${c}" stroke-width="8" fill="none"/>`,
  helmet: (c, d) => `<path d="M12 64 Q12 18 50 18 Q88 18 88 64Z" fill="${c}"/><path d="M8 64 H92" stroke="${d}" stroke-width="7" stroke-linecap="round"/><path d="M34 26 L38 46 M50 22 V44 M66 26 L62 46" stroke="${d}" stroke-width="5"/>`,
  paddle: (c, d) => `<path d="M20 80 L80 20" stroke="${d}" stroke-width="6" stroke-linecap="round"/><ellipse cx="18" cy="82" rx="9" ry="18" transform="rotate(45 18 82)" fill="${c}"/><ellipse cx="82" cy="18" rx="9" ry="18" transform="rotate(45 82 18)" fill="${c}"/>`,
  drybag: (c, d) => `<path d="M30 30 H70 L74 88 Q50 94 26 88Z" fill="${c}"/><rect x="28" y="20" width="44" height="12" rx="4" fill="${d}"/><path d="M40 20 Q50 6 60 20" stroke="${d}" stroke-width="4" fill="none"/>`,
  skis: (c, d) => `<path d="M34 10 Q30 4 38 6 L44 92 H36Z" fill="${c}"/><path d="M62 10 Q58 4 66 6 L70 92 H62Z" fill="${c}"/><rect x="32" y="52" width="40" height="8" rx="2" fill="${d}"/>`,
  goggles: (c, d) => `<path d="M8 50 H92" stroke="${d}" stroke-width="6"/><rect x="18" y="32" width="64" height="36" rx="16" fill="${c}"/><rect x="24" y="38" width="52" height="24" rx="11" fill="#8fd3ff"/><path d="M30 44 L44 56" stroke="#fff" stroke-width="3" opacity=".8"/>`,
  roller: (c, d) => `<rect x="14" y="36" width="72" height="32" rx="16" fill="${c}"/><ellipse cx="86" cy="52" rx="6" ry="16" fill="${d}"/><path d="M30 38 V66 M46 38 V66 M62 38 V66" stroke="${d}" stroke-width="3"/>`,
  socks: (c, d) => `<path d="M34 10 H56 V60 L70 70 Q80 80 68 88 L40 80 Q30 76 34 64Z" fill="${c}"/><rect x="34" y="10" width="22" height="10" fill="${d}"/>`,
};
const svg = (w, h, body, title) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img"><title>${title}</title>${body}</svg>\n`;

rmSync(join(SITE, 'img'), { recursive: true, force: true });
mkdirSync(join(SITE, 'img', 'art'), { recursive: true });
mkdirSync(join(SITE, 'img', 'hero'), { recursive: true });
mkdirSync(join(SITE, 'api'), { recursive: true });
for (const [src, [glyph, scene, hue]] of artFiles) {
  const [c, d] = HUES[hue];
  const g = `<g transform="translate(120 70) scale(1.6)">${GLYPHS[glyph](c, d)}</g>`;
  writeFileSync(join(SITE, src), svg(400, 300, SCENES[scene](400, 300) + g, `${glyph} ${ACTIVITY_WORDS[scene]}`));
}
const HERO_GLYPH = { classic: 'pack', trail: 'shoe', road: 'shoe', hike: 'boot', camp: 'tent', climb: 'rope', ride: 'helmet', paddle: 'paddle', snow: 'goggles' };
for (const id of Object.keys(HERO)) {
  const [c, d] = HUES[Object.keys(HERO).indexOf(id) % HUES.length];
  const g = `<g transform="translate(820 90) scale(2.6)" opacity=".95">${GLYPHS[HERO_GLYPH[id]](c, d)}</g>`;
  writeFileSync(join(SITE, 'img', 'hero', `${id}.svg`), svg(1200, 420, SCENES[HERO_SCENE[id]](1200, 420) + g, HERO[id][5]));
}

const json = (o) => `${JSON.stringify(o)}\n`;
writeFileSync(join(SITE, 'manifest.json'), json(manifest));
writeFileSync(join(SITE, 'catalog.json'), json({ departments: DEPARTMENTS.map(([t]) => ({ tag: t, label: TAGS[t].label })), items: feed }));
writeFileSync(join(SITE, 'api', 'member-gold.json'), `${JSON.stringify(member, null, 2)}\n`);
console.log(`www/site: ${items.length} items, ${artFiles.size} artwork images, ${Object.keys(HERO).length} hero images, manifest ${(JSON.stringify(manifest).length / 1024).toFixed(0)} KB`);
