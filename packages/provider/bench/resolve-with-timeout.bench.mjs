// How fast resolveWithTimeout fails closed: the time from the deadline to the rejection,
// for a provider that never answers and ignores its signal, and the overhead it adds to a
// provider that answers at once. Run with `pnpm --filter @ironrun/provider bench` after a build.
import { performance } from 'node:perf_hooks';
import { resolveWithTimeout } from '../dist/index.js';

const refs = Array.from({ length: 20 }, (_, i) => `bench://SECRET_${i}`);
const hangs = { name: 'hangs', resolve: () => new Promise(() => {}) };
const instant = {
  name: 'instant',
  resolve: async (asked) => asked.map((ref) => ({ ref, found: true, value: 'value-123456' })),
};

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms`;
}

for (const timeoutMs of [50, 200, 1000]) {
  const overshoot = [];
  for (let i = 0; i < (timeoutMs >= 1000 ? 5 : 20); i++) {
    const start = performance.now();
    try {
      await resolveWithTimeout(hangs, refs, { timeoutMs });
    } catch (error) {
      if (error.code !== 'TIMEOUT') throw error;
    }
    overshoot.push(performance.now() - start - timeoutMs);
  }
  console.log(
    `hanging provider, timeoutMs ${timeoutMs}: rejection after the deadline by ${stats(overshoot)}`,
  );
}

const direct = [];
const wrapped = [];
for (let i = 0; i < 2000; i++) {
  let start = performance.now();
  await instant.resolve(refs, { signal: new AbortController().signal });
  direct.push(performance.now() - start);
  start = performance.now();
  await resolveWithTimeout(instant, refs, { timeoutMs: 10_000 });
  wrapped.push(performance.now() - start);
}
console.log(`instant provider, 20 refs, direct resolve: ${stats(direct)}`);
console.log(`instant provider, 20 refs, resolveWithTimeout: ${stats(wrapped)}`);
