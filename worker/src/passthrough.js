// The baseline for worker/bench.sh: the same origin fetch as the hearth worker, no rewriting.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const init = { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' };
    if (env.ORIGIN && typeof env.ORIGIN.fetch === 'function') return env.ORIGIN.fetch(new Request(url, init));
    return fetch(new Request(new URL(url.pathname + url.search, env.ORIGIN ?? env.ORIGIN_URL), init));
  },
};
