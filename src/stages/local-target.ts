import {resolve} from 'node:path';
import {UserError} from '../core/diagnostic.js';
import {isEmbeddedModel, looksLikePath} from '../core/model-names.js';
import {stageId} from '../plan/stage-id.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import {RecipeLocator} from '../recipe/recipe-locator.js';
import type {LocalBackend} from '../recipe/recipe-types.js';
import {baseModelIdentity, hfHubCache, pinBaseModel} from '../train/base-model.js';
import {METRICS_OUTPUT} from '../train/local-training.js';
import type {BaseModel} from '../train/protocol.js';
import {commandTrainerIdentity, trainerArgv} from '../train/trainers/command.js';
import {
  EMBEDDED_ENV,
  embeddedTrainerArgv,
  embeddedTrainerIdentity,
} from '../train/trainers/embedded.js';
import {HF_ENV, HF_TRAINER_SCRIPT, hfTrainerCommand} from '../train/trainers/hf.js';
import type {StageContext} from './stage-definition.js';

/**
 * What a local target is beyond the recipe's words, shared by the stages that run its trainer
 * (train:<target> trains with it, generate:<model> answers with it): its base model's pin and
 * its trainer's command line and identity.
 */

/** A local target's base model: what enters the key, and how a trainer's spec names it. */
export interface LocalBase {
  readonly identity: unknown;
  spec(): Promise<BaseModel>;
}

/**
 * How a local target's base model is pinned, and what of it enters the key. Another target's
 * model (`{target: x}`) is keyed by the hashes of what train:x made and handed to the trainer as
 * its artifacts; ft's own `embedded:` models by name; anything else must be a folder or pinned
 * to a revision, or it is a recipe error at `backend.model` (exit 2): ft does not key a
 * training on a name whose weights can move.
 */
export async function baseModelOf(
  ctx: StageContext,
  target: NormalizedTarget,
): Promise<LocalBase | undefined> {
  const {backend} = target;
  if (backend.type !== 'local') return undefined;
  const {model} = backend;
  if (typeof model === 'object') {
    const from = stageId('train', model.target);
    const outputs = ctx.upstream.get(from)?.outputs;
    if (!outputs?.model) throw new Error(`${from} has no model for ${ctx.node.id} to start from`);
    const artifacts = Object.entries(outputs).filter(([name]) => name !== METRICS_OUTPUT);
    return {
      identity: {
        target: model.target,
        artifacts: Object.fromEntries(artifacts.map(([name, a]) => [name, a.hash])),
      },
      spec: async () => {
        const paths: Record<string, string> = {};
        for (const [name, a] of artifacts) paths[name] = await ctx.store.materialize(a.hash);
        return {name: from, artifacts: paths};
      },
    };
  }
  if (isEmbeddedModel(model)) return {identity: {embedded: model}, spec: async () => model};
  const pin = pinBaseModel(model, backend.revision, ctx.recipe.dir);
  if (pin.kind !== 'unpinned') {
    return {
      identity: await baseModelIdentity(pin, ctx.hashFiles),
      spec: async () =>
        pin.kind === 'folder' ? pin.path : {name: pin.name, revision: pin.revision},
    };
  }
  const locator = new RecipeLocator(resolve(process.cwd(), ctx.recipe.file), ctx.recipe.file);
  const path = locator.has(['targets', target.name])
    ? ['targets', target.name, 'backend', 'model']
    : ['backend', 'model'];
  throw new UserError([
    looksLikePath(model)
      ? locator.diagnostic('error', 'missing-file', path, `no such folder: ${model}`)
      : locator.diagnostic(
          'error',
          'recipe-rule',
          path,
          `base model '${model}' is not pinned: it is not a folder, the recipe gives no revision, and the Hugging Face cache (${hfHubCache()}) has no commit for it`,
          {
            hint: 'set backend.revision to a commit or tag, download it once (the cache then names its commit), or point model at a local folder',
          },
        ),
  ]);
}

/** What identifies the trainer of a local target beyond the recipe's words (see CommandTrainerIdentity). */
export async function trainerOf(ctx: StageContext, target: NormalizedTarget): Promise<unknown> {
  const {backend} = target;
  const trainer = backend.type === 'local' ? trainerProcess(backend, ctx.recipe.dir) : undefined;
  if (!trainer) return undefined;
  if (backend.type === 'local' && backend.trainer === 'embedded') return embeddedTrainerIdentity();
  return commandTrainerIdentity({
    command: trainer.shown,
    ...(trainer.infoArgv ? {infoArgv: trainer.infoArgv} : {}),
    ...(trainer.extraFiles ? {extraFiles: trainer.extraFiles} : {}),
    dir: ctx.recipe.dir,
    where: ctx.node.id,
    exec: ctx.exec,
    env: trainer.env,
    hashFile: ctx.hashFile,
    signal: ctx.signal,
  });
}

/**
 * How a local target's trainer runs: its argv, the command line its key and messages show, the
 * variables it gets, and for ft's own hf trainer the script (whose content enters the key) and
 * how `info` is asked (without the launcher); ft's embedded trainer runs in this Node.
 */
export function trainerProcess(
  backend: LocalBackend,
  dir: string,
):
  | {
      argv: string[];
      shown: readonly string[];
      env: readonly string[];
      infoArgv?: readonly string[];
      extraFiles?: Record<string, string>;
      deterministic?: boolean;
      recipeCode: boolean;
    }
  | undefined {
  if (backend.trainer === 'command' && backend.command) {
    return {
      argv: trainerArgv(backend.command, dir),
      shown: backend.command,
      env: backend.env ?? [],
      recipeCode: true,
    };
  }
  if (backend.trainer === 'embedded') {
    return {
      argv: embeddedTrainerArgv(),
      shown: ['ft', 'embedded-trainer'],
      env: [...EMBEDDED_ENV, ...(backend.env ?? [])],
      deterministic: true,
      recipeCode: false,
    };
  }
  if (backend.trainer === 'hf') {
    const {argv, shown, python} = hfTrainerCommand(backend, dir);
    return {
      argv,
      shown,
      env: [...HF_ENV, ...(backend.env ?? [])],
      infoArgv: [...python, HF_TRAINER_SCRIPT],
      extraFiles: {'hf_trainer.py': HF_TRAINER_SCRIPT},
      // GPU kernels do not promise the same bits twice: the store and lockfile keep the result.
      deterministic: false,
      recipeCode: true,
    };
  }
  return undefined;
}
