/** The five kinds of stage, in pipeline order. */
export type StageKind = 'source' | 'dataset' | 'train' | 'eval' | 'report';

/** `source:<name>`, `dataset`, `train:<target>`, `eval:<target>` or `report`. */
export type StageId = string & {readonly __brand: 'StageId'};

export const stageId = (kind: StageKind, name?: string): StageId =>
  (name === undefined ? kind : `${kind}:${name}`) as StageId;

export function stageName(id: StageId): string | undefined {
  const colon = id.indexOf(':');
  return colon === -1 ? undefined : id.slice(colon + 1);
}
