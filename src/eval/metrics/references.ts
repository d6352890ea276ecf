/**
 * sacreBLEU's reference layout (`Metric._cache_references` in `metrics/base.py`).
 *
 * References are given as *streams*: `references[k][i]` is the k-th reference of hypothesis i.
 * A stream entry may be `null`/`undefined` (Python `None`) to allow a variable number of
 * references per segment; such entries are dropped for that segment. Empty strings are *not*
 * dropped: sacreBLEU keeps them as (empty) references, so they take part in e.g. BLEU's closest
 * reference length.
 */

/** One entry of a reference stream; `null`/`undefined` means "no reference here". */
export type ReferenceEntry = string | null | undefined;

/**
 * Transposes reference streams into the list of defined references of each hypothesis.
 *
 * sacreBLEU `zip`s hypotheses with the streams and silently truncates to the shortest; ft
 * throws on length mismatches instead, and on segments left without any reference (where
 * sacreBLEU fails with a TypeError or ZeroDivisionError).
 */
export function referencesPerSegment(
  metric: string,
  hypotheses: readonly string[],
  streams: readonly (readonly ReferenceEntry[])[],
): string[][] {
  if (!Array.isArray(hypotheses) || hypotheses.some((h) => typeof h !== 'string')) {
    throw new Error(`${metric}: hypotheses must be an array of strings`);
  }
  if (hypotheses.length === 0) {
    throw new Error(`${metric}: at least one hypothesis is required`);
  }
  if (!Array.isArray(streams) || streams.length === 0 || streams.some((s) => !Array.isArray(s))) {
    throw new Error(
      `${metric}: references must be a non-empty array of reference streams (references[k][i] is the k-th reference of hypothesis i)`,
    );
  }
  streams.forEach((stream, k) => {
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `${metric}: reference stream ${k} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`,
      );
    }
  });
  return hypotheses.map((_, i) => {
    const refs: string[] = [];
    for (const stream of streams) {
      const ref = stream[i];
      if (ref === null || ref === undefined) {
        continue;
      }
      if (typeof ref !== 'string') {
        throw new Error(`${metric}: references must be strings, null or undefined`);
      }
      refs.push(ref);
    }
    if (refs.length === 0) {
      throw new Error(`${metric}: hypothesis ${i} has no reference (all streams are null there)`);
    }
    return refs;
  });
}

/** sacreBLEU `sentence_score`: every reference of the single hypothesis becomes its own stream. */
export function sentenceStreams(
  metric: string,
  hypothesis: string,
  references: readonly ReferenceEntry[],
): {hypotheses: string[]; streams: ReferenceEntry[][]} {
  if (typeof hypothesis !== 'string') {
    throw new Error(`${metric}: the hypothesis must be a string`);
  }
  if (!Array.isArray(references) || references.length === 0) {
    throw new Error(`${metric}: references must be a non-empty array of strings`);
  }
  return {hypotheses: [hypothesis], streams: references.map((ref) => [ref])};
}
