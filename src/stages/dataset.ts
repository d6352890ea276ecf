import {relative, resolve} from 'node:path';
import {UserError} from '../core/diagnostic.js';
import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {datasetFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import {DataProblems} from './records/data-error.js';
import type {Example, SplitName} from './records/example.js';
import {readJsonl} from './records/jsonl-reader.js';
import {JsonlWriter} from './records/jsonl-writer.js';
import type {SourceManifest} from './source.js';
import type {Artifact, StageContext, StageDefinition} from './stage-definition.js';
import {createTransform, type TransformStep} from './transforms/index.js';

/** Output file of each split. */
export const SPLIT_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  test: 'test.jsonl',
};

function sourceOutputs(ctx: StageContext): Record<string, Sha256> {
  const out: Record<string, Sha256> = {};
  for (const s of ctx.recipe.sources) {
    const result = ctx.upstream.get(stageId('source', s.name));
    const manifest = result?.outputs['manifest.json'];
    if (!manifest) throw new Error(`source:${s.name} has no manifest`);
    out[s.name] = manifest.hash;
  }
  return out;
}

/** The splits this recipe produces: train always; validation and test when a split asks. */
function splitsOf(ctx: StageContext): SplitName[] {
  const split = ctx.recipe.transforms.find((t) => 'split' in t);
  const out: SplitName[] = ['train'];
  if (split && 'split' in split) {
    if (split.split.validation > 0) out.push('validation');
    if (split.split.test > 0) out.push('test');
  }
  return out;
}

/**
 * dataset: streams every source's records (in recipe order) through the transforms and writes
 * one canonical JSONL file per split, in input order. Bad records are collected with their file
 * and line; if there are any, nothing is stored and the build exits 2.
 */
export const datasetStage: StageDefinition = {
  async fingerprint(ctx) {
    return datasetFingerprint(ctx.recipe, sourceOutputs(ctx));
  },
  async run(ctx) {
    const problems = new DataProblems();
    const steps: TransformStep[] = ctx.recipe.transforms.map((t) => createTransform(t, {problems}));
    const splits = splitsOf(ctx);
    const writers = new Map<SplitName, JsonlWriter>();
    try {
      for (const split of splits) {
        writers.set(split, await JsonlWriter.create(ctx.store.newTempFile(split)));
      }
      const write = async (batch: Example[]) => {
        for (const example of batch) {
          const writer = writers.get(example.split ?? 'train');
          if (!writer) throw new Error(`no writer for split ${example.split}`);
          await writer.write(example.record);
        }
      };
      const perSource: Record<string, number> = {};
      const manifests = sourceOutputs(ctx);
      for (const source of ctx.recipe.sources) {
        const manifest = JSON.parse(ctx.store.readText(manifests[source.name]!)) as SourceManifest;
        let records = 0;
        for (const file of manifest.files) {
          const path = resolve(ctx.recipe.dir, file.path);
          const shown = relative(process.cwd(), path) || file.path;
          try {
            for await (let batch of readJsonl({
              path,
              shown: shown.startsWith('..') ? path : shown,
              expectedHash: file.sha256,
              problems,
              signal: ctx.signal,
            })) {
              records += batch.length;
              for (const step of steps) batch = step.process(batch);
              await write(batch);
            }
          } catch (e) {
            if (e instanceof Error && e.message.includes('changed while ft was reading')) {
              throw new StageFailure('source-changed', e.message);
            }
            throw e;
          }
        }
        perSource[source.name] = records;
        ctx.progress(`read ${source.name}: ${records} records`);
      }
      // Steps that hold records back release them in order, each through the steps after it.
      for (let i = 0; i < steps.length; i++) {
        let held = steps[i]!.finish?.() ?? [];
        for (const step of steps.slice(i + 1)) held = step.process(held);
        await write(held);
      }
      if (problems.count > 0) throw new UserError(problems.all());

      const outputs: Record<string, Artifact> = {};
      const examples: Record<string, number> = {};
      for (const [split, writer] of writers) {
        const {hash, size} = await writer.finish();
        await ctx.store.adopt(writer.path, hash);
        outputs[SPLIT_FILES[split]] = {hash, size};
        examples[split] = writer.count;
      }
      writers.clear();
      const transforms = steps.map((s) => ({[s.name]: s.summary()}));
      ctx.log(`records per source: ${JSON.stringify(perSource)}`);
      for (const t of transforms) ctx.log(`transform ${JSON.stringify(t)}`);
      ctx.log(`examples per split: ${JSON.stringify(examples)}`);
      return {outputs, summary: {records: perSource, transforms, examples}};
    } finally {
      for (const writer of writers.values()) await writer.discard();
    }
  },
};
