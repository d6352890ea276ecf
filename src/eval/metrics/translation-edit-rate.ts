/**
 * The TER edit-distance-with-shifts search of sacreBLEU v2.6.0 (`sacrebleu/metrics/lib_ter.py`,
 * Memsource's TERCOM re-implementation), ported operation for operation: the same shift
 * candidates in the same order, the same TERCOM-style ranking, the same beam around the
 * pseudo-diagonal, the same edit-operation preferences and the same limits (shift size 10,
 * shift distance 50, beam width 25, at most 1000 shift candidates per sentence pair).
 */

const COST_INS = 1;
const COST_DEL = 1;
const COST_SUB = 1;

// Tercom-inspired limits
const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;

// sacreBLEU's own limits
const MAX_CACHE_SIZE = 10000;
const MAX_SHIFT_CANDIDATES = 1000;
// Python's int(1e16). In doubles INT_INFINITY + 1 rounds back to INT_INFINITY, but every
// comparison made below (`cell > candidate`) has the same outcome as with Python's exact ints.
const INT_INFINITY = 1e16;

// Edit operations, stored as their sacreBLEU trace characters' char codes
const OP_INS = 0x69; // 'i'
const OP_DEL = 0x64; // 'd'
const OP_NOP = 0x20; // ' '
const OP_SUB = 0x73; // 's'
const OP_UNDEF = 0x78; // 'x'

/** One row of the edit distance matrix: cost and last operation per reference position. */
interface Row {
  costs: number[];
  ops: number[];
}

interface CacheNode {
  next: Map<string, CacheNode>;
  row: Row;
}

/**
 * sacreBLEU `BeamEditDistance`: Levenshtein distance restricted to a beam around the
 * length-ratio diagonal, with a prefix cache of matrix rows and the trace of operations.
 *
 * The cache only skips recomputing rows for a known hypothesis prefix; within one
 * `translationEditRate` call every hypothesis has the same length, so cached rows are exactly
 * the rows that would be recomputed.
 */
class BeamEditDistance {
  private readonly wordsRef: readonly string[];
  private readonly nWordsRef: number;
  private readonly initialRow: Row;
  private readonly cache = new Map<string, CacheNode>();
  private cacheSize = 0;

  constructor(wordsRef: readonly string[]) {
    this.wordsRef = wordsRef;
    this.nWordsRef = wordsRef.length;
    // first row corresponds to insertion operations of the reference
    this.initialRow = {
      costs: Array.from({length: this.nWordsRef + 1}, (_, i) => i * COST_INS),
      ops: new Array<number>(this.nWordsRef + 1).fill(OP_INS),
    };
  }

  /** Edit distance between the reference and `wordsHyp`, with the trace of operations. */
  distance(wordsHyp: readonly string[]): [number, Uint8Array] {
    // skip initial words of the hypothesis whose rows are already known
    const {startPosition, rows} = this.findCache(wordsHyp);
    const {distance, newRows, trace} = this.editDistance(wordsHyp, startPosition, rows);
    this.addCache(wordsHyp, newRows);
    return [distance, trace];
  }

  private editDistance(
    wordsH: readonly string[],
    startH: number,
    cached: Row[],
  ): {distance: number; newRows: Row[]; trace: Uint8Array} {
    const nWordsH = wordsH.length;
    const nRef = this.nWordsRef;
    // initialize the rest of the matrix with infinite edit distances
    const dist: Row[] = cached.slice();
    for (let i = 0; i < nWordsH - startH; i++) {
      dist.push({
        costs: new Array<number>(nRef + 1).fill(INT_INFINITY),
        ops: new Array<number>(nRef + 1).fill(OP_UNDEF),
      });
    }

    const lengthRatio = nWordsH > 0 ? nRef / nWordsH : 1;

    // in some crazy sentences, the difference in length is so large that
    // we may end up with zero overlap with previous row
    const beamWidth =
      BEAM_WIDTH < lengthRatio / 2 ? Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;

    // calculate the Levenshtein distance
    for (let i = startH + 1; i <= nWordsH; i++) {
      const pseudoDiag = Math.floor(i * lengthRatio);
      const minJ = Math.max(0, pseudoDiag - beamWidth);
      const maxJ = i === nWordsH ? nRef + 1 : Math.min(nRef + 1, pseudoDiag + beamWidth);
      const prev = dist[i - 1]!;
      const cur = dist[i]!;
      for (let j = minJ; j < maxJ; j++) {
        if (j === 0) {
          cur.costs[0] = prev.costs[0]! + COST_DEL;
          cur.ops[0] = OP_DEL;
          continue;
        }
        const opSub = wordsH[i - 1] === this.wordsRef[j - 1] ? OP_NOP : OP_SUB;
        const costSub = opSub === OP_NOP ? 0 : COST_SUB;
        // Tercom prefers no-op/sub, then insertion, then deletion. But since we flip the
        // trace and compute the alignment from the inverse, the order of insertion and
        // deletion is swapped in the preference (strict '>' keeps the earlier option).
        let cost = cur.costs[j]!;
        let op = cur.ops[j]!;
        const subCost = prev.costs[j - 1]! + costSub;
        if (cost > subCost) {
          cost = subCost;
          op = opSub;
        }
        const delCost = prev.costs[j]! + COST_DEL;
        if (cost > delCost) {
          cost = delCost;
          op = OP_DEL;
        }
        const insCost = cur.costs[j - 1]! + COST_INS;
        if (cost > insCost) {
          cost = insCost;
          op = OP_INS;
        }
        cur.costs[j] = cost;
        cur.ops[j] = op;
      }
    }

    // get the trace
    const traceOps: number[] = [];
    let i = nWordsH;
    let j = nRef;
    while (i > 0 || j > 0) {
      const op = dist[i]!.ops[j]!;
      traceOps.push(op);
      if (op === OP_SUB || op === OP_NOP) {
        i -= 1;
        j -= 1;
      } else if (op === OP_INS) {
        j -= 1;
      } else if (op === OP_DEL) {
        i -= 1;
      } else {
        throw new Error(`TER: unknown edit operation '${String.fromCharCode(op)}'`);
      }
    }
    const trace = Uint8Array.from(traceOps.reverse());

    return {distance: dist[nWordsH]!.costs[nRef]!, newRows: dist.slice(cached.length), trace};
  }

  private addCache(wordsHyp: readonly string[], rows: readonly Row[]): void {
    if (this.cacheSize >= MAX_CACHE_SIZE) {
      return;
    }
    let node = this.cache;
    // how many initial words to skip
    const skipNum = wordsHyp.length - rows.length;
    for (let i = 0; i < skipNum; i++) {
      node = node.get(wordsHyp[i]!)!.next;
    }
    rows.forEach((row, k) => {
      const word = wordsHyp[skipNum + k]!;
      let entry = node.get(word);
      if (entry === undefined) {
        entry = {next: new Map(), row};
        node.set(word, entry);
        this.cacheSize += 1;
      }
      node = entry.next;
    });
  }

  private findCache(wordsHyp: readonly string[]): {startPosition: number; rows: Row[]} {
    let node = this.cache;
    let startPosition = 0;
    const rows: Row[] = [this.initialRow];
    for (const word of wordsHyp) {
      const entry = node.get(word);
      if (entry === undefined) {
        break;
      }
      startPosition += 1;
      rows.push(entry.row);
      node = entry.next;
    }
    return {startPosition, rows};
  }
}

/** sacreBLEU `_flip_trace`: swap insertions and deletions (rewrite b->a instead of a->b). */
function flipTrace(trace: Uint8Array): Uint8Array {
  return trace.map((op) => (op === OP_INS ? OP_DEL : op === OP_DEL ? OP_INS : op));
}

/** sacreBLEU `trace_to_alignment`: alignment ref position -> hyp position and error flags. */
function traceToAlignment(trace: Uint8Array): {
  align: Map<number, number>;
  refErr: number[];
  hypErr: number[];
} {
  let posHyp = -1;
  let posRef = -1;
  const hypErr: number[] = [];
  const refErr: number[] = [];
  const align = new Map<number, number>();
  for (const op of trace) {
    if (op === OP_NOP) {
      posHyp += 1;
      posRef += 1;
      align.set(posRef, posHyp);
      hypErr.push(0);
      refErr.push(0);
    } else if (op === OP_SUB) {
      posHyp += 1;
      posRef += 1;
      align.set(posRef, posHyp);
      hypErr.push(1);
      refErr.push(1);
    } else if (op === OP_INS) {
      posHyp += 1;
      hypErr.push(1);
    } else if (op === OP_DEL) {
      posRef += 1;
      align.set(posRef, posHyp);
      refErr.push(1);
    } else {
      throw new Error(`TER: unknown edit operation '${String.fromCharCode(op)}'`);
    }
  }
  return {align, refErr, hypErr};
}

/** Python `sum(values[start:end])`. */
function sumRange(values: readonly number[], start: number, end: number): number {
  let sum = 0;
  for (let k = start; k < Math.min(end, values.length); k++) {
    sum += values[k]!;
  }
  return sum;
}

/** sacreBLEU `_perform_shift`: move `words[start:start+length]` to position `target`. */
function performShift(
  words: readonly string[],
  start: number,
  length: number,
  target: number,
): string[] {
  if (target < start) {
    // shift before previous position
    return [
      ...words.slice(0, target),
      ...words.slice(start, start + length),
      ...words.slice(target, start),
      ...words.slice(start + length),
    ];
  }
  if (target > start + length) {
    // shift after previous position
    return [
      ...words.slice(0, start),
      ...words.slice(start + length, target),
      ...words.slice(start, start + length),
      ...words.slice(target),
    ];
  }
  // shift within the shifted string
  return [
    ...words.slice(0, start),
    ...words.slice(start + length, length + target),
    ...words.slice(start, start + length),
    ...words.slice(length + target),
  ];
}

/**
 * A shift candidate ranked like sacreBLEU's tuple `(gain, length, -start_h, -idx, words)`:
 * highest gain, then longest match, then earliest match, then earliest target position.
 */
interface Candidate {
  key: [number, number, number, number];
  shiftedWords: string[];
}

/**
 * Python tuple comparison `candidate > best` on the numeric part of the key. The fifth tuple
 * element (the shifted word list) can never decide: within one `_shift` call equal
 * (start, length, target) always produce the same shifted words.
 */
function isBetter(candidate: Candidate, best: Candidate): boolean {
  for (let k = 0; k < 4; k++) {
    const a = candidate.key[k]!;
    const b = best.key[k]!;
    if (a !== b) {
      return a > b;
    }
  }
  return false;
}

/**
 * sacreBLEU `_find_shifted_pairs`: yields `[startH, startR, length]` for every matching word
 * sub-sequence `wordsH[startH:startH+length] == wordsR[startR:startR+length]` (length <= 10,
 * start distance <= 50), in the same order as the Python generator.
 */
function* findShiftedPairs(
  wordsH: readonly string[],
  wordsR: readonly string[],
): Generator<[number, number, number]> {
  const nWordsH = wordsH.length;
  const nWordsR = wordsR.length;
  for (let startH = 0; startH < nWordsH; startH++) {
    for (let startR = 0; startR < nWordsR; startR++) {
      // this is slightly different from what tercom does but this should
      // really only kick in in degenerate cases
      if (Math.abs(startR - startH) > MAX_SHIFT_DIST) {
        continue;
      }
      let length = 0;
      while (wordsH[startH + length] === wordsR[startR + length] && length < MAX_SHIFT_SIZE) {
        length += 1;
        yield [startH, startR, length];
        // If one sequence is consumed, stop processing
        if (nWordsH === startH + length || nWordsR === startR + length) {
          break;
        }
      }
    }
  }
}

/**
 * sacreBLEU `_shift`: evaluates the shift candidates of `_find_shifted_pairs` and returns the
 * best one as `[gain, shifted words, updated candidate count]`.
 */
function shift(
  wordsH: readonly string[],
  wordsR: readonly string[],
  cachedEd: BeamEditDistance,
  checkedCandidatesIn: number,
): [number, readonly string[], number] {
  let checkedCandidates = checkedCandidatesIn;
  const [preScore, invTrace] = cachedEd.distance(wordsH);

  // to get alignment, we pretend we are rewriting reference into hypothesis,
  // so we need to flip the trace of edit operations
  const {align, refErr, hypErr} = traceToAlignment(flipTrace(invTrace));

  let best: Candidate | null = null;

  for (const [startH, startR, length] of findShiftedPairs(wordsH, wordsR)) {
    // don't do the shift unless both the hypothesis was wrong and the
    // reference doesn't match hypothesis at the target position
    if (sumRange(hypErr, startH, startH + length) === 0) {
      continue;
    }
    if (sumRange(refErr, startR, startR + length) === 0) {
      continue;
    }
    // don't try to shift within the subsequence
    const alignedStart = align.get(startR);
    if (alignedStart === undefined) {
      throw new Error(`TER: reference position ${startR} is not aligned`);
    }
    if (startH <= alignedStart && alignedStart < startH + length) {
      continue;
    }

    let prevIdx = -1;
    for (let offset = -1; offset < length; offset++) {
      let idx: number;
      if (startR + offset === -1) {
        idx = 0; // insert before the beginning
      } else {
        const aligned = align.get(startR + offset);
        if (aligned === undefined) {
          break; // offset is out of bounds => aims past reference
        }
        // Unlike Tercom which inserts *after* the index, we insert *before* the index.
        idx = aligned + 1;
      }
      if (idx === prevIdx) {
        continue; // skip idx if already tried
      }
      prevIdx = idx;

      const shiftedWords = performShift(wordsH, startH, length, idx);
      const candidate: Candidate = {
        key: [preScore - cachedEd.distance(shiftedWords)[0], length, -startH, -idx],
        shiftedWords,
      };
      checkedCandidates += 1;
      if (best === null || isBetter(candidate, best)) {
        best = candidate;
      }
    }
    if (checkedCandidates >= MAX_SHIFT_CANDIDATES) {
      break;
    }
  }

  if (best === null) {
    return [0, wordsH, checkedCandidates];
  }
  return [best.key[0], best.shiftedWords, checkedCandidates];
}

/**
 * sacreBLEU `translation_edit_rate`: the number of edits (shifts + insertions, deletions and
 * substitutions) to turn `wordsHyp` into `wordsRef`, and the reference length.
 *
 * Shifts are applied greedily while they reduce the edit distance; as in sacreBLEU, the search
 * stops (discarding the pending shift) once 1000 shift candidates have been evaluated.
 */
export function translationEditRate(
  wordsHyp: readonly string[],
  wordsRef: readonly string[],
): {numEdits: number; refLength: number} {
  if (wordsRef.length === 0) {
    // special treatment of empty refs
    return {numEdits: wordsHyp.length, refLength: 0};
  }
  const cachedEd = new BeamEditDistance(wordsRef);
  let shifts = 0;
  let inputWords: readonly string[] = wordsHyp;
  let checkedCandidates = 0;
  for (;;) {
    // do shifts until they stop reducing the edit distance
    const [delta, newInputWords, checked] = shift(
      inputWords,
      wordsRef,
      cachedEd,
      checkedCandidates,
    );
    checkedCandidates = checked;
    if (checkedCandidates >= MAX_SHIFT_CANDIDATES) {
      break;
    }
    if (delta <= 0) {
      break;
    }
    shifts += 1;
    inputWords = newInputWords;
  }
  const [editDistance] = cachedEd.distance(inputWords);
  return {numEdits: shifts + editDistance, refLength: wordsRef.length};
}
