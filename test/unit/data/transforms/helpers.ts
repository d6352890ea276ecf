import {tmpdir} from 'node:os';
import {DataProblems} from '../../../../src/data/records/data-error.js';
import type {Example} from '../../../../src/data/records/example.js';
import {SourceIdentity} from '../../../../src/data/records/identity.js';
import type {TransformContext, TransformStep} from '../../../../src/data/transforms/transform.js';

export function context(): TransformContext {
  return {
    problems: new DataProblems(),
    dir: '/tmp',
    seed: 0,
    tempDir: tmpdir(),
    signal: new AbortController().signal,
    identity: new SourceIdentity(null),
  };
}

/** Examples from records, numbered by line from 1, identified as sources (SourceIdentity). */
export function examples(records: readonly Record<string, unknown>[]): Example[] {
  const batch = records.map((record, i) => ({
    record,
    origin: {file: 't.jsonl', line: i + 1},
    id: '',
  }));
  new SourceIdentity(null).assign(batch, new DataProblems());
  return batch;
}

/** Runs records through a step in batches of `batchSize`, returning the records that come out. */
export async function run(
  step: TransformStep,
  records: readonly Record<string, unknown>[],
  batchSize = 1000,
): Promise<Record<string, unknown>[]> {
  const all = examples(records);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < all.length; i += batchSize) {
    const passed = await step.process(all.slice(i, i + batchSize));
    for (const example of passed) out.push(example.record);
  }
  return out;
}

export {random} from '../../../helpers/random.js';
