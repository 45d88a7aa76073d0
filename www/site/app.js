// Ridgeline Outfitters: a small single-page shop on hearth. The shop's own
// code is here (routing, product pages, its consent banner, the "Your data"
// panel); every personalized choice is hearth's, made in this browser.
import { init } from '/pkg/browser.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k === 'href' || k === 'src' || k === 'alt' || k === 'aria-label') e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children);
  return e;
};

// ---- the site's own consent record (a CMP's job, not hearth's) ----
// Kept only when the visitor allowed storage; a refusal is kept in memory for
// this visit, so a "reject" leaves the device untouched.
const CONSENT_KEY = 'ridgeline-consent';
function storedChoices() {
  try {
    const v = JSON.parse(localStorage.getItem(CONSENT_KEY) ?? 'null');
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}
function keepChoices(choices) {
  try {
    if (choices.store) localStorage.setItem(CONSENT_KEY, JSON.stringify(choices));
    else localStorage.removeItem(CONSENT_KEY);
  } catch {
    // Storage blocked: the choice holds for this visit.
  }
}

// Replaying decisions (tests, screenshots): ?secret=1,2&epoch=7.
const params = new URLSearchParams(location.search);
const secret = params.get('secret')?.split(',').map(Number);
const epoch = params.has('epoch') ? Number(params.get('epoch')) : undefined;

const choices = storedChoices();
const catalogPromise = fetch('/catalog.json').then((r) => r.json());
const hearth = await init({
  manifest: '/manifest.bin', // compiled by www/tools/compile-manifest.mjs (the browser build reads them)
  consent: choices ? { choices } : undefined,
  ...(secret?.length === 2 ? { session: { secret } } : {}),
  ...(epoch !== undefined ? { context: { epoch } } : {}),
});
window.ridgeline = { hearth };

let catalog = { items: [], departments: [] };
try {
  catalog = await catalogPromise;
} catch {
  // The shop still works without its feed; only the product lists are empty.
}
const byId = new Map(catalog.items.map((i) => [i.id, i]));
const deptLabel = Object.fromEntries(catalog.departments.map((d) => [d.tag, d.label]));
const tagLabel = (t) => hearth.manifest?.taxonomy?.tags?.[t]?.label ?? deptLabel[t] ?? t;

// ---- product cards ----
function card(item) {
  return el(
    'li',
    { class: 'card' },
    el(
      'a',
      { href: `#/p/${item.id}`, 'data-hearth-item': item.id },
      el('img', { 'data-hearth-artwork': item.id, src: item.src, alt: item.alt, width: 400, height: 300, loading: 'lazy' }),
      el('span', { class: 'card-title', textContent: item.title }),
      el('span', { class: 'card-meta', textContent: `${deptLabel[item.department] ?? ''} · $${item.price}` }),
    ),
  );
}
const SCENES = new Set(catalog.departments.map((d) => d.tag));
const multi = catalog.items.filter((i) => i.tags.filter((t) => SCENES.has(t)).length >= 2);
$('anywhere').replaceChildren(...multi.filter((_, i) => i % 4 === 0).map(card));

// ---- routes ----
const views = ['home', 'category', 'product', 'info'];
function show(view) {
  for (const v of views) $(v).hidden = v !== view;
}
function route() {
  const [, kind, id] = location.hash.match(/^#\/(c|p)\/([\w.:-]+)$/) ?? [];
  for (const a of document.querySelectorAll('.departments a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/c/${id}`);
  // A route change is a new page view: record what it says about the visitor, then decide again.
  if (kind === 'c' && deptLabel[id]) hearth.search(id);
  else if (kind === 'p' && byId.has(id)) hearth.view(id);
  hearth.refresh();
  if (kind === 'c' && deptLabel[id]) {
    show('category');
    $('category-name').textContent = deptLabel[id];
    $('category-title').textContent = deptLabel[id];
    $('category-items').replaceChildren(...catalog.items.filter((i) => i.tags.includes(id)).map(card));
  } else if (kind === 'p' && byId.has(id)) {
    const item = byId.get(id);
    show('product');
    $('product-department').textContent = deptLabel[item.department] ?? '';
    $('product-department').setAttribute('href', `#/c/${item.department}`);
    $('product-title').textContent = item.title;
    $('product-price').textContent = `$${item.price}`;
    $('product-tags').textContent = `For ${item.tags.map(tagLabel).join(', ')}`;
    $('product-note').textContent = '';
    // A fresh image element: hearth picks its artwork as it is added.
    const img = el('img', { id: 'product-image', 'data-hearth-artwork': id, src: item.src, alt: item.alt, width: 400, height: 300 });
    $('product-image').replaceWith(img);
    const also = hearth.session?.recommend('for-you', 5, hearth.context);
    const recs = Array.isArray(also) ? also.map((r) => byId.get(r.item)).filter(Boolean) : [];
    $('also').replaceChildren(...recs.filter((r) => r.id !== id).slice(0, 4).map(card));
  } else if (location.hash === '' || location.hash === '#/' || location.hash === '#') {
    show('home');
  } else {
    show('info');
    $('info-title').textContent = location.hash.replace(/^#\//, '').replace(/-/g, ' ') || 'Ridgeline Outfitters';
  }
  window.scrollTo(0, 0);
  if ($('data').open) renderData();
}
addEventListener('hashchange', route);
if (location.hash && location.hash !== '#/') route();

// ---- cart ----
let cart = 0;
$('add-to-cart').addEventListener('click', () => {
  const id = location.hash.split('/')[2];
  hearth.addToCart(id);
  $('cart').textContent = `Cart ${++cart}`;
  $('product-note').textContent = 'Added to your cart.';
});
$('buy-now').addEventListener('click', () => {
  const id = location.hash.split('/')[2];
  hearth.purchase(id);
  $('product-note').textContent = 'Thanks! (This is a demo: nothing was charged.)';
});

// ---- log in as a gold member: the shop's server would return this signed claim ----
let member = null;
$('login').addEventListener('click', async () => {
  if (member) {
    member = null;
    await hearth.presentClaims([]);
    $('login').textContent = 'Log in as gold member';
  } else {
    member = await (await fetch('/api/member-gold.json')).json();
    await hearth.presentClaims(member.claims);
    $('login').textContent = `${member.name.split(' ')[0]} · Gold · Log out`;
  }
  if ($('data').open) renderData();
});

// ---- the consent banner ----
const banner = $('consent');
const form = $('consent-form');
function decide(c) {
  keepChoices(c);
  hearth.consent({ choices: c, withdrawn: false });
  banner.hidden = true;
  if ($('data').open) renderData();
}
$('consent-accept').addEventListener('click', () => decide({ store: true, content: true, promotions: true, measure: true, sensitive: false }));
$('consent-reject').addEventListener('click', () => decide({ store: false, content: false, promotions: false, measure: false, sensitive: false }));
$('consent-choose').addEventListener('click', () => {
  $('consent-purposes').hidden = false;
  $('consent-save').hidden = false;
  $('consent-choose').hidden = true;
  $('consent-accept').hidden = true;
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  const f = new FormData(form);
  decide(Object.fromEntries(['store', 'content', 'promotions', 'measure', 'sensitive'].map((k) => [k, f.has(k)])));
});
function openConsent() {
  const c = hearth.signals.choices ?? {};
  for (const k of ['store', 'content', 'promotions', 'measure', 'sensitive']) form.elements[k].checked = c[k] ?? (k !== 'measure' && k !== 'sensitive');
  banner.hidden = false;
}
$('open-consent').addEventListener('click', () => {
  $('consent-choose').click();
  openConsent();
});
if (!choices && !hearth.error) banner.hidden = false;

// ---- "Your data" ----
const dialog = $('data');
for (const b of [$('open-data'), $('open-data-2')]) {
  b.addEventListener('click', () => {
    renderData();
    dialog.showModal();
  });
}
$('close-data').addEventListener('click', () => dialog.close());

const CAPS = {
  store: 'remember you on this device',
  buildContent: 'learn your interests',
  useContent: 'personalize banners, pictures and recommendations',
  buildPromotions: 'learn which offers suit you',
  usePromotions: 'pick offers for you',
  measure: 'count what is shown',
};

function renderData() {
  if (hearth.error) {
    $('data-summary').textContent = 'Personalization is off on this page (it could not start), so nothing is known or stored.';
    for (const id of ['data-consent', 'data-topics', 'data-why', 'data-recent']) $(id).replaceChildren();
    return;
  }
  const doc = hearth.export();
  const m = hearth.manifest ?? {};
  $('data-summary').textContent = doc.visits
    ? `Kept ${doc.storedWhere}. First seen ${doc.firstSeen}, ${doc.visits} visit${doc.visits === 1 ? '' : 's'}, ${doc.purchases} purchase${doc.purchases === 1 ? '' : 's'}.${doc.paused ? ' Learning is paused.' : ''}`
    : `Nothing is known about you yet. Anything learned is kept ${doc.storedWhere}.`;
  const allowed = doc.consent.allowed;
  $('data-consent').textContent = allowed.length
    ? `You allowed us to ${allowed.map((c) => CAPS[c] ?? c).join(', ')} (${doc.consent.why.join('; ')}).`
    : `Only this visit's context is used (time of day, device, where you came from); nothing is learned or stored (${doc.consent.why.join('; ')}).`;

  const topics = doc.topics.map((t) =>
    el(
      'li',
      {},
      el('span', { textContent: t.label }),
      barOf(t.strength),
      el('button', { class: 'ghost', textContent: 'Mute', 'aria-label': `Mute ${t.label}`, onclick: () => (hearth.mute(t.tag), renderData()) }),
    ),
  );
  const muted = doc.muted.map((tag) =>
    el(
      'li',
      { class: 'muted' },
      el('span', { textContent: tagLabel(tag) }),
      el('span', { textContent: 'muted: not used or learned' }),
      el('button', { class: 'ghost', textContent: 'Unmute', 'aria-label': `Unmute ${tagLabel(tag)}`, onclick: () => (hearth.unmute(tag), renderData()) }),
    ),
  );
  $('data-topics').replaceChildren(...topics, ...muted);
  if (!topics.length && !muted.length) $('data-topics').replaceChildren(el('li', { class: 'none', textContent: 'No topics: nothing has been learned.' }));

  const d = hearth.decisions;
  const why = [];
  for (const [id, s] of Object.entries(d.slots)) {
    if (s.error) continue;
    const slot = m.slots?.[id];
    const variant = slot?.variants?.find((v) => v.id === s.variant);
    why.push([slot?.label ?? id, `“${variant?.label ?? s.variant}”: ${s.reason}${s.explored ? ' (we sometimes try something new)' : ''}`]);
  }
  for (const [placement, p] of Object.entries(d.promotions)) {
    if (p.error) continue;
    const c = p.chosen[0];
    why.push(['Offer bar', c ? `“${m.promotions?.[c.promotion]?.label ?? c.promotion}”: ${c.reason}` : 'no offer for you right now']);
  }
  const arts = Object.values(d.artworks).filter((a) => !a.error);
  if (arts.length) {
    const reasons = count(arts.map((a) => a.reason));
    why.push(['Product pictures', reasons.map(([r, n]) => `${n} picture${n === 1 ? '' : 's'}: ${r}`).join('; ')]);
  }
  for (const recs of Object.values(d.recommendations)) {
    if (!Array.isArray(recs) || !recs.length) continue;
    why.push(['Recommended for you', count(recs.map((r) => r.reason)).map(([r, n]) => `${n}× ${r}`).join('; ')]);
  }
  if (d.segments.length) why.push(['Groups you are in', d.segments.map((s) => m.segments?.[s]?.label ?? s).join(', ')]);
  if (hearth.rejectedClaims?.length) why.push(['Ignored claims', hearth.rejectedClaims.map((c) => `${c.trait ?? 'claim'}: ${c.problem}`).join('; ')]);
  $('data-why').replaceChildren(...why.map(([a, b]) => el('li', {}, el('b', { textContent: a }), el('span', { textContent: b }))));

  $('data-recent').replaceChildren(...doc.recentItems.slice(0, 8).map((r) => el('li', { textContent: `${r.title ?? r.item} · ${r.seen} · ${r.day}` })));
  if (!doc.recentItems.length) $('data-recent').replaceChildren(el('li', { textContent: 'Nothing.' }));
  $('data-pause').textContent = doc.paused ? 'Resume learning' : 'Pause learning';
}
function barOf(strength) {
  const bar = el('span', { class: 'bar', title: `${Math.round(strength)} of 100` });
  const fill = el('span');
  fill.style.width = `${Math.max(2, Math.min(100, strength))}%`;
  bar.append(fill);
  return bar;
}
function count(xs) {
  const m = new Map();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}
$('data-pause').addEventListener('click', () => {
  if (hearth.export()?.paused) hearth.resume();
  else hearth.pause();
  renderData();
});
$('data-export').addEventListener('click', () => {
  const blob = new Blob([JSON.stringify(hearth.export(), null, 2)], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'ridgeline-my-data.json' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
$('data-erase').addEventListener('click', () => {
  hearth.erase();
  keepChoices({ store: false });
  dialog.close();
  banner.hidden = false;
});
