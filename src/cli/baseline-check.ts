import {error, UserError} from '../core/diagnostic.js';
import type {Sha256} from '../core/hash.js';
import {checkRegressions, type RegressionResult} from '../eval/regression.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import type {BaselineScores} from '../report/assemble.js';
import {readBaseline} from '../run/baseline.js';
import type {Lockfile} from '../run/lockfile.js';
import {lockfilePath} from '../run/lockfile.js';
import {storeBeside} from '../run/session.js';

type ExampleScores = ReadonlyMap<
  string,
  Readonly<Record<string, Readonly<Record<string, number>>>>
>;

/** What the build's eval is compared with, and its regression gates' verdicts. */
export interface BaselineCheck {
  readonly baseline: BaselineScores;
  readonly regressions: readonly RegressionResult[];
  /** Why regression gates were not checked (a warning), when the recipe has some. */
  readonly unchecked?: string;
}

/**
 * Today's eval (the lockfile this build wrote) against the one the lockfile recorded at the
 * baseline commit, example by example where both runs' examples are in .ft/: the regression
 * gates' verdicts, and the deltas and newly failing examples a report shows. No baseline (a
 * first commit, no git) leaves the gates unchecked with a reason; a `--baseline` git does not
 * know is a usage error.
 */
export async function checkBaseline(
  loaded: ResolvedRecipe,
  lockfile: Lockfile,
  ref: string | undefined,
): Promise<BaselineCheck> {
  const evaluation = loaded.normalized.eval;
  const gates = (evaluation?.gates ?? []).flatMap((g) => (g.kind === 'regression' ? [g] : []));
  const current = lockfile.stages.eval;
  if (!evaluation || !current?.scores) {
    return {baseline: {available: false, reason: 'this build has no eval scores'}, regressions: []};
  }
  const found = await readBaseline(lockfilePath(loaded.path), ref);
  if (!found.found) {
    if (ref !== undefined) throw new UserError([error('usage', `--baseline ${ref}: ${found.why}`)]);
    return {
      baseline: {available: false, reason: found.why},
      regressions: [],
      ...(gates.length > 0 ? {unchecked: `regression gates not checked: ${found.why}`} : {}),
    };
  }
  const before = found.lockfile.stages.eval;
  const shownRef = ref ?? 'the merge base';
  const store = storeBeside(loaded.path);
  const examples = async (hash: Sha256 | undefined): Promise<ExampleScores | undefined> => {
    if (!hash || (await store.checkObject(hash)).state !== 'intact') return undefined;
    const byId = new Map<string, Record<string, Record<string, number>>>();
    for (const line of store.readObjectText(hash).split('\n')) {
      if (line === '') continue;
      const e = JSON.parse(line) as {id: string; scores: Record<string, Record<string, number>>};
      byId.set(e.id, e.scores);
    }
    return byId;
  };
  // Today's per-example scores matter to the gates alone: the report reads its own examples.
  const [nowExamples, beforeExamples] = await Promise.all([
    gates.length > 0 ? examples(current.outputs['examples.jsonl']) : undefined,
    examples(before?.outputs['examples.jsonl']),
  ]);
  const types = new Map(evaluation.metrics.map((m) => [m.id, m.type]));
  const regressions = checkRegressions({
    gates,
    current: {scores: current.scores, ...(nowExamples ? {examples: nowExamples} : {})},
    baseline: {scores: before?.scores ?? {}, ...(beforeExamples ? {examples: beforeExamples} : {})},
    higherIsBetter: (metric) => types.get(metric) !== 'length',
    seed: evaluation.generation.seed,
    shown: `${shownRef} (${found.commit.slice(0, 7)})`,
  });
  if (!before?.scores) {
    // Its gates pass, each saying that the baseline has no such score (checkRegressions).
    const reason = `the lockfile at ${shownRef} (${found.commit.slice(0, 7)}) has no eval scores`;
    return {baseline: {available: false, reason}, regressions};
  }
  return {
    baseline: {
      available: true,
      ref: shownRef,
      commit: found.commit,
      scores: before.scores,
      ...(beforeExamples ? {examples: beforeExamples} : {}),
    },
    regressions,
  };
}
