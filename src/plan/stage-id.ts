/** The kinds of stage, in pipeline order. */
export type StageKind = 'source' | 'dataset' | 'train' | 'generate' | 'judge' | 'eval';

export const STAGE_KINDS: readonly StageKind[] = [
  'source',
  'dataset',
  'train',
  'generate',
  'judge',
  'eval',
];

/**
 * Kinds whose output is a function of their inputs alone (so a lost record costs only time to
 * remake). Training, generation and evaluation are not: they may cost money and give different
 * results each run, so ft keeps their records more carefully (see `ft cache gc
 * --include-trained`).
 */
export function isDeterministicKind(kind: StageKind): boolean {
  return kind === 'source' || kind === 'dataset';
}

/**
 * `source:<name>`, `dataset`, `train:<target>`, `generate:<model>`, `judge:<metric>` or `eval`.
 */
export type StageId = string & {readonly __brand: 'StageId'};

export const stageId = (kind: StageKind, name?: string): StageId =>
  (name === undefined ? kind : `${kind}:${name}`) as StageId;

export function stageName(id: StageId): string | undefined {
  const colon = id.indexOf(':');
  return colon === -1 ? undefined : id.slice(colon + 1);
}
