// Starts a Node origin and `workerd serve worker/config.capnp testConfig` on loopback ports,
// for the node:test integration tests and the time-to-first-byte measurement.
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchPage } from './page.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE = readFileSync(`${here}fixtures/index.html`, 'utf8');
export const BENCH = benchPage();
export const CHUNK_DELAY_MS = 200;
export const CHUNKS = 5;

/** Origin completion times of /slow-chunks responses, in the order they finished. */
export const originDone = [];

const routes = {
  '/': (req, res) => send(res, 200, FIXTURE, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=300', ETag: '"fixture"' }),
  '/bench.html': (req, res) => send(res, 200, BENCH, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=60' }),
  '/data.json': (req, res) => send(res, 200, '{"a":1}', { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=60' }),
  '/redirect': (req, res) => send(res, 301, '', { Location: '/', 'Cache-Control': 'public, max-age=60' }),
  '/missing': (req, res) => send(res, 404, '<html><body data-hearth-slot="hero">gone</body></html>', { 'Content-Type': 'text/html' }),
  '/error': (req, res) => send(res, 500, '<html><body data-hearth-slot="hero">oops</body></html>', { 'Content-Type': 'text/html' }),
  '/huge.html': (req, res) => send(res, 200, FIXTURE + '<!--' + 'x'.repeat(3 * 1024 * 1024) + '-->', { 'Content-Type': 'text/html' }),
  '/malformed.html': (req, res) => send(res, 200, '<html><body><div data-hearth-slot="banner"><p data-hearth-text="title">old<div></span><<>\u0000<footer id="end">end</footer>', { 'Content-Type': 'text/html' }),
  '/binary.html': (req, res) => send(res, 200, BINARY, { 'Content-Type': 'text/html' }),
  '/slow-headers': (req, res) => setTimeout(() => send(res, 200, FIXTURE, { 'Content-Type': 'text/html', 'Cache-Control': 'public, max-age=300' }), 700),
  '/slow-chunks': (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    const size = Math.ceil(BENCH.length / CHUNKS);
    let i = 0;
    const next = () => {
      res.write(BENCH.slice(i * size, (i + 1) * size));
      if (++i < CHUNKS) setTimeout(next, CHUNK_DELAY_MS);
      else {
        res.end();
        originDone.push(performance.now());
      }
    };
    next();
  },
  '/echo-cookie': (req, res) => send(res, 200, `<html><head></head><body><pre id="c">${req.headers.cookie ?? ''}</pre></body></html>`, { 'Content-Type': 'text/html' }),
};
export const BINARY = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));

function send(res, status, body, headers) {
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(url, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
      return;
    } catch (e) {
      if (Date.now() > end) throw new Error(`workerd did not come up on ${url}: ${e}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts everything; `stop()` ends exactly the processes and servers it started. */
export async function start({ env = {} } = {}) {
  const origin = http.createServer((req, res) => (routes[new URL(req.url, 'http://x').pathname] ?? ((q, r) => send(r, 404, 'no', { 'Content-Type': 'text/plain' })))(req, res));
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));
  const originPort = origin.address().port;
  const [hearthPort, plainPort] = [await freePort(), await freePort()];
  const stderr = [];
  const proc = spawn(
    `${root}node_modules/.bin/workerd`,
    ['serve', 'worker/config.capnp', 'testConfig', '--socket-addr', `http=127.0.0.1:${hearthPort}`, '--socket-addr', `plain=127.0.0.1:${plainPort}`, '--external-addr', `origin=127.0.0.1:${originPort}`],
    { cwd: root, env: { ...process.env, HEARTH_ORIGIN_BUDGET_MS: '400', ...env }, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  proc.stderr.on('data', (d) => stderr.push(String(d)));
  const hearth = `http://127.0.0.1:${hearthPort}`;
  await waitFor(`${hearth}/data.json`);
  return {
    hearth,
    plain: `http://127.0.0.1:${plainPort}`,
    origin: `http://127.0.0.1:${originPort}`,
    stderr,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      await new Promise((r) => origin.close(r));
    },
  };
}

/** GET with a timestamp of the first body byte and of the end, in performance.now() ms. */
export function timedGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http
      .get(url, { headers, agent: false }, (res) => {
        let first;
        const parts = [];
        res.on('data', (c) => {
          first ??= performance.now();
          parts.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString('utf8'), t0, first, end: performance.now() }));
      })
      .on('error', reject);
  });
}
