import {cos} from './numerics.js';

/**
 * The learning rate for optimizer step `t` (0-based) of `total`: a linear warmup over the first
 * floor(warmup_ratio * total) steps (step t gets peak * (t + 1) / warmup), then a cosine decay
 * peak * (1 + cos(pi * progress)) / 2 with progress = (t - warmup) / (total - warmup), so the
 * rate falls toward 0 and the last step's is still above it. Uses this module's own cos.
 */
export function learningRate(t: number, total: number, warmupRatio: number, peak: number): number {
  const warmup = Math.floor(warmupRatio * total);
  if (t < warmup) return (peak * (t + 1)) / warmup;
  const progress = (t - warmup) / Math.max(1, total - warmup);
  return peak * 0.5 * (1 + cos(Math.PI * progress));
}
