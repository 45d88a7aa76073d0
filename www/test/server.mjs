// A tiny static file server for the browser tests (plain Node, no
// dependencies). It serves the repository's pkg/ at /pkg/ and www/ at /, on
// 127.0.0.1 with an ephemeral port, with the MIME types browsers insist on
// (application/wasm for instantiateStreaming, text/javascript for modules).
//
//   const server = await serve({ csp: "script-src 'self' 'wasm-unsafe-eval'" });
//   server.url            // 'http://127.0.0.1:41234'
//   server.requests       // every request path served, in order
//   await server.close();
//
// Options:
//   mounts  { '/url-prefix/': '/abs/dir', ... } (longest prefix wins); the
//           defaults map /pkg/ to pkg/ and / to www/.
//   csp     a Content-Security-Policy header for HTML responses, or a
//           function (url) => header value | undefined, so one server can
//           serve a strict page and a normal one.
//   headers extra headers for every response.
//
// Run it by hand: `node www/test/server.mjs --serve [port]` prints the URL.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

export function serve({ mounts, csp, headers = {}, port = 0 } = {}) {
  const table = Object.entries(mounts ?? { '/pkg/': join(ROOT, 'pkg'), '/': join(ROOT, 'www') })
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const requests = [];

  const server = createServer(async (req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
      const url = new URL(req.url, 'http://127.0.0.1');
      requests.push(url.pathname);
      let path;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        return send(400, 'bad path\n');
      }
      if (path.includes('\0')) return send(400, 'bad path\n');
      const mount = table.find(([prefix]) => path.startsWith(prefix) || `${path}/` === prefix);
      if (!mount) return send(404, 'not found\n');
      const [prefix, dir] = mount;
      let file = resolve(dir, `.${sep}${normalize(path.slice(prefix.length))}`);
      // Never outside the mounted directory.
      if (file !== dir && !file.startsWith(dir + sep)) return send(403, 'forbidden\n');
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
          return res.end();
        }
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return send(404, 'not found\n');
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const head = {
        'Content-Type': type,
        'Content-Length': info.size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...headers,
      };
      const policy = typeof csp === 'function' ? csp(url) : csp;
      if (policy && type.startsWith('text/html')) head['Content-Security-Policy'] = policy;
      res.writeHead(200, head);
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch (e) {
      if (!res.headersSent) send(500, `${e}\n`);
      else res.destroy();
    }
  });

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolvePromise({
        url: `http://127.0.0.1:${bound}`,
        port: bound,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

// `node --test www/test/` runs every .mjs under www/test/ as a test file,
// this one included: serve only when asked to with --serve.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--serve')) {
  const port = Number(process.argv[process.argv.indexOf('--serve') + 1]) || 0;
  const s = await serve({ port });
  console.log(`serving pkg/ and www/ at ${s.url}/`);
}
