import type {TransformStep} from './transform.js';

/** Keeps the first `n` records (in the order they reach it). */
export function limitTransform(options: {readonly n: number}): TransformStep {
  let seen = 0;
  let out = 0;
  return {
    name: 'limit',
    process(batch) {
      seen += batch.length;
      const room = Math.max(0, options.n - out);
      const kept = batch.length <= room ? batch : batch.slice(0, room);
      out += kept.length;
      return kept;
    },
    summary: () => ({in: seen, out, dropped: {limit: seen - out}}),
  };
}
