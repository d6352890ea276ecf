import type {NormalizedRecipe} from '../recipe/normalized.js';
import {isDeterministicKind, type StageId, type StageKind, stageId} from './stage-id.js';

/**
 * One stage of the build graph. `deterministic` stages (source, dataset) produce the same
 * bytes from the same inputs, so `ft plan` may compute them; the others (training, evaluation
 * through models) cost money or time and run only in `ft build`.
 */
export interface StageNode {
  readonly id: StageId;
  readonly kind: StageKind;
  /** Source or target name, where the kind has one. */
  readonly name?: string;
  readonly needs: readonly StageId[];
  readonly deterministic: boolean;
}

/**
 * The stages of a recipe in topological order:
 *
 *   source:a ─┐                 ┌─ train:x ── generate:tuned.x ─┐
 *   source:b ─┴─ dataset ───────┼─ train:y ── generate:tuned.y ─┼─ [judge:<metric>] ─ eval
 *                               └──────────── generate:base.x ──┘
 *
 * Each model of the eval answers the dataset's evaluation split in its own generate stage (a
 * tuned model after its training); each `llm_judge` metric's judge stage judges every model's
 * answers (after the judge's own training, when a tuned model judges); one eval stage scores
 * them all, judgments included, without asking any model. A target whose base model is
 * another target's (`model: {target: x}`) also needs train:x. Reports are not a stage: they
 * describe a build (what ran, how long), so the build writes them at its end (src/report/).
 */
export function buildGraph(recipe: NormalizedRecipe): StageNode[] {
  const nodes: StageNode[] = [];
  for (const s of recipe.sources) {
    nodes.push({
      id: stageId('source', s.name),
      kind: 'source',
      name: s.name,
      needs: [],
      deterministic: isDeterministicKind('source'),
    });
  }
  const dataset = stageId('dataset');
  nodes.push({
    id: dataset,
    kind: 'dataset',
    needs: recipe.sources.map((s) => stageId('source', s.name)),
    deterministic: isDeterministicKind('dataset'),
  });
  for (const t of trainingOrder(recipe.targets)) {
    const from = startsFrom(t);
    nodes.push({
      id: stageId('train', t.name),
      kind: 'train',
      name: t.name,
      needs: from === undefined ? [dataset] : [dataset, stageId('train', from)],
      deterministic: isDeterministicKind('train'),
    });
  }
  if (recipe.eval && recipe.eval.models.length > 0) {
    const evaluation = recipe.eval;
    for (const model of evaluation.models) {
      nodes.push({
        id: stageId('generate', model.name),
        kind: 'generate',
        name: model.name,
        // The untrained base needs no training (it answers with the target's trainer), and a
        // model behind an API none of ours.
        needs:
          model.kind === 'target' && model.which === 'tuned'
            ? [dataset, stageId('train', model.target)]
            : [dataset],
        deterministic: isDeterministicKind('generate'),
      });
    }
    const generates = evaluation.models.map((m) => stageId('generate', m.name));
    for (const judge of evaluation.judges) {
      const {model} = judge;
      nodes.push({
        id: stageId('judge', judge.metric),
        kind: 'judge',
        name: judge.metric,
        needs: [
          dataset,
          ...(model.kind === 'target' && model.which === 'tuned'
            ? [stageId('train', model.target)]
            : []),
          ...generates,
        ],
        deterministic: isDeterministicKind('judge'),
      });
    }
    nodes.push({
      id: stageId('eval'),
      kind: 'eval',
      needs: [dataset, ...generates, ...evaluation.judges.map((j) => stageId('judge', j.metric))],
      deterministic: isDeterministicKind('eval'),
    });
  }
  return nodes;
}

type Target = NormalizedRecipe['targets'][number];

/** The target whose trained model `t` starts from, if any. */
function startsFrom(t: Target): string | undefined {
  const model = t.backend.type === 'local' ? t.backend.model : undefined;
  return typeof model === 'object' ? model.target : undefined;
}

/**
 * The targets in recipe order, except that a target comes after the one it starts from. A loop
 * is the recipe rules' error; here it only must not hang.
 */
function trainingOrder(targets: readonly Target[]): Target[] {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const ordered: Target[] = [];
  const placed = new Set<string>();
  const place = (t: Target, visiting: Set<string>) => {
    if (placed.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    const from = startsFrom(t);
    const before = from === undefined ? undefined : byName.get(from);
    if (before) place(before, visiting);
    placed.add(t.name);
    ordered.push(t);
  };
  for (const t of targets) place(t, new Set());
  return ordered;
}

/** The named stages and everything they need, in graph order. */
export function selectStages(nodes: readonly StageNode[], wanted: readonly StageId[]): StageNode[] {
  if (wanted.length === 0) return [...nodes];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const keep = new Set<StageId>();
  const visit = (id: StageId) => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const need of byId.get(id)?.needs ?? []) visit(need);
  };
  for (const id of wanted) visit(id);
  return nodes.filter((n) => keep.has(n.id));
}
