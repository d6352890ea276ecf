/**
 * sacreBLEU's textual score lines (`Score.format()` in `sacrebleu/metrics/base.py`), so that ft can
 * print exactly what `sacrebleu` prints, e.g.
 * `BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)`.
 */

import type {BleuScore} from './bleu.js';
import type {ChrfScore} from './chrf.js';
import type {TerScore} from './ter.js';

const FORMATTERS = new Map<number, Intl.NumberFormat>();

/**
 * Python `f"{value:.{digits}f}"`: round-half-even on the exact binary value (JavaScript's
 * `toFixed` rounds exact ties away from zero instead).
 */
export function formatFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) {
    return 'nan';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'inf' : '-inf';
  }
  let formatter = FORMATTERS.get(digits);
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
      roundingMode: 'halfEven',
    });
    FORMATTERS.set(digits, formatter);
  }
  return formatter.format(value);
}

/** sacreBLEU `BLEUScore.format(width)` without signature. */
export function formatBleu(result: BleuScore, width = 2): string {
  const precisions = result.precisions.map((p) => formatFixed(p, 1)).join('/');
  const ratio = result.refLen ? result.sysLen / result.refLen : 0;
  return (
    `BLEU = ${formatFixed(result.score, width)} ${precisions} ` +
    `(BP = ${formatFixed(result.bp, 3)} ratio = ${formatFixed(ratio, 3)} ` +
    `hyp_len = ${result.sysLen} ref_len = ${result.refLen})`
  );
}

/** sacreBLEU `CHRFScore.format(width)` without signature, e.g. `chrF2++ = 59.73`. */
export function formatChrf(result: ChrfScore, width = 2): string {
  return `chrF${result.beta}${'+'.repeat(result.wordOrder)} = ${formatFixed(result.score, width)}`;
}

/** sacreBLEU `TERScore.format(width)` without signature, e.g. `TER = 13.60`. */
export function formatTer(result: TerScore, width = 2): string {
  return `TER = ${formatFixed(result.score, width)}`;
}
