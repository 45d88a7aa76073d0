// Prints time to first byte through the hearth worker vs when the origin finished sending,
// for a ~100 KB page the origin sends in 5 chunks 200 ms apart. Used by worker/bench.sh.
import { start, timedGet, originDone } from './harness.mjs';
const s = await start();
try {
  for (let i = 0; i < 3; i++) {
    const n = originDone.length;
    const r = await timedGet(`${s.hearth}/slow-chunks`, { Accept: 'text/html' });
    const ok = r.body.includes('<footer id="end">') && r.body.includes('hearth-decisions');
    console.log(`streaming run ${i + 1}: first byte ${(r.first - r.t0).toFixed(1)} ms, origin finished ${(originDone[n] - r.t0).toFixed(1)} ms, client finished ${(r.end - r.t0).toFixed(1)} ms, personalized ${ok}`);
  }
} finally {
  await s.stop();
}
