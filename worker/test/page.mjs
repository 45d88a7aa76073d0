// The bench/test page: about 100 KB of HTML with 10 slots (plus an artwork, a promotion
// placement and a recommendation list, both with the demo shop's templates), like a product
// listing page.
// As in www/site/index.html.
const PROMO = `<p class="promo" data-hearth-promotion="promo-bar">
  <span data-hearth-field="text">Free shipping on orders over $75.</span>
  <a data-hearth-field="cta" data-hearth-attr="href" href="#/shipping">Details</a>
  <button type="button" class="promo-close" data-hearth-dismiss aria-label="Dismiss this offer">×</button>
  <template data-hearth-variant="gold-members">
    <span class="badge gold">Gold</span>
    <span data-hearth-field="text"></span>
    <a data-hearth-field="cta" data-hearth-attr="href" href="#/members"></a>
    <button type="button" class="promo-close" data-hearth-dismiss aria-label="Dismiss this offer">×</button>
  </template>
</p>`;
const RECS = `<ul class="grid" data-hearth-recommend="home" data-k="4">
  <li class="empty">Popular right now</li>
  <template>
    <li class="card"><a data-hearth-attr="href" href="#/">
      <img data-hearth-artwork alt="" width="400" height="300" loading="lazy">
      <span class="card-title" data-hearth-field="title"></span>
      <span class="card-meta"><span data-hearth-field="department"></span> · $<span data-hearth-field="price"></span></span>
      <span class="card-why" data-hearth-field="reason"></span>
    </a></li>
  </template>
</ul>`;

export function benchPage(targetBytes = 100 * 1024) {
  const slots = [];
  for (let i = 0; i < 10; i++) {
    slots.push(
      i % 2 === 0
        ? `<section data-hearth-slot="hero"><template data-hearth-variant="classic"><h2>Gear for every trail and road</h2><img src="/img/hero-classic.svg" alt="Mountains at dawn"></template><template data-hearth-variant="trail"><h2>Lighter, grippier: the new trail line</h2><img src="/img/hero-trail.svg" alt="Runner on a ridge"></template><template data-hearth-variant="camp"><h2>Sleep under the stars this weekend</h2><img src="/img/hero-camp.svg" alt="Tent by a lake"></template></section>`
        : `<aside data-hearth-slot="banner"><a data-hearth-attrs="href" href="/returns"><span data-hearth-text="title">Free returns</span></a></aside>`,
    );
  }
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trailhead: all products</title><link rel="stylesheet" href="/site.css"><script type="module" src="/hearth-page.js"></script></head><body><nav><a href="/">Home</a> <a href="/c/trail">Trail</a> <a href="/c/camping">Camping</a></nav>`;
  const extras = `<img data-hearth-artwork="shoe-ridge" src="/img/shoe-ridge-studio.svg" alt="Ridge Runner">${PROMO}${RECS}`;
  const tail = `<footer id="end"><p>Trailhead Outfitters</p></footer></body></html>\n`;
  const card = (i) => `<article class="card" id="p${i}"><a href="/p/item-${i}"><img src="/img/item-${i}.jpg" alt="Item ${i}" loading="lazy" width="320" height="240"><h3>Product number ${i}</h3></a><p class="price">${(19 + (i % 80)).toFixed(2)}</p><p class="blurb">Durable, light and made for long days outside; free returns for 60 days.</p></article>\n`;
  const fixed = head.length + slots.join('').length + extras.length + tail.length;
  const cards = [];
  for (let size = fixed; size < targetBytes; size += cards[cards.length - 1].length) cards.push(card(cards.length));
  const per = Math.ceil(cards.length / 10);
  return head + slots.map((s, i) => s + (i === 4 ? extras : '') + cards.slice(i * per, (i + 1) * per).join('')).join('') + tail;
}
