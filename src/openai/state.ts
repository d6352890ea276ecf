import {randomBytes} from 'node:crypto';
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';

/**
 * What a train stage on OpenAI must remember across crashes, in its key's work folder (which
 * survives a killed build until the stage completes): that a create was about to be sent (the
 * intent, written before the POST), the job's id the moment it is known, and the files it
 * uploaded. Written atomically (temp file + rename): a kill at any point leaves the old record
 * or the new one.
 */
export interface JobState {
  readonly version: 1;
  /** When ft last sent (or was about to send) a job create for this key. */
  readonly intent_at?: string;
  /** Runs that found the intent but no job after the lookup's retries (see jobs.ts). */
  readonly empty_lookups?: number;
  readonly job?: string;
  /** The organization of `job` (its `organization_id`): another organization's key cannot see it. */
  readonly organization_id?: string;
  readonly files?: {readonly train?: string; readonly validation?: string};
}

export class StateFile {
  readonly path: string;
  #state: JobState;

  constructor(workDir: string) {
    this.path = join(workDir, 'openai-job.json');
    this.#state = read(this.path);
  }

  get state(): JobState {
    return this.#state;
  }

  update(change: Partial<JobState>): void {
    const next: Record<string, unknown> = {...this.#state, ...change, version: 1};
    for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
    this.#state = next as unknown as JobState;
    mkdirSync(dirname(this.path), {recursive: true});
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(temp, `${JSON.stringify(this.#state, null, 2)}\n`, {flush: true});
    renameSync(temp, this.path);
  }
}

function read(path: string): JobState {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as JobState;
    return data?.version === 1 ? data : {version: 1};
  } catch {
    return {version: 1};
  }
}
