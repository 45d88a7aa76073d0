// The baseline for worker/bench.sh: the same origin fetch as the hearth worker, no rewriting.
export default {
  async fetch(request, env) {
    const method = request.method;
    const init = { method, headers: request.headers, body: method === 'GET' || method === 'HEAD' ? null : request.body, redirect: 'manual' };
    if (env.ORIGIN && typeof env.ORIGIN.fetch === 'function') return env.ORIGIN.fetch(request.url, init);
    const { pathname, search } = new URL(request.url);
    return fetch(new URL(pathname + search, env.ORIGIN ?? env.ORIGIN_URL), init);
  },
};
