import type {Artifact} from '../core/artifact-store.js';
import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {SPLIT_FILES} from '../data/splits.js';
import type {EvalExample} from '../eval/scores.js';
import {stageId} from '../plan/stage-id.js';
import type {StageContext} from './stage-definition.js';

/** The evaluation split's file (for keys): `{test.jsonl: <hash>}`. */
export function evalSplit(ctx: StageContext): Record<string, Sha256> {
  const split = ctx.recipe.eval?.dataset ?? 'test';
  const dataset = ctx.upstream.get(stageId('dataset'))?.outputs;
  const file = dataset?.[SPLIT_FILES[split]];
  const ids = dataset?.[`${split}.ids`];
  return {
    ...(file ? {[SPLIT_FILES[split]]: file.hash} : {}),
    ...(ids ? {[`${split}.ids`]: ids.hash} : {}),
  };
}

/**
 * The examples of the evaluation split, each with a stable id (the id of the source record it
 * came from, as the dataset's `.ids` file says; `#2`, `#3`... for further examples of one
 * record), its prompt (the messages before the last assistant message; a preference pair's
 * input) and its reference (that message's content; the preferred output's).
 */
export function readEvalExamples(ctx: StageContext): EvalExample[] {
  const split = ctx.recipe.eval?.dataset ?? 'test';
  const files = evalSplit(ctx);
  const data = files[SPLIT_FILES[split]];
  if (!data) {
    throw new StageFailure(
      'bad-input',
      `the dataset has no ${split} split to evaluate on; give the split step a ${split} share, or set eval.dataset`,
    );
  }
  const lines = ctx.store.readText(data).split('\n').filter(Boolean);
  const idsHash = files[`${split}.ids`];
  const ids = idsHash ? ctx.store.readText(idsHash).split('\n').filter(Boolean) : [];
  const seen = new Map<string, number>();
  return lines.map((line, i) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    const source = ids[i] ?? String(i + 1);
    const count = (seen.get(source) ?? 0) + 1;
    seen.set(source, count);
    return {id: count === 1 ? source : `${source}#${count}`, ...promptAndReference(record)};
  });
}

function promptAndReference(record: Record<string, unknown>): {
  prompt: unknown[];
  reference: string;
} {
  const text = (content: unknown) =>
    typeof content === 'string' ? content : content == null ? '' : JSON.stringify(content);
  if (Array.isArray(record.messages)) {
    const messages = record.messages as {role?: unknown; content?: unknown}[];
    let last = messages.length;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]?.role === 'assistant') {
        last = i;
        break;
      }
    }
    return {prompt: messages.slice(0, last), reference: text(messages[last]?.content)};
  }
  const input = (record.input as {messages?: unknown[]} | undefined)?.messages ?? [];
  const preferred = (record.preferred_output as {content?: unknown}[] | undefined) ?? [];
  return {prompt: input, reference: text(preferred.at(-1)?.content)};
}

/** Each evaluated model's answers (its generate stage's `generations.jsonl`), by model name. */
export function generationFiles(ctx: StageContext): Record<string, Artifact> {
  const files: Record<string, Artifact> = {};
  for (const model of ctx.recipe.eval?.models ?? []) {
    const output = ctx.upstream.get(stageId('generate', model.name))?.outputs['generations.jsonl'];
    if (!output) throw new Error(`generate:${model.name} has no generations.jsonl`);
    files[model.name] = output;
  }
  return files;
}

/** Each evaluated model's answer to each example, in the examples' order, by model name. */
export function readGenerations(
  ctx: StageContext,
  examples: readonly EvalExample[],
): Record<string, string[]> {
  const answers: Record<string, string[]> = {};
  for (const [name, file] of Object.entries(generationFiles(ctx))) {
    const byId = new Map(
      ctx.store
        .readText(file.hash)
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as {id: string; output: string})
        .map((a) => [a.id, a.output]),
    );
    answers[name] = examples.map((e) => byId.get(e.id) ?? '');
  }
  return answers;
}
