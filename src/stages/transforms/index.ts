import type {NormalizedTransform} from '../../recipe/normalized.js';
import {splitTransform} from './split.js';
import {templateTransform} from './template.js';
import type {TransformContext, TransformStep} from './transform.js';

/** The transform step for one recipe item. */
export function createTransform(step: NormalizedTransform, ctx: TransformContext): TransformStep {
  if ('template' in step) return templateTransform(step.template, ctx);
  return splitTransform(step.split);
}

export type {TransformContext, TransformStep} from './transform.js';
