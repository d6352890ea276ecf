import {resolve} from 'node:path';
import {execWhat, requireExec} from '../core/exec-policy.js';
import type {Sha256} from '../core/hash.js';
import {commandFiles, moduleFiles} from '../data/transforms/code-files.js';
import {datasetFingerprint, type TransformCode} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/** The hash of each source's manifest, by source name, as the source stages stored them. */
function sourceOutputs(ctx: StageContext): Record<string, Sha256> {
  const out: Record<string, Sha256> = {};
  for (const s of ctx.recipe.sources) {
    const manifest = ctx.upstream.get(stageId('source', s.name))?.outputs['manifest.json'];
    if (!manifest) throw new Error(`source:${s.name} has no manifest`);
    out[s.name] = manifest.hash;
  }
  return out;
}

/** Content hashes of the code that js and command steps run, by step index. */
async function transformCode(ctx: StageContext): Promise<TransformCode> {
  const code: Record<number, Record<string, Sha256>> = {};
  for (const [i, step] of ctx.recipe.transforms.entries()) {
    if ('js' in step)
      code[i] = moduleFiles(ctx.recipe.dir, step.js.module) as Record<string, Sha256>;
    if ('command' in step) {
      const files: Record<string, Sha256> = {};
      for (const arg of commandFiles(ctx.recipe.dir, step.command.run)) {
        files[arg] = (await ctx.hashFile(resolve(ctx.recipe.dir, arg))).hash;
      }
      code[i] = files;
    }
  }
  return code;
}

/**
 * dataset: streams every source's records (in recipe order) through the transforms and writes
 * one canonical JSONL file per split, in the order records come out. Each record is brought to
 * its training form on the way out (prompt/response pairs become chat examples, and so on; see
 * data/records/formats.ts). Bad records are collected with their file and line: if any is not
 * skippable, nothing is stored and the build exits 2. The work itself (data/build-dataset.ts) is
 * loaded only when the stage runs: computing its key must stay cheap for a no-op build.
 */
export const datasetStage: StageDefinition = {
  warmUp(ctx) {
    void import('../data/parallel/warm-up.js')
      .then(({warmUpDataset}) => warmUpDataset(ctx))
      .catch(() => undefined);
  },
  async fingerprint(ctx) {
    return datasetFingerprint(ctx.recipe, sourceOutputs(ctx), await transformCode(ctx));
  },
  async run(ctx) {
    for (const [i, step] of ctx.recipe.transforms.entries()) {
      if ('js' in step) requireExec(ctx.exec, `transforms[${i}]`, execWhat.js(step.js.module));
      if ('command' in step) {
        requireExec(ctx.exec, `transforms[${i}]`, execWhat.command(step.command.run));
      }
    }
    const {runDataset} = await import('../data/build-dataset.js');
    return runDataset(ctx, sourceOutputs(ctx));
  },
};
