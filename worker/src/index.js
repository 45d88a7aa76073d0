// The hearth edge worker (workerd and Cloudflare Workers).
// Bindings: ORIGIN (a service binding to the origin, or the origin's base URL as text),
// or ORIGIN_URL; optional HEARTH_MAX_HTML_BYTES, HEARTH_ORIGIN_BUDGET_MS, HEARTH_RENDER_CACHE
// ("off": render every page, see src/cache.js), HEARTH_TEST_ROUTES.
import * as hearth from '../build/hearth/workerd.js';
import manifest from '../build/manifest.bin'; // compiled by worker/build.sh (an ArrayBuffer)
import { createWorker } from './worker.js';

const worker = createWorker({ Hearth: hearth.Hearth, manifest });

export default {
  fetch: (request, env, ctx) => worker.fetch(request, env, ctx),
};
