import type {BuildEvent} from './events.js';
import type {Reporter} from './reporter.js';

/** `--json`: one JSON object per line on stdout, nothing else there. */
export function ndjsonReporter(write: (line: string) => void): Reporter {
  return {
    emit: (event: BuildEvent) => write(`${JSON.stringify(event)}\n`),
    close: async () => undefined,
  };
}
