// A static origin for local runs: serves a directory (the DISK binding, a workerd disk
// service) with Content-Type and index.html, and answers a request whose copy is current
// (`If-None-Match`, `If-Modified-Since`) with a bodiless 304, like a plain web server or CDN would.
// Pages may be kept 60 s (`Cache-Control: public, max-age=60`; the MAX_AGE binding sets another).
const TYPES = { html: 'text/html; charset=utf-8', css: 'text/css', js: 'text/javascript', mjs: 'text/javascript', json: 'application/json', svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', wasm: 'application/wasm', txt: 'text/plain; charset=utf-8', ico: 'image/x-icon' };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    let path = decodeURIComponent(url.pathname);
    if (path.includes('..')) return new Response('not found', { status: 404 });
    if (path.endsWith('/')) path += 'index.html';
    const res = await env.DISK.fetch(new URL(path, 'http://disk'), { method: request.method });
    if (res.status !== 200) return new Response(res.status === 404 ? 'not found' : 'error', { status: res.status === 404 ? 404 : 500, headers: { 'Content-Type': 'text/plain' } });
    if (res.headers.get('Content-Type') === 'application/json' && !path.endsWith('.json')) {
      return Response.redirect(new URL(url.pathname + '/', url).toString(), 301); // a directory
    }
    const headers = new Headers(res.headers);
    headers.set('Content-Type', TYPES[path.split('.').pop()] ?? 'application/octet-stream');
    headers.set('Cache-Control', `public, max-age=${env.MAX_AGE ?? 60}`);
    if (notModified(request.headers, headers)) {
      res.body?.cancel();
      for (const h of ['Content-Length', 'Content-Type']) headers.delete(h);
      return new Response(null, { status: 304, headers });
    }
    return new Response(res.body, { status: 200, headers });
  },
};

/** RFC 9110 13.1.2-3: `If-None-Match` decides when present; otherwise `If-Modified-Since` against `Last-Modified` (to the second). */
export function notModified(request, response) {
  const tags = request.get('If-None-Match');
  if (tags !== null) {
    const etag = response.get('ETag');
    const weak = (t) => t.trim().replace(/^W\//, '');
    return etag !== null && (tags.trim() === '*' || tags.split(',').some((t) => weak(t) === weak(etag)));
  }
  const since = Date.parse(request.get('If-Modified-Since') ?? '');
  const modified = Date.parse(response.get('Last-Modified') ?? '');
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}
