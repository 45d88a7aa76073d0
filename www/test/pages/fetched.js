// The names of the files this page fetched, once `ready(names)` holds (or after `timeoutMs`): a
// resource's timing entry is added once its body has been read, which can come a moment after the
// code that read it (a streaming Wasm compile) has resolved.
export async function fetchedFiles(ready, timeoutMs = 3000) {
  const names = () => performance.getEntriesByType('resource').map((r) => r.name.split('/').pop());
  const end = performance.now() + timeoutMs;
  while (!ready(names()) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  return names();
}
