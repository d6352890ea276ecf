/**
 * Trainer protocol v1: how ft talks to a trainer it spawns. This is a public contract (third
 * parties implement it; the README documents it and `schemas/trainer-*.schema.json` define its
 * JSON), so it changes only by a new protocol version.
 *
 *   <argv...> train --spec <abs path>      trains; events on stdout, one JSON object per line
 *   <argv...> generate --spec <abs path>   answers prompts with a base model or a trained one
 *   <argv...> info                         optional: {"name", "version", "protocol": [1], ...}
 */

export const PROTOCOL_VERSION = 1;

/** A base model: a hub name or a path, or the object form with a pin and another target's model. */
export type BaseModel =
  | string
  | {
      readonly name: string;
      readonly revision?: string;
      readonly path?: string;
      /** name -> absolute path: another target's trained model, when one tunes the output of another. */
      readonly artifacts?: Readonly<Record<string, string>>;
    };

/** What `train --spec` reads. Every path is absolute. */
export interface TrainSpec {
  readonly protocol: typeof PROTOCOL_VERSION;
  /** `train:<target>`, for the trainer's own messages. */
  readonly stage: string;
  readonly base_model: BaseModel;
  /** JSONL of the dataset stage's canonical records. */
  readonly train_file: string;
  readonly validation_file: string | null;
  readonly format: 'chat' | 'preference';
  /** As written in the recipe, keys ft does not know included. */
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** Where the trainer writes checkpoints and artifacts; event paths are relative to it. */
  readonly output_dir: string;
  /** The last checkpoint an earlier attempt with the same key left, or null. */
  readonly resume_from: string | null;
}

/** What `generate --spec` reads. */
export interface GenerateSpec {
  readonly protocol: typeof PROTOCOL_VERSION;
  readonly base_model: BaseModel;
  /** The trained model's artifacts (name -> absolute path), or null for the untrained base. */
  readonly artifacts: Readonly<Record<string, string>> | null;
  /** JSONL of {"id", "messages"}: each prompt is its messages before the last assistant one. */
  readonly inputs: string;
  /** JSONL the trainer writes: {"id", "output"} (a list of n answers when `samples` is n). */
  readonly output: string;
  readonly params: {
    readonly max_tokens?: number;
    readonly temperature?: number;
    readonly seed?: number;
    readonly samples?: number;
  };
}

/** What `info` answers. When a trainer answers, its name and version enter the stage key. */
export interface TrainerInfo {
  readonly name: string;
  readonly version: string;
  readonly protocol: readonly number[];
  readonly capabilities: readonly string[];
}

/** The events a trainer prints. Unknown types and unknown fields are ignored. */
export type TrainerEvent =
  | {readonly type: 'start'; readonly total_steps?: number}
  | {
      readonly type: 'progress';
      /** train: the optimizer step; generate: `done` of `total`. */
      readonly step?: number;
      readonly total_steps?: number;
      readonly epoch?: number;
      readonly loss?: number;
      readonly lr?: number;
      readonly done?: number;
      readonly total?: number;
    }
  | {readonly type: 'eval'; readonly step: number; readonly loss: number}
  | {readonly type: 'checkpoint'; readonly step: number; readonly path: string}
  | {readonly type: 'artifact'; readonly name: string; readonly path: string}
  | {readonly type: 'done'; readonly metrics?: Readonly<Record<string, unknown>>}
  | {readonly type: 'error'; readonly message: string};

/** What one line of a trainer's stdout is. */
export type StdoutLine =
  | {readonly kind: 'event'; readonly event: TrainerEvent}
  /** Not an event (plain text, JSON without a known `type`): it goes to the stage log. */
  | {readonly kind: 'log'}
  /** A known event whose fields are wrong: the trainer breaks the protocol. */
  | {readonly kind: 'invalid'; readonly why: string};

type FieldCheck = (value: unknown) => boolean;
const count: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const finite: FieldCheck = (v) => typeof v === 'number' && Number.isFinite(v);
const text: FieldCheck = (v) => typeof v === 'string' && v.length > 0;
const object: FieldCheck = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each known type's fields: [required, optional]. */
const FIELDS: Record<
  TrainerEvent['type'],
  [Record<string, FieldCheck>, Record<string, FieldCheck>]
> = {
  start: [{}, {total_steps: count}],
  progress: [
    {},
    {
      step: count,
      total_steps: count,
      epoch: finite,
      loss: finite,
      lr: finite,
      done: count,
      total: count,
    },
  ],
  eval: [{step: count, loss: finite}, {}],
  checkpoint: [{step: count, path: text}, {}],
  artifact: [{name: text, path: text}, {}],
  done: [{}, {metrics: object}],
  error: [{message: (v) => typeof v === 'string'}, {}],
};

/**
 * Reads one line of a trainer's stdout. Only a JSON object whose `type` is one of v1's is an
 * event; its known fields must be well formed (a trainer that sends `"step": "3"` is told so, not
 * silently misread); unknown fields are dropped.
 */
export function readStdoutLine(line: string): StdoutLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return {kind: 'log'};
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch {
    return {kind: 'log'};
  }
  if (!object(data)) return {kind: 'log'};
  const type = (data as {type?: unknown}).type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) return {kind: 'log'};
  const [required, optional] = FIELDS[type as TrainerEvent['type']];
  const event: Record<string, unknown> = {type};
  for (const [name, check] of Object.entries({...required, ...optional})) {
    const value = (data as Record<string, unknown>)[name];
    if (value === undefined || value === null) {
      if (name in required)
        return {kind: 'invalid', why: `${article(type)} ${type} event needs "${name}"`};
      continue;
    }
    if (!check(value)) {
      return {
        kind: 'invalid',
        why: `${article(type)} ${type} event's "${name}" is ${JSON.stringify(value)}`,
      };
    }
    event[name] = value;
  }
  return {kind: 'event', event: event as TrainerEvent};
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/**
 * Reads `info`'s answer: undefined when the trainer does not speak it (it is optional), or the
 * reason the answer is unusable.
 */
export function readInfo(stdout: string): TrainerInfo | {readonly invalid: string} | undefined {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('{'));
  if (line === undefined) return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!text(data.name) || !text(data.version)) {
    return {invalid: 'info must answer {"name", "version", "protocol": [1]}'};
  }
  const protocols = Array.isArray(data.protocol) ? data.protocol : [data.protocol];
  if (!protocols.includes(PROTOCOL_VERSION)) {
    return {
      invalid: `the trainer speaks protocol ${JSON.stringify(data.protocol)}, this ft speaks ${PROTOCOL_VERSION}`,
    };
  }
  return {
    name: data.name as string,
    version: data.version as string,
    protocol: protocols as number[],
    capabilities: Array.isArray(data.capabilities)
      ? data.capabilities.filter((c): c is string => typeof c === 'string')
      : [],
  };
}

/**
 * One line of `metrics.jsonl`, the training curve every backend writes in one shape (the local
 * trainers from their events, OpenAI from its job's metrics) and reports draw. No wall-clock
 * fields: a deterministic trainer gives identical bytes.
 */
export interface MetricsLine {
  readonly step: number;
  readonly epoch?: number;
  readonly loss?: number;
  readonly lr?: number;
  readonly eval_loss?: number;
}

/** The training curve from a trainer's events, one line per step, in step order. */
export function metricsFromEvents(events: readonly TrainerEvent[]): MetricsLine[] {
  const byStep = new Map<number, Record<string, number>>();
  const at = (step: number) => {
    const line = byStep.get(step) ?? {step};
    byStep.set(step, line);
    return line;
  };
  for (const e of events) {
    if (e.type === 'progress' && e.step !== undefined) {
      const line = at(e.step);
      if (e.epoch !== undefined) line.epoch = e.epoch;
      if (e.loss !== undefined) line.loss = e.loss;
      if (e.lr !== undefined) line.lr = e.lr;
    } else if (e.type === 'eval') {
      at(e.step).eval_loss = e.loss;
    }
  }
  return [...byStep.values()].sort((a, b) => a.step! - b.step!) as unknown as MetricsLine[];
}
