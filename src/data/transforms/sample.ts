import type {Example} from '../records/example.js';
import {positionKey, positionOf} from './position.js';
import type {TransformStep} from './transform.js';

/**
 * A seeded subset. With `fraction`, each record is kept when its position (position.ts, of the
 * id of the source record it came from, so prompt edits change nothing, keyed by
 * "sample:<seed>") is below the fraction: streaming, and adding a record never changes whether
 * another is kept. With `n`, the n records with the smallest
 * positions are kept (a bounded max-heap holds them), released in input order at the end.
 */
export function sampleTransform(options: {
  readonly n?: number;
  readonly fraction?: number;
  readonly seed: number;
}): TransformStep {
  const key = positionKey('sample', options.seed);
  let seen = 0;
  let out = 0;
  if (options.fraction !== undefined) {
    const fraction = options.fraction;
    return {
      name: 'sample',
      process(batch) {
        seen += batch.length;
        const kept = batch.filter((e) => positionOf(e.id, key) < fraction);
        out += kept.length;
        return kept;
      },
      summary: () => ({in: seen, out, dropped: {sample: seen - out}}),
    };
  }
  const n = options.n ?? 0;
  const heap = new MaxHeap<{u: number; index: number; example: Example}>(
    (a, b) => a.u - b.u || a.index - b.index,
  );
  return {
    name: 'sample',
    process(batch) {
      for (const example of batch) {
        const entry = {u: positionOf(example.id, key), index: seen++, example};
        if (heap.size < n) heap.push(entry);
        else if (heap.compare(entry, heap.peek()!) < 0) heap.replaceTop(entry);
      }
      return [];
    },
    *finish() {
      const kept = heap.drain().sort((a, b) => a.index - b.index);
      out = kept.length;
      for (let i = 0; i < kept.length; i += 4096) {
        yield kept.slice(i, i + 4096).map((e) => e.example);
      }
    },
    summary: () => ({in: seen, out, dropped: {sample: seen - out}}),
  };
}

/** A binary max-heap: the largest (by `compare`) on top. */
export class MaxHeap<T> {
  readonly #items: T[] = [];
  readonly compare: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.compare = compare;
  }
  get size(): number {
    return this.#items.length;
  }
  peek(): T | undefined {
    return this.#items[0];
  }
  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i]!, items[parent]!) <= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  replaceTop(item: T): void {
    const items = this.#items;
    items[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let largest = i;
      if (l < items.length && this.compare(items[l]!, items[largest]!) > 0) largest = l;
      if (r < items.length && this.compare(items[r]!, items[largest]!) > 0) largest = r;
      if (largest === i) return;
      [items[i], items[largest]] = [items[largest]!, items[i]!];
      i = largest;
    }
  }
  drain(): T[] {
    return this.#items.splice(0);
  }
}
