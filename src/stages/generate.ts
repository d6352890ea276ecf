import {randomUUID} from 'node:crypto';
import {canonicalJson} from '../core/canonical-json.js';
import {error, UserError} from '../core/diagnostic.js';
import {execWhat, requireExec} from '../core/exec-policy.js';
import {type Sha256, sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {isPlainHttpToAnotherHost} from '../core/url-secrets.js';
import {answerWithChat, ChatError, type ChatParams, ModelGone} from '../eval/chat.js';
import {generateFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {EvalModel} from '../recipe/eval-settings.js';
import {generateLocally} from '../train/generate.js';
import {METRICS_OUTPUT, trainerGraceMs} from '../train/local-training.js';
import {evalSplit, readEvalExamples} from './eval-examples.js';
import {baseModelOf, trainerOf, trainerProcess} from './local-target.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

type TargetModel = Extract<EvalModel, {kind: 'target'}>;
type ApiModel = Extract<EvalModel, {kind: 'api'}>;

/** The model a generate stage runs, from the eval settings. */
function modelOf(ctx: StageContext): EvalModel {
  const model = ctx.recipe.eval?.models.find((m) => m.name === ctx.node.name);
  if (!model) throw new Error(`no eval model named ${ctx.node.name}`);
  return model;
}

function targetOf(ctx: StageContext, model: TargetModel) {
  const target = ctx.recipe.targets.find((t) => t.name === model.target);
  if (!target) throw new Error(`no target named ${model.target}`);
  return target;
}

/** The generation settings that change answers (not the model's name, not how it is called). */
function settings(ctx: StageContext) {
  const g = ctx.recipe.eval!.generation;
  // A seed changes nothing when answers are greedy: leave it out so that it does not rekey.
  return {
    max_tokens: g.max_tokens,
    temperature: g.temperature,
    ...(g.temperature > 0 ? {seed: g.seed} : {}),
  };
}

/** The trained model's artifacts (every output of its train stage but the curve), by hash. */
function trainedArtifacts(ctx: StageContext, model: TargetModel) {
  const outputs = ctx.upstream.get(stageId('train', model.target))?.outputs ?? {};
  return Object.entries(outputs).filter(([name]) => name !== METRICS_OUTPUT);
}

/** A `cache: false` model's key changes every build: nothing of it is ever reused. */
const THIS_BUILD = randomUUID();

/**
 * Who answers, for the key. A tuned model by its train stage's artifacts and a base model by
 * what pins it, each with the trainer that generates (its generate code is part of the answer);
 * an API model by its id and by what serves it: the revision of the weights when the recipe
 * gives one (wherever they are served), else its base URL.
 */
async function identity(ctx: StageContext, model: EvalModel): Promise<unknown> {
  if (model.kind === 'api') {
    return {
      api: model.baseUrl === undefined ? 'openai' : 'chat-completions',
      model: model.model,
      ...(model.revision !== undefined
        ? {revision: model.revision}
        : model.baseUrl !== undefined
          ? {base_url: keyedBaseUrl(model.baseUrl)}
          : {}),
      ...(model.cache ? {} : {uncached: THIS_BUILD}),
    };
  }
  const target = targetOf(ctx, model);
  if (target.backend.type === 'openai') {
    const remote = openAIModel(ctx, model);
    // An Azure deployment: the model it was told to serve and its name (not the resource's
    // endpoint, nor the API version: routing).
    if (remote.deployment !== undefined) {
      return {api: 'azure-deployment', model: remote.model, deployment: remote.deployment};
    }
    return identity(ctx, remote);
  }
  const trainer = await trainerOf(ctx, target);
  if (model.which === 'tuned') {
    const artifacts = Object.fromEntries(trainedArtifacts(ctx, model).map(([n, a]) => [n, a.hash]));
    return {tuned: artifacts, trainer};
  }
  return {base: (await baseModelOf(ctx, target))!.identity, trainer};
}

/**
 * A base URL as the key has it: without an `api-version` query parameter (Azure's: it picks the
 * API's request and response shapes, not the weights that answer), so moving to a newer API
 * version reuses every answer. Anything else in the URL, other query parameters included, is
 * kept: it may route to other weights. A URL without api-version is the recipe's string as it is.
 */
function keyedBaseUrl(baseUrl: string): string {
  const url = URL.parse(baseUrl);
  if (!url?.searchParams.has('api-version')) return baseUrl;
  url.searchParams.delete('api-version');
  return url.href;
}

/**
 * The model's identity, worked out once per stage of a build: the fingerprint needs it, and so
 * does the run (its answers are kept under it), and for a command trainer it asks `info`, a
 * process. Keyed by the stage's node, which the fingerprint's context and the run's share.
 */
const identities = new WeakMap<object, Promise<unknown>>();
export function identityOf(ctx: StageContext, model: EvalModel): Promise<unknown> {
  let known = identities.get(ctx.node);
  if (!known) {
    known = identity(ctx, model);
    identities.set(ctx.node, known);
  }
  return known;
}

/** One prompt to answer, under an id of the caller's. */
export interface Prompt {
  readonly id: string;
  readonly prompt: readonly unknown[];
}

/** What answerPrompts returns. */
export interface Answered {
  /** Each prompt's answer, by its id. */
  readonly answers: ReadonlyMap<string, string>;
  /** How many prompts were asked now (alike ones once); the rest came from the answer log. */
  readonly asked: number;
  /** The answer log the answers are kept in (`.ft/answers/<hex>.jsonl`). */
  readonly log: Sha256;
}

/** The answer log of a model (by its identity) answering with `params`. */
export function answerLogKey(who: unknown, params: Readonly<Record<string, unknown>>): Sha256 {
  return sha256(canonicalJson({kind: 'answers', model: who, params}));
}

/** The hash a prompt is kept under in an answer log. */
export function promptHash(prompt: unknown): string {
  return sha256(canonicalJson(prompt));
}

/**
 * A model answers prompts, the way every stage that asks a model does (generate, judge): each
 * answer is kept in the model's answer log, one line `{p: prompt hash, a: answer, ms?: its
 * latency}` per answer, whatever stage asked it, so a prompt asked before costs nothing, and only
 * what is new is asked: an API model `concurrency` at a time with retries, a target's model
 * through its trainer's `generate` in one call (which has no per-answer latency). A `cache:
 * false` model is asked everything, every build. The latency is kept beside the answer and never
 * in a stage's outputs.
 */
export async function answerPrompts(
  ctx: StageContext,
  model: EvalModel,
  prompts: readonly Prompt[],
  params: Readonly<ChatParams>,
): Promise<Answered> {
  const who = await identityOf(ctx, model);
  const reuse = model.kind !== 'api' || model.cache;
  // The model's answers so far, one line each, whatever example set asked them: an edited
  // example costs its own answer only.
  const log = answerLogKey(who, {...params});
  const known = new Map<string, string>();
  if (reuse) {
    for (const line of ctx.store.readAnswerLog(log)) {
      try {
        const {p, a} = JSON.parse(line) as {p: string; a: string};
        known.set(p, a);
      } catch {
        // a line another ft was writing when it died
      }
    }
  }
  const answers = new Map<string, string>();
  const hashes = new Map(prompts.map((e) => [e.id, promptHash(e.prompt)]));
  for (const e of prompts) {
    const answer = known.get(hashes.get(e.id)!);
    if (answer !== undefined) answers.set(e.id, answer);
  }
  // A prompt asked twice (two models' answers alike, for a judge) is asked once.
  const alike = new Map<string, Prompt[]>();
  for (const e of prompts) {
    if (answers.has(e.id)) continue;
    const hash = hashes.get(e.id)!;
    const same = alike.get(hash);
    if (same) same.push(e);
    else alike.set(hash, [e]);
  }
  const missing = [...alike.values()].map((same) => same[0]!);
  const keep: Keep = async (e, output, ms) => {
    for (const same of alike.get(hashes.get(e.id)!)!) answers.set(same.id, output);
    if (reuse) {
      const line = {p: hashes.get(e.id), a: output, ...(ms !== undefined ? {ms: round(ms)} : {})};
      await ctx.store.appendAnswerLog(log, JSON.stringify(line));
    }
  };
  if (missing.length > 0) {
    try {
      const remote =
        model.kind === 'api'
          ? model
          : targetOf(ctx, model).backend.type === 'openai'
            ? openAIModel(ctx, model)
            : undefined;
      if (remote) await answerThroughApi(ctx, remote, missing, params, keep);
      else await answerLocally(ctx, model as TargetModel, missing, params, keep);
    } finally {
      // What was answered is kept even when the rest failed or was interrupted.
      ctx.store.flushAnswerLogs();
    }
  }
  return {answers, asked: missing.length, log};
}

/** A latency as kept: to the hundredth of a millisecond. */
function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * generate:<model>: the model answers every example of the evaluation split. Keyed by the
 * model's identity, the examples and the generation settings; inside, each answer is also kept
 * by (model, settings, prompt) in the model's answer log (answerPrompts), so a changed example
 * costs only its own answer. Output: `generations.jsonl`, `{"id", "output"}` per example in the
 * split's order. Its summary names the answer log (`answer_log`), where the build finds each
 * answer's latency (eval/latency.ts).
 */
export const generateStage: StageDefinition = {
  async fingerprint(ctx) {
    const model = modelOf(ctx);
    return generateFingerprint(await identityOf(ctx, model), evalSplit(ctx), settings(ctx));
  },
  async run(ctx) {
    const model = modelOf(ctx);
    const examples = readEvalExamples(ctx);
    const {answers, asked, log} = await answerPrompts(ctx, model, examples, settings(ctx));
    const generations = await ctx.store.putBytes(
      examples.map((e) => `${canonicalJson({id: e.id, output: answers.get(e.id)!})}\n`).join(''),
    );
    return {
      outputs: {'generations.jsonl': generations},
      summary: {
        examples: examples.length,
        generated: asked,
        cached: examples.length - asked,
        answer_log: log,
      },
    };
  },
};

type Keep = (e: Prompt, output: string, ms?: number) => Promise<void>;

/** An API model a target's model answers as, with what only a target's model has. */
type RemoteModel = ApiModel & {
  /** The organization that trained it (finetune.lock), for a 404's message. */
  readonly trainedBy?: string;
  /** The Azure deployment that serves it, and the recipe field that names it. */
  readonly deployment?: string;
  readonly deploymentField?: string;
};

/**
 * An OpenAI target's model as the API answers it: `tuned`, the fine-tuned model its train stage
 * made (named in that stage's `model` output, which a clone rebuilds from the lockfile), or
 * `base`, the snapshot it was tuned from. Through the same API the target trains on (its
 * base_url); on Azure, through the deployment `backend.azure.deployments` names for it
 * (`{endpoint}/openai/deployments/{name}/chat/completions?api-version=…`, the key in `api-key`).
 */
function openAIModel(ctx: StageContext, model: TargetModel): RemoteModel {
  const {backend} = targetOf(ctx, model);
  if (backend.type !== 'openai') throw new Error(`${model.target} does not train on OpenAI`);
  let id = backend.model;
  let trainedBy: string | undefined;
  if (model.which === 'tuned') {
    const output = ctx.upstream.get(stageId('train', model.target))?.outputs.model;
    if (!output) throw new Error(`train:${model.target} has no model`);
    const named = JSON.parse(ctx.store.readText(output.hash)) as {
      fine_tuned_model?: unknown;
      organization_id?: unknown;
    };
    if (typeof named.fine_tuned_model !== 'string') {
      throw new Error(`train:${model.target}'s model names no fine-tuned model`);
    }
    id = named.fine_tuned_model;
    if (typeof named.organization_id === 'string' && named.organization_id !== '') {
      trainedBy = named.organization_id;
    }
  }
  if (backend.azure) {
    const several = ctx.recipe.targets.length > 1 || model.target !== 'default';
    const field = `${several ? `targets.${model.target}.` : ''}backend.azure.deployments.${model.which}`;
    const deployment = backend.azure.deployments?.[model.which];
    if (deployment === undefined) {
      // Not a recipe error: the model to deploy exists only once trained, and refusing the
      // recipe would refuse its training too. The build trains (and locks) it, then says this.
      throw new StageFailure(
        'backend-unavailable',
        `${ctx.node.id}: Azure OpenAI answers only from a deployment (a step ft does not take): deploy ${id} in Azure and set ${field} to the deployment's name`,
      );
    }
    const endpoint = backend.azure.endpoint.replace(/\/+$/, '');
    return {
      name: model.name,
      kind: 'api',
      model: id,
      baseUrl: `${endpoint}/openai/deployments/${encodeURIComponent(deployment)}?api-version=${encodeURIComponent(backend.azure.api_version)}`,
      apiKeyEnv: 'AZURE_OPENAI_API_KEY',
      apiKeyHeader: 'api-key',
      cache: true,
      deployment,
      deploymentField: field,
    };
  }
  return {
    name: model.name,
    kind: 'api',
    model: id,
    ...(backend.base_url !== undefined
      ? {baseUrl: backend.base_url, apiKeyEnv: 'OPENAI_API_KEY'}
      : {}),
    cache: true,
    ...(trainedBy !== undefined ? {trainedBy} : {}),
  };
}

/** A target's model answers through its trainer's `generate` (protocol v1), in one call. */
async function answerLocally(
  ctx: StageContext,
  model: TargetModel,
  missing: readonly Prompt[],
  params: Readonly<ChatParams>,
  keep: Keep,
): Promise<void> {
  const target = targetOf(ctx, model);
  const {backend} = target;
  const trainer = backend.type === 'local' ? trainerProcess(backend, ctx.recipe.dir) : undefined;
  if (!trainer) {
    throw new StageFailure(
      'backend-unavailable',
      `answers from the ${backend.type} backend's models are not available in this version of ft`,
    );
  }
  const key = ctx.key;
  if (!key) throw new Error('a generate stage runs with its key');
  const artifacts: Record<string, string> = {};
  if (model.which === 'tuned') {
    for (const [name, a] of trainedArtifacts(ctx, model)) {
      artifacts[name] = await ctx.store.materialize(a.hash);
    }
  }
  const outputs = await generateLocally(ctx, {
    stage: ctx.node.id,
    argv: trainer.argv,
    command: trainer.shown,
    recipeCode: trainer.recipeCode,
    cwd: ctx.recipe.dir,
    env: trainer.env,
    baseModel: await (await baseModelOf(ctx, target))!.spec(),
    artifacts: model.which === 'tuned' ? artifacts : null,
    inputs: missing.map((e) => ({id: e.id, messages: e.prompt})),
    params,
    workDir: ctx.store.workDir(key),
    graceMs: trainerGraceMs(),
  });
  for (const [i, e] of missing.entries()) await keep(e, outputs[i] as string);
}

/**
 * A model behind an OpenAI-compatible chat API answers prompt by prompt, `concurrency` at a
 * time; each answer is kept as it arrives, so a build that fails half-way pays only for the
 * rest next time. Its key comes from the variable the recipe names (OPENAI_API_KEY for the
 * OpenAI API), is sent over https or to loopback only, and is never written anywhere.
 */
async function answerThroughApi(
  ctx: StageContext,
  model: RemoteModel,
  missing: readonly Prompt[],
  params: Readonly<ChatParams>,
  keep: Keep,
): Promise<void> {
  const where = model.baseUrl ?? process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  requireExec(ctx.exec, ctx.node.id, execWhat.evalModel(model.name, where));
  const keyName = model.apiKeyEnv ?? (model.baseUrl === undefined ? 'OPENAI_API_KEY' : undefined);
  const apiKey = keyName === undefined ? undefined : process.env[keyName];
  if (keyName !== undefined && !apiKey) {
    throw new UserError([
      error(
        'usage',
        `${ctx.node.id}: ${keyName} is not set; the model ${model.model} needs its API key`,
      ),
    ]);
  }
  if (apiKey !== undefined && isPlainHttpToAnotherHost(new URL(where))) {
    throw new UserError([
      error(
        'usage',
        `${ctx.node.id}: ${where} is plain http to another host; ft sends an API key over https, or to loopback only`,
      ),
    ]);
  }
  let done = 0;
  const started = performance.now();
  try {
    await answerWithChat({
      endpoint: {
        model: model.model,
        ...(model.baseUrl !== undefined ? {baseUrl: model.baseUrl} : {}),
        ...(apiKey !== undefined ? {apiKey} : {}),
        ...(model.apiKeyHeader !== undefined ? {apiKeyHeader: model.apiKeyHeader} : {}),
        ...(model.headers !== undefined ? {headers: model.headers} : {}),
        ...(model.trainedBy !== undefined ? {trainedBy: model.trainedBy} : {}),
      },
      prompts: missing.map((e) => e.prompt),
      params,
      concurrency: ctx.recipe.eval!.generation.concurrency,
      signal: ctx.signal,
      onAnswer: async (index, answer, ms) => {
        await keep(missing[index]!, answer, ms);
        done++;
        // A progress event per hundredth, not per answer: thousands a minute would flood --json.
        const step = Math.max(1, Math.floor(missing.length / 100));
        if (done % step === 0 || done === missing.length) {
          const perSecond = done / Math.max(0.001, (performance.now() - started) / 1000);
          ctx.progress(
            `answered ${done}/${missing.length}, ${Math.round(perSecond)} requests/s`,
            done,
            missing.length,
          );
        }
      },
    });
  } catch (e) {
    ctx.signal.throwIfAborted();
    if (e instanceof ModelGone)
      throw new StageFailure('backend-failed', `${ctx.node.id}: ${e.message}`);
    if (e instanceof ChatError && e.status === 404 && model.deployment !== undefined) {
      const request = e.requestId ? ` (request id ${e.requestId})` : '';
      throw new StageFailure(
        'backend-failed',
        `${ctx.node.id}: Azure knows no deployment ${model.deployment} (${e.message}${request}); deploy ${model.model} in Azure under that name, or set ${model.deploymentField} to the deployment that serves it; ${done} of ${missing.length} answers were kept`,
      );
    }
    if (e instanceof ChatError) {
      const request = e.requestId ? ` (request id ${e.requestId})` : '';
      throw new StageFailure(
        'backend-failed',
        `${model.model} at ${where} answered ${e.status ?? 'nothing'}: ${e.message}${request}; ${done} of ${missing.length} answers were kept`,
      );
    }
    throw e;
  }
}
