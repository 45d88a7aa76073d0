// The privacy test page: loads hearth the way a site does, and exposes it to
// the test as window.hearthTest. It renders what the visitor's data export
// and device storage hold, so a screenshot shows the state under test.
// Rendering reads storage through __storageProbe.read(), which is not logged.
//
// `node --test www/test/` also runs this file (every .js under a test/
// directory is a test file to Node): outside a window it does nothing, which
// is why hearth is imported dynamically.
const $ = (id) => document.getElementById(id);
let status;

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c);
    else td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

/** Shows `doc` (an export) and the storage state; `label` names the step. */
function render(label, doc) {
  status.textContent = label;
  if (doc) {
    $('consent').textContent = doc.consent.allowed.length
      ? `allowed: ${doc.consent.allowed.join(', ')}`
      : `nothing allowed (${doc.consent.why.join('; ')})`;
    const body = $('topics').tBodies[0];
    body.replaceChildren(
      ...doc.topics.map((t) => {
        const bar = document.createElement('span');
        // strength is 0-100, relative to the strongest topic.
        bar.style.width = `${Math.max(0, Math.min(100, t.strength))}%`;
        const r = row([t.label, bar]);
        r.cells[1].className = 'bar';
        r.cells[1].title = String(t.strength);
        return r;
      }),
    );
    if (!doc.topics.length) body.replaceChildren(row(['(no topics)', '']));
    $('summary').textContent =
      `visits ${doc.visits} · recent items ${doc.recentItems.length} · promotions ${doc.promotions.length} · kept ${doc.storedWhere}`;
  }
  const counts = window.__storageProbe.counts();
  $('storage').tBodies[0].replaceChildren(
    ...['localStorage', 'sessionStorage', 'indexedDB', 'cookie', 'caches', 'navigator.storage'].map((s) => row([s, counts[s] ?? 0])),
  );
  const now = window.__storageProbe.read();
  $('keys').textContent = `localStorage: ${JSON.stringify(now.localStorage, null, 1)}\ncookie: ${JSON.stringify(now.cookie)}`;
}

if (typeof window !== 'undefined') window.hearthTest = (async () => {
  status = $('status');
  try {
    const { init, Hearth } = await import('/pkg/browser.js');
    await init();
    const manifest = await (await fetch('/pkg/compiled/manifest.sample.bin')).arrayBuffer(); // privacy.test.mjs compiles it
    const engine = Hearth.load(manifest);
    status.dataset.state = 'ready';
    render('hearth ready');
    return { Hearth, engine, render };
  } catch (e) {
    status.dataset.state = 'error';
    status.textContent = `hearth failed: ${e}`;
    console.error('hearth failed to load:', e);
    throw e;
  }
})();
