/**
 * TER (translation edit rate) exactly as sacreBLEU v2.6.0 computes it (`sacrebleu/metrics/ter.py`,
 * `TER` class and the `corpus_ter` / `sentence_ter` functions). The defaults replicate TERCOM:
 * case-insensitive, no normalization, punctuation kept.
 */

import {booleanOption, checkOptionKeys} from './options.js';
import {pyRstrip, pySplit} from './python-text.js';
import {type ReferenceEntry, referencesPerSegment, sentenceStreams} from './references.js';
import {type TercomTokenizerOptions, tokenizeTercom} from './tokenizers/tokenizer-ter.js';
import {translationEditRate} from './translation-edit-rate.js';

/** TER options: sacreBLEU's `TER(...)` arguments in camelCase (all default to false). */
export type TerOptions = TercomTokenizerOptions;

/** A TER result (sacreBLEU `TERScore`). */
export interface TerScore {
  /** 100 * edits / summed average reference length (100 if references are empty but edits > 0). */
  score: number;
  /** Total number of edits (best reference per segment). */
  numEdits: number;
  /** Sum over segments of the average reference length. */
  refLength: number;
}

function resolveTerOptions(metric: string, options: TerOptions): Required<TerOptions> {
  checkOptionKeys(metric, options, ['normalized', 'noPunct', 'asianSupport', 'caseSensitive']);
  return {
    normalized: booleanOption(metric, options, 'normalized', false),
    noPunct: booleanOption(metric, options, 'noPunct', false),
    asianSupport: booleanOption(metric, options, 'asianSupport', false),
    caseSensitive: booleanOption(metric, options, 'caseSensitive', false),
  };
}

function terFromStreams(
  metric: string,
  hypotheses: readonly string[],
  streams: readonly (readonly ReferenceEntry[])[],
  opts: Required<TerOptions>,
): TerScore {
  const segmentRefs = referencesPerSegment(metric, hypotheses, streams);
  // sacreBLEU `TER._preprocess_segment`
  const preprocess = (sent: string): string => tokenizeTercom(pyRstrip(sent), opts);

  let totalEdits = 0;
  let sumRefLengths = 0;
  hypotheses.forEach((hypothesis, i) => {
    // sacreBLEU tokenizes references twice: once in `_cache_references` and again in
    // `TER._extract_reference_info`; the second pass can change e.g. '&amp;quot;'.
    const refWords = segmentRefs[i]!.map((ref) => pySplit(preprocess(preprocess(ref))));
    const wordsHyp = pySplit(preprocess(hypothesis));

    let refLengths = 0;
    let bestNumEdits = 1e16;
    for (const wordsRef of refWords) {
      const {numEdits, refLength} = translationEditRate(wordsHyp, wordsRef);
      refLengths += refLength;
      if (numEdits < bestNumEdits) {
        bestNumEdits = numEdits;
      }
    }
    totalEdits += bestNumEdits;
    sumRefLengths += refLengths / refWords.length;
  });

  let score: number;
  if (sumRefLengths > 0) {
    score = totalEdits / sumRefLengths;
  } else if (totalEdits > 0) {
    score = 1.0; // empty reference(s) and non-empty hypothesis
  } else {
    score = 0.0; // both reference(s) and hypothesis are empty
  }
  return {score: 100 * score, numEdits: totalEdits, refLength: sumRefLengths};
}

/**
 * Corpus-level TER, identical to sacreBLEU's `corpus_ter` / `TER().corpus_score`: total edits
 * (best reference per segment) over the summed average reference lengths.
 *
 * @param references sacreBLEU reference streams (`references[k][i]` is the k-th reference of
 *   hypothesis i; `null`/`undefined` entries allowed).
 */
export function corpusTer(
  hypotheses: readonly string[],
  references: readonly (readonly ReferenceEntry[])[],
  options: TerOptions = {},
): TerScore {
  const opts = resolveTerOptions('corpusTer', options);
  return terFromStreams('corpusTer', hypotheses, references, opts);
}

/**
 * Sentence-level TER, identical to sacreBLEU's `sentence_ter` / `TER().sentence_score`.
 *
 * @param references the references of this hypothesis (not streams).
 */
export function sentenceTer(
  hypothesis: string,
  references: readonly ReferenceEntry[],
  options: TerOptions = {},
): TerScore {
  const opts = resolveTerOptions('sentenceTer', options);
  const {hypotheses, streams} = sentenceStreams('sentenceTer', hypothesis, references);
  return terFromStreams('sentenceTer', hypotheses, streams, opts);
}

/**
 * sacreBLEU's `TercomTokenizer(**options)(text)`: the tokenization TER applies to each segment
 * (TER additionally right-strips segments first).
 */
export function tercomTokenize(text: string, options: TerOptions = {}): string {
  return tokenizeTercom(text, resolveTerOptions('tercomTokenize', options));
}
