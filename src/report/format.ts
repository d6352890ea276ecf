/**
 * How numbers read in every report format, so the Markdown, the terminal and the HTML agree:
 * a score to the precision its scale deserves (EM 0.892, BLEU 41.3), durations, money, counts.
 */

/** How many decimals a metric's values get, by its scale: 3 on 0-1, 1 on 0-100 and counts. */
export function scaleDecimals(scale: string): number {
  return scale === '0-1' ? 3 : 1;
}

/** A score on its metric's scale. */
export function formatScore(value: number, scale: string): string {
  return Number.isFinite(value) ? value.toFixed(scaleDecimals(scale)) : String(value);
}

/** A difference of scores, signed: `+0.120`, `-3.4`, `±0` for none. */
export function formatDelta(delta: number, scale: string): string {
  const text = formatScore(Math.abs(delta), scale);
  if (Number(text) === 0) return `±${text}`;
  return `${delta > 0 ? '+' : '-'}${text}`;
}

/** `0.892 [0.845, 0.938]`. */
export function formatScoreWithInterval(
  s: {readonly value: number; readonly interval: readonly [number, number]},
  scale: string,
): string {
  return `${formatScore(s.value, scale)} [${formatScore(s.interval[0], scale)}, ${formatScore(s.interval[1], scale)}]`;
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
  const min = Math.round(total / 60);
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** US dollars: `$1.23`, small amounts to two significant digits (`$0.0042`); `—` for null. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return '—';
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}

/** Made on first use: a number format costs every command that loads this file ~15 ms. */
let grouped: Intl.NumberFormat | undefined;

/** A count with thousands separators: `1,234,567`; `—` for null. */
export function formatCount(n: number | null): string {
  if (n === null) return '—';
  grouped ??= new Intl.NumberFormat('en-US');
  return grouped.format(n);
}
