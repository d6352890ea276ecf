import type {BuildEvent} from './events.js';

type Progress = Extract<BuildEvent, {event: 'progress'}>;

interface Seen {
  /** When the stage's first counted progress event came, and its count then. */
  readonly since: number;
  readonly from: number;
  /** The last tenth of the total a plain line was printed for. */
  tenth: number;
}

/**
 * Turns a stage's progress events into what a person reads: the stage's own message, then the
 * time it has taken and, once a rate is known, the time it has left (`2:05 elapsed, ETA 0:41`).
 * The rate is measured from this run's first counted event, so a training that resumed at step
 * 400 of 500 does not promise to finish in no time. Wall-clock lives here, in the display only:
 * the events themselves carry counts.
 */
export class ProgressLines {
  readonly #seen = new Map<string, Seen>();
  readonly #started = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A stage started: its elapsed time counts from now. */
  start(id: string): void {
    this.#started.set(id, this.#now());
    this.#seen.delete(id);
  }

  /** The line to show for `e`. */
  line(e: Progress): string {
    const seen = this.#track(e);
    if (!seen || e.done === undefined || e.total === undefined) return e.message;
    const now = this.#now();
    const parts = [e.message, `${clock(now - (this.#started.get(e.id) ?? seen.since))} elapsed`];
    const counted = e.done - seen.from;
    if (counted > 0 && e.total > e.done) {
      parts.push(`ETA ${clock(((now - seen.since) / counted) * (e.total - e.done))}`);
    }
    return parts.join(', ');
  }

  /**
   * Whether a log that cannot redraw (CI, a pipe) should print `e`: events without a total
   * always, counted ones at the first, at each tenth of the way and at the end, so a long
   * training writes a dozen lines, not one per step.
   */
  worthALine(e: Progress): boolean {
    if (e.done === undefined || e.total === undefined || e.total <= 0) return true;
    const fresh = !this.#seen.has(e.id);
    const seen = this.#track(e)!;
    const tenth = Math.floor((Math.min(e.done, e.total) * 10) / e.total);
    if (fresh || tenth > seen.tenth) {
      seen.tenth = tenth;
      return true;
    }
    return false;
  }

  #track(e: Progress): Seen | undefined {
    if (e.done === undefined) return undefined;
    let seen = this.#seen.get(e.id);
    if (!seen) {
      seen = {since: this.#now(), from: e.done, tenth: -1};
      this.#seen.set(e.id, seen);
    }
    return seen;
  }
}

/** `0:07`, `12:40`, `1:02:03`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
