import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {TrainerEvent, TrainSpec} from '../protocol.js';
import {pruneCheckpoints, readCheckpoint, writeCheckpoint} from './checkpoint.js';
import {checkSizes, freshConfig, type ModelConfig, readConfig} from './config.js';
import {readExamples} from './data.js';
import {parseHyperparameters} from './hyperparameters.js';
import {initParams} from './model.js';
import {readWeights, writeModelFolder} from './model-folder.js';
import type {Example} from './network.js';
import {AdamW} from './optimizer.js';
import {ExamplePool, type Task} from './pool.js';
import {permutation, Rng} from './rng.js';
import {learningRate} from './schedule.js';
import {baseModelFolder} from './spec.js';
import {EMBEDDED_NUMERICS_VERSION} from './version.js';

export type Emit = (event: TrainerEvent) => void;

/** The examples of epoch `epoch` in order: a pure function of the seed and the epoch. */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  return permutation(n, new Rng(seed, 'order', epoch));
}

/**
 * Trains per the spec, printing events through `emit`; throws an Error whose message is fit for
 * an error event. `threads` never changes the result.
 */
export async function train(spec: TrainSpec, threads: number, emit: Emit): Promise<void> {
  if (spec.format !== 'chat') {
    throw new Error(
      `embedded trains chat data only; this dataset's format is ${JSON.stringify(spec.format)} (use a trainer that does preference tuning)`,
    );
  }
  const hp = parseHyperparameters(spec.hyperparameters);
  const baseFolder = baseModelFolder(spec.base_model);
  let config: ModelConfig;
  if (baseFolder === null) {
    config = freshConfig(hp);
  } else {
    config = readConfig(baseFolder);
    checkSizes(config, hp, baseFolder);
  }
  const maxSeqLen = hp.max_seq_len ?? config.n_ctx;
  const examples = readExamples(spec.train_file, maxSeqLen);
  if (examples.length === 0)
    throw new Error(`${spec.train_file} has no example with an assistant token to train on`);
  const validation =
    spec.validation_file === null ? [] : readExamples(spec.validation_file, maxSeqLen);

  const B = Math.min(hp.batch_size, examples.length);
  const perEpoch = Math.ceil(examples.length / B);
  const total = perEpoch * hp.n_epochs;
  const pool = new ExamplePool(config, B, Math.max(1, Math.min(threads, B)));
  try {
    const {lay, params} = pool;
    if (baseFolder === null) initParams(lay, spec.seed, params);
    else readWeights(baseFolder, lay, params);
    const opt = new AdamW(lay.size, pool.m, pool.v);
    const run = runIdentity(spec, config, hp);
    mkdirSync(spec.output_dir, {recursive: true});

    let step = 0;
    if (spec.resume_from !== null && spec.resume_from !== undefined) {
      step = readCheckpoint(spec.resume_from, lay, params, opt, run).step;
    }
    emit({type: 'start', total_steps: total});

    const evaluate = async (at: number) => {
      if (validation.length === 0) return undefined;
      const losses = await pool.run(validation.map((example) => ({example, slot: -1, scale: 0})));
      let sum = 0;
      let count = 0;
      validation.forEach((ex, i) => {
        sum += losses[i]!;
        count += ex.count;
      });
      const loss = sum / count;
      emit({type: 'eval', step: at, loss});
      return loss;
    };
    const checkpoint = (at: number) => {
      const path = writeCheckpoint(spec.output_dir, lay, params, opt, {
        step: at,
        total_steps: total,
        numerics_version: EMBEDDED_NUMERICS_VERSION,
        run,
      });
      emit({type: 'checkpoint', step: at, path});
      pruneCheckpoints(spec.output_dir, 2);
    };

    let order: number[] = [];
    let orderEpoch = -1;
    let lastLoss: number | undefined;
    let evalLoss: number | undefined;
    for (; step < total; step++) {
      const epoch = Math.floor(step / perEpoch);
      if (epoch !== orderEpoch) {
        order = epochOrder(examples.length, spec.seed, epoch);
        orderEpoch = epoch;
      }
      const b = step % perEpoch;
      const batch: Example[] = order.slice(b * B, (b + 1) * B).map((i) => examples[i]!);
      let count = 0;
      for (const ex of batch) count += ex.count;
      const tasks: Task[] = batch.map((example, slot) => ({example, slot, scale: 1 / count}));
      const losses = await pool.run(tasks);
      let lossSum = 0;
      for (const l of losses) lossSum += l;
      lastLoss = lossSum / count;
      const lr = learningRate(step, total, hp.warmup_ratio, hp.learning_rate);
      // Slots summed in slot order, clipped, AdamW: over fixed parameter ranges, in parallel.
      await pool.update(batch.length, step + 1, lr, hp.weight_decay, hp.grad_clip);
      const done = step + 1;
      emit({
        type: 'progress',
        step: done,
        total_steps: total,
        epoch: done / perEpoch,
        loss: lastLoss,
        lr,
      });
      const epochEnd = done % perEpoch === 0;
      if (epochEnd) evalLoss = await evaluate(done);
      if (epochEnd || (hp.checkpoint_every > 0 && done % hp.checkpoint_every === 0))
        checkpoint(done);
    }
    if (evalLoss === undefined && validation.length > 0) evalLoss = await evaluate(total);

    writeModelFolder(join(spec.output_dir, 'model'), lay, params);
    emit({type: 'artifact', name: 'model', path: 'model'});
    let tokensPerEpoch = 0;
    for (const ex of examples) tokensPerEpoch += ex.count;
    const metrics: Record<string, unknown> = {
      steps: total,
      examples: examples.length,
      tokens_trained: tokensPerEpoch * hp.n_epochs,
      parameters: lay.size,
    };
    if (lastLoss !== undefined) metrics.train_loss = lastLoss;
    if (evalLoss !== undefined) metrics.eval_loss = evalLoss;
    emit({type: 'done', metrics});
  } finally {
    await pool.close();
  }
}

/** A run's identity, kept in checkpoints so a resume refuses another run's. */
function runIdentity(spec: TrainSpec, config: ModelConfig, hp: unknown): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      config,
      hp,
      seed: spec.seed,
      base: spec.base_model,
      v: EMBEDDED_NUMERICS_VERSION,
    }),
  );
  h.update(readFileSync(spec.train_file));
  return h.digest('hex');
}
