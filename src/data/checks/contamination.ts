import {hash} from 'node:crypto';

/** The held-out splits, in the order they are compared. */
export type HeldOutSplit = 'validation' | 'test';

/**
 * Examples that appear in more than one split: held-out examples identical to a training example
 * (`validation`, `test`), and test examples identical to a validation one
 * (`test_in_validation`). Splits place records by their source record, so two source records
 * that differ only in a field the transforms drop become the same example in two splits; evals
 * on such examples measure recall, not generalization.
 */
export type Contamination = Partial<Record<HeldOutSplit | 'test_in_validation', number>>;

/**
 * Counts Contamination over canonical JSONL lines (equal examples have equal lines). The
 * held-out splits are kept as a digest per distinct line; the training split streams past them.
 */
export class SplitOverlap {
  /** Per held-out split: digest -> how many of its examples have that line. */
  readonly #heldOut = new Map<HeldOutSplit, Map<string, number>>();
  readonly #inTrain = new Map<HeldOutSplit, Set<string>>();
  #testInValidation = 0;

  /** Adds a held-out example's canonical line (validation first, then test). */
  addHeldOut(split: HeldOutSplit, line: string): void {
    let lines = this.#heldOut.get(split);
    if (!lines) {
      lines = new Map();
      this.#heldOut.set(split, lines);
      this.#inTrain.set(split, new Set());
    }
    const digest = digestOf(line);
    lines.set(digest, (lines.get(digest) ?? 0) + 1);
    if (split === 'test' && this.#heldOut.get('validation')?.has(digest)) this.#testInValidation++;
  }

  /** Checks a training example's canonical line against the held-out splits. */
  addTraining(line: string): void {
    if (this.#heldOut.size === 0) return;
    const digest = digestOf(line);
    for (const [split, lines] of this.#heldOut) {
      if (lines.has(digest)) this.#inTrain.get(split)!.add(digest);
    }
  }

  result(): Contamination {
    const out: Contamination = {};
    for (const [split, lines] of this.#heldOut) {
      let n = 0;
      for (const digest of this.#inTrain.get(split)!) n += lines.get(digest)!;
      out[split] = n;
    }
    if (this.#heldOut.has('validation') && this.#heldOut.has('test'))
      out.test_in_validation = this.#testInValidation;
    return out;
  }
}

function digestOf(line: string): string {
  return hash('sha256', line, 'base64');
}
