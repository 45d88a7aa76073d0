#!/usr/bin/env node
// Serves the demo shop (www/site/) and the built package (pkg/, or $HEARTH_PKG, at /pkg/) on
// localhost, under the strict policy a careful site would use:
//   script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; Trusted Types enforced.
//
//   node www/serve.mjs [port]      (default 8080; 0 picks a free one)
import { join } from 'node:path';
import { ROOT, serve } from './test/server.mjs';

export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types hearth-none',
].join('; ');

/** Starts the demo server; `csp: false` serves without the policy. */
export function serveDemo({ port = 0, csp = STRICT_CSP, mounts = {} } = {}) {
  return serve({
    port,
    csp: csp || undefined,
    headers: { 'Referrer-Policy': 'strict-origin-when-cross-origin' },
    mounts: { '/pkg/': process.env.HEARTH_PKG ?? join(ROOT, 'pkg'), '/': join(ROOT, 'www', 'site'), ...mounts },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serveDemo({ port: Number(process.argv[2] ?? 8080) });
  console.log(`Ridgeline Outfitters (hearth demo): ${server.url}/`);
  console.log('Ctrl-C to stop.');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
