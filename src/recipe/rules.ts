import {existsSync, statSync} from 'node:fs';
import {resolve} from 'node:path';
import type {Diagnostic} from '../core/diagnostic.js';
import type {MetricType} from '../core/eval-types.js';
import {hasGlobMatch, isGlob} from '../core/glob.js';
import {EMBEDDED_MODELS, isEmbeddedModel, looksLikePath} from '../core/model-names.js';
import {formatPath, type PathSegment} from '../core/path-syntax.js';
import {suggest} from '../core/suggest.js';
import {isPlainHttpToAnotherHost, secretQueryParameters} from '../core/url-secrets.js';
import {
  canonicalMetric,
  evalModel,
  gateModelName,
  isTargetRef,
  resolveModel,
} from './eval-settings.js';
import {METRIC_OPTIONS, REQUIRED_OPTIONS} from './metric-options.js';
import {formatFromName} from './normalized.js';
import {diagnosticAt, type RecipeText} from './recipe-text.js';
import type {EvalEndpoint} from './recipe-types.js';
import {findTemplateProblem} from './template-syntax.js';

type Data = Record<string, unknown>;
const isRecord = (v: unknown): v is Data =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks the schema cannot express. They run even when the schema found problems (guarding
 * each value's type, since it may be wrong), so one run reports everything.
 */
export function checkRules(source: RecipeText, data: unknown, dir: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  if (!isRecord(data)) return problems;
  /** At the key that introduces `path` (for mappings), or at the value with at: 'value'. */
  const at = (
    path: PathSegment[],
    message: string,
    where: 'key' | 'value' = 'key',
    hint?: string,
  ) =>
    problems.push(
      diagnosticAt(source, 'recipe-rule', path, message, {
        ...(where === 'key' ? {at: 'key' as const} : {}),
        ...(hint ? {hint} : {}),
      }),
    );

  if (isRecord(data.sources)) {
    for (const [name, s] of Object.entries(data.sources)) {
      if (isRecord(s)) checkSource(['sources', name], s, dir, at, problems, source);
    }
  }
  if (Array.isArray(data.transforms)) checkTransforms(data.transforms, dir, at, problems, source);

  if (data.backend !== undefined && data.targets !== undefined) {
    at(['targets'], 'use either a top-level backend (one target) or targets, not both');
  }
  if (data.hyperparameters !== undefined && data.targets !== undefined) {
    at(['hyperparameters'], 'with targets, set hyperparameters inside each target');
  }
  if (
    data.hyperparameters !== undefined &&
    data.backend === undefined &&
    data.targets === undefined
  ) {
    at(['hyperparameters'], 'hyperparameters need a backend');
  }
  if (
    isRecord(data.eval) &&
    data.backend === undefined &&
    data.targets === undefined &&
    !Array.isArray(data.eval.models)
  ) {
    at(
      ['eval'],
      'eval without a backend or targets needs models to evaluate: model ids or endpoints',
      'key',
      'e.g. models: [gpt-4o-mini-2024-07-18] or models: [{name: mine, base_url: http://localhost:8000/v1, model: x}]',
    );
  }
  const hyperparameterSets: [PathSegment[], unknown][] = [
    [['hyperparameters'], data.hyperparameters],
  ];
  if (isRecord(data.targets)) {
    for (const [name, t] of Object.entries(data.targets)) {
      if (isRecord(t))
        hyperparameterSets.push([['targets', name, 'hyperparameters'], t.hyperparameters]);
    }
  }
  for (const [path, h] of hyperparameterSets) {
    if (isRecord(h) && h.epochs !== undefined && h.n_epochs !== undefined) {
      at([...path, 'epochs'], 'epochs is an alias of n_epochs; set only one');
    }
  }
  const backends: [PathSegment[], unknown][] = [[['backend'], data.backend]];
  if (isRecord(data.targets)) {
    for (const [name, t] of Object.entries(data.targets)) {
      if (isRecord(t)) backends.push([['targets', name, 'backend'], t.backend]);
    }
  }
  for (const [path, b] of backends) {
    if (isRecord(b)) checkLocalBackend(path, b, dir, at);
    if (isRecord(b) && b.type === 'openai') checkOpenAIBackend(path, b, at);
  }
  const targets: [PathSegment[], unknown, unknown][] = [
    [['hyperparameters'], data.hyperparameters, data.backend],
  ];
  if (isRecord(data.targets)) {
    for (const [name, t] of Object.entries(data.targets)) {
      if (isRecord(t))
        targets.push([['targets', name, 'hyperparameters'], t.hyperparameters, t.backend]);
    }
  }
  for (const [path, h, b] of targets) {
    if (isRecord(h) && isRecord(b)) checkHyperparameterNames(path, h, b, at);
    if (isRecord(h) && isRecord(b)) checkHyperparameterValues(path, h, b, at);
  }
  checkModelTargets(data, at);
  if (isRecord(data.eval)) checkEval(data, data.eval, at);
  return problems;
}

/**
 * The eval section's names: a `tuned`/`base` reference names a target (plain `tuned` and `base`
 * only where there is one), model names are unique, an endpoint's key never goes over plain
 * http to another host, and each gate names a metric the eval computes and models it runs,
 * with one kind of condition.
 */
function checkEval(data: Data, evaluation: Data, at: At): void {
  const targets = isRecord(data.targets)
    ? Object.keys(data.targets)
    : data.backend !== undefined
      ? ['default']
      : [];
  const entries = Array.isArray(evaluation.models)
    ? evaluation.models
    : targets.map((t) => (targets.length === 1 ? 'tuned' : `tuned:${t}`));
  const names = new Map<string, number>();
  entries.forEach((entry: unknown, i) => {
    const path = ['eval', 'models', i];
    if (typeof entry === 'string' && isTargetRef(entry) && !resolveModel(entry, targets)) {
      const target = entry.split(':')[1];
      const near = target === undefined ? undefined : suggest(target, targets);
      at(
        path,
        targets.length === 0
          ? `'${entry}' names a trained model, and the recipe trains none (it has no backend or targets)`
          : target === undefined
            ? `'${entry}' is ambiguous: the recipe has ${targets.length} targets (${targets.join(', ')}); name one, e.g. ${entry}:${targets[0]}`
            : `no target named '${target}' (the targets are ${targets.join(', ')})`,
        'value',
        near ? `did you mean '${entry.split(':')[0]}:${near}'?` : undefined,
      );
      return;
    }
    if (!(typeof entry === 'string' || isRecord(entry))) return;
    const model = evalModel(entry as string | EvalEndpoint, targets);
    if (!model) return;
    if (names.has(model.name)) {
      at(
        isRecord(entry) ? [...path, 'name'] : path,
        `two models are named ${model.name} (models[${names.get(model.name)}] and models[${i}])`,
        'value',
      );
    }
    names.set(model.name, i);
    if (isRecord(entry)) checkEndpointKey(entry, path, at);
  });
  const metrics = new Set<string>();
  const latencies = new Set<string>();
  (Array.isArray(evaluation.metrics) ? evaluation.metrics : []).forEach((m: unknown, i) => {
    const path = ['eval', 'metrics', i];
    if (typeof m === 'string') {
      if (metrics.has(canonicalMetric(m))) at(path, `metric ${m} is listed twice`, 'value');
      metrics.add(canonicalMetric(m));
      if (m === 'latency') latencies.add(m);
      return;
    }
    if (!isRecord(m) || typeof m.type !== 'string') return; // the schema's
    const id = typeof m.id === 'string' ? m.id : m.type;
    if (metrics.has(id)) {
      at(
        m.id === undefined ? [...path, 'type'] : [...path, 'id'],
        `two metrics have the id ${id}; give each configuration its own id`,
        'value',
      );
    }
    metrics.add(id);
    const checks = METRIC_OPTIONS[m.type as MetricType];
    if (!checks) return;
    const options = isRecord(m.options) ? m.options : {};
    for (const required of REQUIRED_OPTIONS[m.type as MetricType] ?? []) {
      if (options[required] === undefined) {
        at(
          isRecord(m.options) ? [...path, 'options'] : path,
          `${m.type} needs options.${required}`,
        );
      }
    }
    for (const [key, value] of Object.entries(options)) {
      const check = checks[key];
      if (!check) {
        const known = Object.keys(checks);
        at(
          [...path, 'options', key],
          known.length === 0
            ? `${m.type} takes no options`
            : `${m.type} takes no option '${key}' (it takes ${known.join(', ')})`,
        );
        continue;
      }
      const problem = check(value);
      if (problem) at([...path, 'options', key], `${m.type} options.${key} ${problem}`, 'value');
    }
    if (m.type === 'llm_judge')
      checkJudge(data, options.judge, [...path, 'options', 'judge'], names, targets, at);
    if (m.type === 'latency') latencies.add(id);
  });
  const gates = Array.isArray(evaluation.gates) ? evaluation.gates : [];
  gates.forEach((g, i) => {
    if (!isRecord(g)) return;
    const path = ['eval', 'gates', i];
    if (typeof g.metric === 'string' && !metrics.has(canonicalMetric(g.metric))) {
      at([...path, 'metric'], `gate on ${g.metric}, which eval.metrics does not compute`, 'value');
    }
    const comparison = g.better !== undefined || g.than !== undefined;
    if (
      typeof g.metric === 'string' &&
      latencies.has(g.metric) &&
      (comparison || g.max_drop !== undefined)
    ) {
      at(
        [...path, comparison ? (g.better !== undefined ? 'better' : 'than') : 'max_drop'],
        `latency is measured after the build and never locked: a gate on it is a bound (min/max), not ${comparison ? 'a comparison' : 'a regression check'}`,
      );
    }
    if (g.max_drop !== undefined) {
      for (const key of ['min', 'max', 'better', 'than', 'by']) {
        if (g[key] !== undefined) {
          at(
            [...path, key],
            `${key} does not go with max_drop (a regression check against the baseline)`,
          );
        }
      }
    } else if (comparison) {
      for (const key of ['model', 'min', 'max']) {
        if (g[key] !== undefined) {
          at([...path, key], `${key} belongs to a bound; this gate compares (better/than)`);
        }
      }
      for (const key of ['better', 'than']) {
        if (g[key] === undefined) {
          at(path, `a comparison gate needs both better and than (${key} is missing)`);
        }
      }
      if (g.better !== undefined && g.better === g.than) {
        at([...path, 'than'], 'a model cannot be better than itself', 'value');
      }
    } else {
      for (const key of ['by', 'significant']) {
        if (g[key] !== undefined)
          at([...path, key], `${key} belongs to a comparison (better/than)`);
      }
      if (g.min === undefined && g.max === undefined) {
        at(path, 'a gate needs min or max (a bound), or better and than (a comparison)');
      }
    }
    for (const key of ['model', 'better', 'than']) {
      const ref = g[key] ?? (key === 'model' && !comparison ? 'tuned' : undefined);
      if (typeof ref !== 'string') continue;
      if (isTargetRef(ref) && !resolveModel(ref, targets)) continue; // reported at models
      if (!names.has(gateModelName(ref, targets))) {
        at(
          g[key] === undefined ? path : [...path, key],
          `gate on model ${ref}, which eval.models does not run (it runs ${[...names.keys()].join(', ') || 'none'})`,
          g[key] === undefined ? 'key' : 'value',
        );
      }
    }
  });
}

/**
 * An endpoint's key never goes over plain http to another host; an `api_key_header` has a key to
 * carry, and `headers` does not set that header too.
 */
function checkEndpointKey(entry: Data, path: PathSegment[], at: At): void {
  if (typeof entry.api_key_header === 'string') {
    if (typeof entry.base_url === 'string' && entry.api_key_env === undefined) {
      at(
        [...path, 'api_key_header'],
        'api_key_header names the header that carries the key, and this endpoint has none: name its variable in api_key_env',
      );
    }
    const header = entry.api_key_header.toLowerCase();
    const twice = isRecord(entry.headers)
      ? Object.keys(entry.headers).find((h) => h.toLowerCase() === header)
      : undefined;
    if (twice !== undefined) {
      at(
        [...path, 'headers', twice],
        `${twice} carries the key (api_key_header); the key comes from api_key_env, never from the recipe`,
        'key',
      );
    }
  }
  if (typeof entry.base_url !== 'string' || entry.api_key_env === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(entry.base_url);
  } catch {
    at([...path, 'base_url'], `not a URL: ${entry.base_url}`, 'value');
  }
  if (url && isPlainHttpToAnotherHost(url)) {
    at(
      [...path, 'api_key_env'],
      `its key would go over plain http to ${url.host}; use https (plain http is for loopback only)`,
    );
  }
}

/** What a literal OpenAI model id starts with (a judge that is none of these is a typo). */
const OPENAI_ID = /^(ft:|gpt-|chatgpt-|o\d|davinci-|babbage-)/;

/**
 * An llm_judge's judge is a model in the forms of eval.models: the name of one it lists, a
 * `tuned`/`base` reference to a target, an OpenAI model id, or an endpoint (whose shape the
 * metric's option checks have seen). Any other string is a name nobody defines.
 */
function checkJudge(
  _data: Data,
  judge: unknown,
  path: PathSegment[],
  names: ReadonlyMap<string, number>,
  targets: readonly string[],
  at: At,
): void {
  if (isRecord(judge)) {
    checkEndpointKey(judge, path, at);
    return;
  }
  if (typeof judge !== 'string' || judge === '' || names.has(judge)) return;
  if (isTargetRef(judge)) {
    if (resolveModel(judge, targets)) return;
    at(
      path,
      targets.length === 0
        ? `the judge '${judge}' names a trained model, and the recipe trains none`
        : `the judge '${judge}' names no target of the recipe (the targets are ${targets.join(', ')}${judge.includes(':') ? '' : `; name one, e.g. ${judge}:${targets[0]}`})`,
      'value',
    );
    return;
  }
  if (OPENAI_ID.test(judge)) return;
  const near = suggest(judge, [...names.keys()]);
  at(
    path,
    `unknown judge '${judge}': not a model of eval.models (${[...names.keys()].join(', ') || 'none'}), a tuned/base reference, nor an OpenAI model id; another endpoint is {name, base_url, model}`,
    'value',
    near ? `did you mean '${near}'?` : undefined,
  );
}

/**
 * `model: {target: <name>}` tunes another target's model further: the name must be another
 * local target of this recipe, and the chain must not loop. ft's hf trainer starts from a hub
 * model or a folder only.
 */
function checkModelTargets(data: Data, at: At): void {
  if (isRecord(data.backend) && isRecord(data.backend.model)) {
    at(
      ['backend', 'model'],
      'model: {target: ...} names another target of the recipe, and a recipe with a top-level backend has only one; use targets',
    );
  }
  if (!isRecord(data.targets)) return;
  const targets = data.targets;
  const startsFrom = (name: string): string | undefined => {
    const t = targets[name];
    const b = isRecord(t) ? t.backend : undefined;
    const m = isRecord(b) ? b.model : undefined;
    return isRecord(m) && typeof m.target === 'string' ? m.target : undefined;
  };
  for (const [name, t] of Object.entries(targets)) {
    const from = startsFrom(name);
    if (from === undefined || !isRecord(t) || !isRecord(t.backend)) continue;
    const path = ['targets', name, 'backend', 'model', 'target'];
    const other = targets[from];
    if (from === name) {
      at(path, `target ${name} cannot start from its own model`, 'value');
    } else if (!isRecord(other)) {
      const near = suggest(from, Object.keys(targets));
      at(
        path,
        `no target named '${from}' (the targets are ${Object.keys(targets).join(', ')})`,
        'value',
        near ? `did you mean '${near}'?` : undefined,
      );
    } else if (!isRecord(other.backend) || other.backend.type !== 'local') {
      at(
        path,
        `target ${from} trains on OpenAI; a local trainer cannot start from its model`,
        'value',
      );
    } else if (t.backend.trainer === 'hf') {
      at(
        path,
        "trainer hf starts from a hub model or a folder, not from another target's model",
        'value',
        'export that target (ft export train:<name> --out <dir>) and point model at the folder',
      );
    } else {
      // A loop: following the chain from here comes back to this target.
      const seen = [name];
      for (let next: string | undefined = from; next !== undefined; next = startsFrom(next)) {
        if (next === name) {
          at(
            path,
            `targets start from each other's models in a loop: ${[...seen, name].join(' -> ')}`,
            'value',
          );
          break;
        }
        if (seen.includes(next)) break;
        seen.push(next);
      }
    }
  }
}

/**
 * Dated snapshots OpenAI fine-tunes (SPEC.md section 2, "Fine-tunable models"). An undated alias
 * (`gpt-4o-mini`) is refused with the snapshots it could mean: OpenAI resolves an alias to
 * whatever snapshot it likes that day, and the train key must name what is trained.
 */
export const OPENAI_SNAPSHOTS: readonly string[] = [
  'gpt-4.1-2025-04-14',
  'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano-2025-04-14',
  'gpt-4o-2024-08-06',
  'gpt-4o-mini-2024-07-18',
  'gpt-4-0613',
  'gpt-3.5-turbo-0125',
  'gpt-3.5-turbo-1106',
  'gpt-3.5-turbo-0613',
  'o4-mini-2025-04-16',
];

/** The snapshots an undated alias may stand for (`gpt-4o` -> gpt-4o-2024-08-06), or []. */
export function snapshotsOfAlias(model: string): string[] {
  return OPENAI_SNAPSHOTS.filter(
    (s) =>
      s.startsWith(`${model}-`) && /^(\d{4}-\d{2}-\d{2}|\d{4})$/.test(s.slice(model.length + 1)),
  );
}

/** An openai backend names a dated snapshot (or an `ft:` model), never a moving alias. */
function checkOpenAIBackend(path: PathSegment[], b: Record<string, unknown>, at: At): void {
  if (typeof b.model !== 'string') return;
  const snapshots = snapshotsOfAlias(b.model);
  if (snapshots.length > 0) {
    at(
      [...path, 'model'],
      `'${b.model}' is an undated alias, which OpenAI may point at another snapshot at any time; name a dated snapshot: ${snapshots.join(', ')}`,
      'value',
      `e.g. model: ${snapshots[0]}`,
    );
  }
}

/**
 * The API's ranges for OpenAI's hyperparameters (SPEC.md section 1.3), beyond the schema's
 * types; `"auto"` is OpenAI's and applies to no local trainer; beta is DPO's.
 */
function checkHyperparameterValues(
  path: PathSegment[],
  h: Record<string, unknown>,
  b: Record<string, unknown>,
  at: At,
): void {
  if (b.type !== 'openai') {
    for (const [name, value] of Object.entries(h)) {
      if (value === 'auto') {
        at(
          [...path, name],
          '"auto" is OpenAI\'s; a local trainer takes a number (or leave it unset for its default)',
        );
      }
    }
    return;
  }
  const max: Record<string, number> = {n_epochs: 50, epochs: 50, batch_size: 256};
  for (const [name, limit] of Object.entries(max)) {
    const value = h[name];
    if (typeof value === 'number' && value > limit) {
      at([...path, name], `${name} is at most ${limit} on OpenAI (got ${value})`);
    }
  }
  if (h.beta !== undefined && (b.method ?? 'supervised') !== 'dpo') {
    at(
      [...path, 'beta'],
      'beta applies to method dpo only',
      'key',
      'set backend.method: dpo, or remove beta',
    );
  }
}

/** A path (./x, /x, ~) or the name of a folder beside the recipe: not a hub name. */
function looksLikeFolder(model: string, dir: string): boolean {
  if (looksLikePath(model)) return true;
  const folder = resolve(dir, model);
  return existsSync(folder) && statSync(folder).isDirectory();
}

/** The hyperparameters each backend or local trainer takes (a command trainer takes any). */
const SHARED_LOCAL = [
  'n_epochs',
  'epochs',
  'batch_size',
  'learning_rate',
  'max_seq_len',
  'warmup_ratio',
  'weight_decay',
];
const HYPERPARAMETERS: Record<'openai' | 'embedded' | 'hf', readonly string[]> = {
  openai: ['n_epochs', 'epochs', 'batch_size', 'learning_rate_multiplier', 'beta'],
  embedded: [
    ...SHARED_LOCAL,
    'grad_clip',
    'checkpoint_every',
    'n_layer',
    'd_model',
    'n_head',
    'd_ff',
  ],
  hf: [...SHARED_LOCAL, 'gradient_accumulation_steps', 'adapter', 'lora', 'chat_template'],
};

/**
 * Names the target's backend does not take. The schema lists every known name with its type,
 * but which of them apply depends on a sibling (the backend and its trainer), and a command
 * trainer takes names ft does not know at all: so this rule, with a message at the name.
 */
function checkHyperparameterNames(
  path: PathSegment[],
  h: Record<string, unknown>,
  b: Record<string, unknown>,
  at: At,
): void {
  if (b.type === 'local' && b.trainer === 'command') return;
  const kind =
    b.type === 'openai'
      ? 'openai'
      : b.type === 'local' && (b.trainer ?? 'embedded') === 'embedded'
        ? 'embedded'
        : b.type === 'local' && b.trainer === 'hf'
          ? 'hf'
          : undefined;
  if (!kind) return;
  const known = HYPERPARAMETERS[kind];
  const what = kind === 'openai' ? 'the openai backend' : `trainer ${kind}`;
  const takes = `it takes ${known.filter((n) => n !== 'epochs').join(', ')}`;
  for (const name of Object.keys(h)) {
    if (known.includes(name)) continue;
    const owner = (['openai', 'embedded', 'hf'] as const).find((k) =>
      HYPERPARAMETERS[k].includes(name),
    );
    const near = suggest(name, known);
    at(
      [...path, name],
      owner
        ? `${name} does not apply to ${what} (${takes})`
        : `unknown hyperparameter '${name}' for ${what} (${takes})`,
      'key',
      owner === 'openai'
        ? "that is OpenAI's; local trainers take learning_rate"
        : owner
          ? kind === 'openai'
            ? 'that is for local trainers'
            : `that is for trainer ${owner}`
          : near
            ? `did you mean '${near}'?`
            : kind !== 'openai'
              ? 'a command trainer (trainer: command) takes any name'
              : undefined,
    );
  }
  if (kind === 'hf' && h.adapter === 'none' && h.lora !== undefined) {
    at(
      [...path, 'lora'],
      'lora settings apply to adapter lora or qlora, not none (full fine-tuning)',
    );
  }
  if (
    kind === 'embedded' &&
    Number.isSafeInteger(h.d_model) &&
    Number.isSafeInteger(h.n_head) &&
    (h.d_model as number) % (h.n_head as number) !== 0
  ) {
    at(
      [...path, 'n_head'],
      `d_model (${String(h.d_model)}) must be a multiple of n_head (${String(h.n_head)})`,
      'value',
    );
  }
}

/**
 * The options of a local backend that belong to one trainer only: the schema cannot say so with
 * located messages, and a recipe must never validate and then fail at build time.
 */
function checkLocalBackend(
  path: PathSegment[],
  b: Record<string, unknown>,
  dir: string,
  at: At,
): void {
  if (b.type !== 'local') return;
  const trainer = b.trainer ?? 'embedded';
  // An unknown trainer is the schema's error already.
  if (!['embedded', 'hf', 'command'].includes(String(trainer))) return;
  if (trainer === 'command' && b.command === undefined) {
    at(
      [...path, 'trainer'],
      'trainer: command needs `command`, the executable that speaks the trainer protocol',
      'value',
      'e.g. command: [python3, train.py]',
    );
  }
  if (trainer !== 'command' && b.command !== undefined) {
    at([...path, 'command'], `command applies to trainer: command, not ${String(trainer)}`);
  }
  for (const key of ['python', 'launcher']) {
    if (trainer !== 'hf' && b[key] !== undefined) {
      at([...path, key], `${key} applies to trainer: hf, not ${String(trainer)}`);
    }
  }
  const model = b.model;
  if (typeof model !== 'string') return;
  if (isEmbeddedModel(model)) {
    if (trainer !== 'embedded') {
      at(
        [...path, 'model'],
        `${model} is a model of trainer embedded, not ${String(trainer)}`,
        'value',
      );
    } else if (!EMBEDDED_MODELS.includes(model)) {
      const near = suggest(model, EMBEDDED_MODELS);
      at(
        [...path, 'model'],
        `unknown embedded model '${model}' (there is ${EMBEDDED_MODELS.join(', ')})`,
        'value',
        near ? `did you mean '${near}'?` : undefined,
      );
    }
  } else if (trainer === 'embedded' && !looksLikeFolder(model, dir)) {
    at(
      [...path, 'model'],
      `trainer embedded trains ft's own small models, not '${model}': use embedded:tiny, a folder an embedded training wrote (ft export), or {target: <name>}`,
      'value',
      'for a hub model, use trainer: hf',
    );
  }
}

type At = (path: PathSegment[], message: string, where?: 'key' | 'value', hint?: string) => void;

function checkSource(
  path: PathSegment[],
  s: Data,
  dir: string,
  at: At,
  problems: Diagnostic[],
  text: RecipeText,
): void {
  const kinds = (['path', 'url', 'examples'] as const).filter((k) => s[k] !== undefined);
  const kind = kinds[0];
  if (kind === undefined || kinds.length !== 1) {
    at(
      path,
      `${formatPath(path)} needs exactly one of path, url or examples${kinds.length > 1 ? ` (found ${kinds.join(', ')})` : ''}`,
    );
    return;
  }
  if (kind !== 'url') {
    for (const key of ['sha256', 'auth_env', 'auth_header', 'auth_scheme']) {
      if (s[key] !== undefined) at([...path, key], `${key} only applies to url sources`);
    }
  }
  if (kind === 'examples') {
    for (const key of ['format', 'delimiter']) {
      if (s[key] !== undefined) at([...path, key], `${key} does not apply to inline examples`);
    }
    return;
  }
  let name: string | undefined;
  if (kind === 'url' && typeof s.url === 'string') {
    if (s.sha256 === undefined) {
      at(
        path,
        'a url source needs sha256, the hash of the bytes it must deliver',
        'key',
        'compute it with `sha256sum` on a copy you trust',
      );
    }
    let parsed: URL;
    try {
      parsed = new URL(s.url);
    } catch {
      at([...path, 'url'], `not a valid URL: ${s.url}`, 'value');
      return;
    }
    if (parsed.username || parsed.password) {
      at(
        [...path, 'url'],
        'credentials in a URL would reach keys, logs and the lockfile; put the token in an environment variable and name it in auth_env',
        'value',
      );
    }
    const secrets = secretQueryParameters(parsed);
    if (secrets.length > 0) {
      at(
        [...path, 'url'],
        `a token in the URL's query (${secrets.map((n) => `?${n}=`).join(', ')}) would reach keys, logs and the lockfile; put the token in an environment variable and name it in auth_env`,
        'value',
        'signed URLs (S3, GCS, Azure SAS) expire and carry their credential in the query: serve the file where a header can authorize it',
      );
    }
    if (s.auth_env !== undefined && isPlainHttpToAnotherHost(parsed)) {
      at(
        [...path, 'url'],
        `auth_env would send the token over plain http to ${parsed.host}; use https (plain http is allowed only to this machine: localhost, 127.0.0.1, [::1])`,
        'value',
      );
    }
    name = parsed.pathname;
  }
  if (kind === 'path' && typeof s.path === 'string' && s.path !== '') {
    if (isGlob(s.path)) {
      if (!hasGlobMatch(dir, s.path)) {
        problems.push(
          diagnosticAt(text, 'missing-file', [...path, 'path'], `no files match ${s.path}`),
        );
      }
    } else {
      const file = resolve(dir, s.path);
      const problem = !existsSync(file)
        ? `no such file: ${s.path}`
        : !statSync(file).isFile()
          ? `not a file: ${s.path}`
          : undefined;
      if (problem) problems.push(diagnosticAt(text, 'missing-file', [...path, 'path'], problem));
      name = s.path;
    }
  }
  const format =
    typeof s.format === 'string' ? s.format : name !== undefined ? formatFromName(name) : undefined;
  if (format === undefined && name !== undefined && s.format === undefined) {
    at(
      [...path, kind],
      `cannot tell the format of ${name} from its name; set format (jsonl, json or csv)`,
      'value',
    );
  }
  if (s.delimiter !== undefined && format !== undefined && format !== 'csv') {
    at([...path, 'delimiter'], `delimiter only applies to csv, and this source is ${format}`);
  }
}

function checkTransforms(
  steps: unknown[],
  dir: string,
  at: At,
  problems: Diagnostic[],
  text: RecipeText,
): void {
  let splitIndex: number | undefined;
  steps.forEach((step: unknown, i) => {
    if (!isRecord(step)) return;
    const here = (name: string, ...rest: PathSegment[]): PathSegment[] => [
      'transforms',
      i,
      name,
      ...rest,
    ];
    if (isRecord(step.split)) {
      if (splitIndex !== undefined) {
        at(here('split'), `only one split is allowed (first at transforms[${splitIndex}])`);
      }
      splitIndex ??= i;
      const {validation = 0, test = 0} = step.split;
      if (typeof validation === 'number' && typeof test === 'number' && validation + test >= 1) {
        at(
          here('split'),
          `validation + test must leave examples for training (${validation} + ${test} >= 1)`,
        );
      }
    }
    for (const name of ['dedupe', 'split'] as const) {
      const options = step[name];
      if (isRecord(options) && options.missing !== undefined && options.by === undefined) {
        at(
          here(name, 'missing'),
          `${name}: missing says what a record without a \`by\` field does; there is no \`by\``,
        );
      }
    }
    if (isRecord(step.dedupe) && splitIndex !== undefined) {
      at(
        here('dedupe'),
        `dedupe after split (transforms[${splitIndex}]) would let duplicates leak across splits`,
        'key',
        'move dedupe before split',
      );
    }
    const templated: [PathSegment[], unknown][] = [];
    if (isRecord(step.template)) {
      const t = step.template;
      for (const role of ['system', 'user', 'assistant'])
        templated.push([here('template', role), t[role]]);
      if (Array.isArray(t.messages)) {
        t.messages.forEach((m: unknown, k) => {
          if (isRecord(m)) templated.push([here('template', 'messages', k, 'content'), m.content]);
        });
        for (const key of ['user', 'assistant', 'turns']) {
          if (t[key] !== undefined)
            at(here('template', key), `${key} cannot be combined with messages`);
        }
      } else if (t.user === undefined || t.assistant === undefined) {
        at(
          here('template'),
          `${formatPath(here('template'))} needs user and assistant (or messages)`,
        );
      }
    }
    if (isRecord(step.system)) templated.push([here('system', 'content'), step.system.content]);
    if (isRecord(step.map)) {
      const long = isRecord(step.map.fields);
      const fields = long ? (step.map.fields as Data) : step.map;
      for (const [field, value] of Object.entries(fields))
        templated.push([here('map', ...(long ? ['fields'] : []), field), value]);
    }
    for (const [path, value] of templated) {
      const problem = typeof value === 'string' ? findTemplateProblem(value) : undefined;
      if (problem) problems.push(diagnosticAt(text, 'recipe-rule', path, problem));
    }
    if (isRecord(step.rename)) {
      const long = isRecord(step.rename.fields);
      const fields = long ? (step.rename.fields as Data) : step.rename;
      const seen = new Map<string, string>();
      for (const [from, to] of Object.entries(fields)) {
        if (typeof to !== 'string') continue;
        const other = seen.get(to);
        if (other !== undefined)
          at(
            here('rename', ...(long ? ['fields'] : []), from),
            `'${from}' and '${other}' are both renamed to '${to}'`,
            'value',
          );
        seen.set(to, from);
      }
    }
    if (isRecord(step.filter)) {
      const f = step.filter;
      const measures = f.max_tokens !== undefined || f.min_tokens !== undefined;
      if (measures && f.encoding === undefined) {
        at(
          here('filter'),
          'max_tokens and min_tokens need an explicit encoding (cl100k_base or o200k_base)',
        );
      }
      if (!measures && f.encoding !== undefined) {
        at(here('filter', 'encoding'), 'encoding is only used with max_tokens or min_tokens');
      }
      if (Array.isArray(f.where)) {
        f.where.forEach((p: unknown, k) => {
          if (isRecord(p) && typeof p.matches === 'string') {
            const problem = regexProblem(p.matches, '');
            if (problem) at(here('filter', 'where', k, 'matches'), problem, 'value');
          }
        });
      }
    }
    if (isRecord(step.redact) && Array.isArray(step.redact.patterns)) {
      step.redact.patterns.forEach((p: unknown, k) => {
        if (isRecord(p) && typeof p.regex === 'string') {
          const problem = regexProblem(p.regex, typeof p.flags === 'string' ? p.flags : '');
          if (problem) at(here('redact', 'patterns', k, 'regex'), problem, 'value');
        }
      });
    }
    if (
      isRecord(step.sample) &&
      (step.sample.n === undefined) === (step.sample.fraction === undefined)
    ) {
      at(here('sample'), 'sample takes exactly one of n and fraction');
    }
    if (isRecord(step.js) && typeof step.js.module === 'string') {
      if (!existsSync(resolve(dir, step.js.module))) {
        problems.push(
          diagnosticAt(
            text,
            'missing-file',
            here('js', 'module'),
            `no such file: ${step.js.module}`,
          ),
        );
      }
    }
    if (isRecord(step.command) && Array.isArray(step.command.run)) {
      const program = step.command.run[0];
      if (
        typeof program === 'string' &&
        program.includes('/') &&
        !existsSync(resolve(dir, program))
      ) {
        problems.push(
          diagnosticAt(text, 'missing-file', here('command', 'run', 0), `no such file: ${program}`),
        );
      }
    }
  });
}

function regexProblem(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, `u${flags}`);
    return undefined;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
}
