/**
 * How numbers read in every report format, so the Markdown, the terminal and the HTML agree:
 * a score to the precision its scale deserves (EM 0.892, BLEU 41.3), durations in s or min.
 */

/** A score on its scale: 3 decimals on 0-1, 1 on 0-100 and on counts. */
export function formatScore(value: number, scale: string): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(scale === '0-1' ? 3 : 1);
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

/** `850ms`, `14.2s`, `3m 05s`, `2h 10m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `$1.23`, or `n/a`. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return 'n/a';
  return usd < 0.01 && usd > 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** `12,345`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
