import {setTimeout as sleep} from 'node:timers/promises';

/**
 * How often ft asks about a job: every FT_OPENAI_POLL_MS (default 5 s) while it changes, backing
 * off by 1.5x to a minute while it does not. Lookups of a lagging job list retry after
 * min(1 s, that) doubling. The variable exists for tests and development against the emulator,
 * whose jobs move on requests, not on time.
 */
export function pollBaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.FT_OPENAI_POLL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 5000;
}

export const POLL_MAX_MS = 60_000;

export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, {signal});
}
