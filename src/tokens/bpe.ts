import type {TokenTable} from './token-table.js';

/**
 * tiktoken's byte-pair merge (`_byte_pair_merge` in tiktoken's src/lib.rs): start from single
 * bytes and repeatedly merge the adjacent pair whose concatenation has the lowest rank, taking the
 * leftmost on ties, until no adjacent concatenation is a token. The output is the ranks of the parts.
 *
 * `piece` is a binary string (one char per byte); `ranks` is keyed by such strings, probed with
 * slices of the piece without allocating them. Short pieces use tiktoken's own array scan,
 * which is fastest when n is small; long ones use a heap over a linked list so that pathological
 * inputs (a megabyte of one punctuation run) stay O(n log n) instead of O(n^2). Both pick the same
 * pair at every step: the minimum of (rank, start offset), and start offsets grow left to right.
 */
export function bytePairEncode(
  piece: string,
  ranks: TokenTable,
  byteRank: Int32Array,
  out: number[],
): void {
  const n = piece.length;
  if (n === 1) {
    out.push(byteRank[piece.charCodeAt(0)]!);
    return;
  }
  if (n <= SMALL_PIECE) mergeSmall(piece, ranks, byteRank, out);
  else mergeLarge(piece, ranks, byteRank, out);
}

/** Rank of the token piece[start..end], or NONE (sorts after every real rank). */
function rankOf(ranks: TokenTable, piece: string, start: number, end: number): number {
  const r = ranks.get(piece, start, end);
  return r < 0 ? NONE : r;
}

/** Above this many bytes the heap wins over rescanning every pair after each merge. */
const SMALL_PIECE = 64;
const NONE = 0x7fffffff;

// Scratch buffers for mergeSmall, reused across calls (the encoder is synchronous).
const bounds = new Int32Array(SMALL_PIECE + 2);
const pairRank = new Int32Array(SMALL_PIECE + 2);
const partRank = new Int32Array(SMALL_PIECE + 2);

function mergeSmall(piece: string, ranks: TokenTable, byteRank: Int32Array, out: number[]): void {
  const n = piece.length;
  // parts[i] = piece[bounds[i]..bounds[i + 1]], with rank partRank[i]; pairRank[i] is the rank of
  // parts i and i + 1 merged (NONE if that is not a token).
  let parts = n;
  for (let i = 0; i < n; i++) {
    bounds[i] = i;
    partRank[i] = byteRank[piece.charCodeAt(i)]!;
  }
  bounds[n] = n;
  for (let i = 0; i < n - 1; i++) pairRank[i] = rankOf(ranks, piece, i, i + 2);
  for (;;) {
    let best = NONE;
    let at = -1;
    for (let i = 0; i < parts - 1; i++) {
      const r = pairRank[i]!;
      if (r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) break;
    // Merge parts at and at + 1: drop boundary at + 1 and shift everything after it left.
    partRank[at] = best;
    for (let i = at + 1; i < parts; i++) {
      bounds[i] = bounds[i + 1]!;
      partRank[i] = partRank[i + 1]!;
      pairRank[i] = pairRank[i + 1]!;
    }
    parts--;
    bounds[parts] = n;
    pairRank[at] = at + 1 < parts ? rankOf(ranks, piece, bounds[at]!, bounds[at + 2]!) : NONE;
    if (at > 0) pairRank[at - 1] = rankOf(ranks, piece, bounds[at - 1]!, bounds[at + 1]!);
  }
  for (let i = 0; i < parts; i++) out.push(partRank[i]!);
}

/**
 * Heap-driven merge. Node i is the part starting at byte i; next/prev link live parts. The heap
 * holds (rank, start) keys packed into one float64 (rank * 2^32 + start); an entry is stale when
 * its part died or its pair rank changed since it was pushed (a changed pair always has a longer
 * concatenation, hence a different rank, so comparing ranks is an exact staleness test).
 */
function mergeLarge(piece: string, ranks: TokenTable, byteRank: Int32Array, out: number[]): void {
  const n = piece.length;
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const partRank = new Int32Array(n); // rank of the part starting here
  const pairOf = new Int32Array(n); // rank of this part merged with the next one
  const heap = new MinHeap(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    partRank[i] = byteRank[piece.charCodeAt(i)]!;
  }
  next[n] = n;
  for (let i = 0; i < n - 1; i++) {
    const r = rankOf(ranks, piece, i, i + 2);
    pairOf[i] = r;
    if (r !== NONE) heap.push(r * SHIFT + i);
  }
  pairOf[n - 1] = NONE;
  while (heap.size > 0) {
    const key = heap.pop();
    const r = Math.floor(key / SHIFT);
    const i = key - r * SHIFT;
    if (pairOf[i] !== r) continue; // stale (dead parts get NONE)
    const j = next[i]!;
    const k = next[j]!;
    // Merge part j into part i.
    partRank[i] = r;
    pairOf[j] = NONE;
    next[i] = k;
    if (k < n) prev[k] = i;
    const kk = k < n ? next[k]! : n;
    const right = k < n ? rankOf(ranks, piece, i, kk) : NONE;
    pairOf[i] = right;
    if (right !== NONE) heap.push(right * SHIFT + i);
    const p = prev[i]!;
    if (p >= 0) {
      const left = rankOf(ranks, piece, p, k);
      pairOf[p] = left;
      if (left !== NONE) heap.push(left * SHIFT + p);
    }
  }
  for (let i = 0; i < n; i = next[i]!) out.push(partRank[i]!);
}

/** 2^32: rank * 2^32 + offset is exact in a float64 while ranks stay below 2^21 (vocabs: 2^18). */
const SHIFT = 4294967296;

/** Binary min-heap of float64 keys; big enough for every push of one merge. */
class MinHeap {
  private data: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(16, capacity));
  }

  push(key: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = d[parent]!;
      if (pk <= key) break;
      d[i] = pk;
      i = parent;
    }
    d[i] = key;
  }

  pop(): number {
    const d = this.data;
    const top = d[0]!;
    const last = d[--this.size]!;
    const size = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && d[right]! < d[child]!) child = right;
      if (d[child]! >= last) break;
      d[i] = d[child]!;
      i = child;
    }
    d[i] = last;
    return top;
  }
}
