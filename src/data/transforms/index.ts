import type {NormalizedTransform} from '../../recipe/normalized.js';
import {commandTransform} from './command.js';
import {dedupeTransform} from './dedupe.js';
import {filterTransform} from './filter.js';
import {jsTransform} from './js.js';
import {limitTransform} from './limit.js';
import {mapTransform} from './map.js';
import {redactTransform} from './redact.js';
import {renameTransform} from './rename.js';
import {sampleTransform} from './sample.js';
import {shuffleTransform} from './shuffle.js';
import {splitTransform} from './split.js';
import {systemTransform} from './system.js';
import {templateTransform} from './template.js';
import type {TransformContext, TransformStep} from './transform.js';

/** Steps that drop, reorder or tag records but never change one. */
const PRESERVING = new Set(['filter', 'dedupe', 'limit', 'sample', 'shuffle', 'split']);

/** Whether a step leaves every record it passes on as it was. */
export function preservesRecords(step: NormalizedTransform): boolean {
  return PRESERVING.has(Object.keys(step)[0]!);
}

/** The steps of a recipe, in order (`index` names each in messages: transforms[i]). */
export function createTransforms(
  steps: readonly NormalizedTransform[],
  ctx: TransformContext,
): TransformStep[] {
  return steps.map((step, i) => createTransform(step, ctx, i));
}

/** The step for one recipe item, the `index`-th of the recipe. */
export function createTransform(
  step: NormalizedTransform,
  ctx: TransformContext,
  index = 0,
): TransformStep {
  if ('template' in step) return templateTransform(step.template, ctx, index);
  if ('system' in step) return systemTransform(step.system, ctx);
  if ('rename' in step) return renameTransform(step.rename, ctx, index);
  if ('map' in step) return mapTransform(step.map, ctx, index);
  if ('filter' in step) return filterTransform(step.filter, ctx, index);
  if ('dedupe' in step) return dedupeTransform(step.dedupe, ctx, index);
  if ('redact' in step) return redactTransform(step.redact, ctx);
  if ('sample' in step) return sampleTransform(step.sample);
  if ('shuffle' in step) return shuffleTransform(step.shuffle, ctx);
  if ('limit' in step) return limitTransform(step.limit);
  if ('split' in step) return splitTransform(step.split, ctx, index);
  if ('js' in step) return jsTransform(step.js, ctx);
  return commandTransform(step.command, ctx);
}

export type {TransformContext, TransformStep} from './transform.js';
