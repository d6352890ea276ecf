import type {BuildEvent} from './events.js';

/** A sink for build events: NDJSON, plain lines, or a listr2 task list on a TTY. */
export interface Reporter {
  readonly emit: (event: BuildEvent) => void;
  /** Flushes and stops (the TTY renderer needs to draw its last frame). */
  close(): Promise<void>;
}
