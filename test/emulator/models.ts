/**
 * The model catalogue: base snapshots the emulator knows (with the aliases that resolve to them)
 * and the fine-tuned models jobs create. Which bases are fine-tunable follows SPEC.md section 2.
 */

export interface BaseModel {
  readonly id: string;
  readonly created: number;
  readonly fineTunable: boolean;
}

/** Snapshots (created dates are the snapshot dates at 00:00 UTC; GUESS for exact values). */
export const BASE_MODELS: readonly BaseModel[] = [
  {id: 'gpt-4o-mini-2024-07-18', created: 1721260800, fineTunable: true},
  {id: 'gpt-4o-2024-08-06', created: 1722902400, fineTunable: true},
  {id: 'gpt-4.1-2025-04-14', created: 1744588800, fineTunable: true},
  {id: 'gpt-4.1-mini-2025-04-14', created: 1744588800, fineTunable: true},
  {id: 'gpt-4.1-nano-2025-04-14', created: 1744588800, fineTunable: true},
  {id: 'gpt-3.5-turbo-0125', created: 1706140800, fineTunable: true},
  {id: 'o4-mini-2025-04-16', created: 1744761600, fineTunable: true},
  {id: 'babbage-002', created: 1692576000, fineTunable: true},
  {id: 'davinci-002', created: 1692576000, fineTunable: true},
];

/** Alias → snapshot (create `gpt-4o-mini` gives a job whose `model` is the snapshot). */
export const ALIASES: Readonly<Record<string, string>> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
  'o4-mini': 'o4-mini-2025-04-16',
};

/** A prompt → answer pair learned from one training example (see chat.ts for the rule). */
export interface Lesson {
  readonly prompt: string;
  readonly lastUser: string | undefined;
  readonly answer: string;
}

export interface FineTunedModel {
  readonly id: string;
  readonly created: number;
  readonly ownedBy: string;
  /** The model the job trained from (a snapshot, or another ft model: continued training). */
  readonly parent: string;
  /** The root base snapshot. */
  readonly base: string;
  readonly lessons: readonly Lesson[];
  deleted: boolean;
}

export function resolveBase(id: string): BaseModel | undefined {
  const snapshot = ALIASES[id] ?? id;
  return BASE_MODELS.find((m) => m.id === snapshot);
}
