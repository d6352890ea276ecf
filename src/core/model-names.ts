import {isAbsolute} from 'node:path';

/**
 * How a recipe's `model` string reads, for the rules that check it and the stages that pin it:
 * one of the embedded trainer's own models, a path, or else a hub name.
 */

/** ft's embedded trainer's own base models (`model: embedded:tiny`), trained from a seeded start. */
export const EMBEDDED_MODELS: readonly string[] = ['embedded:tiny'];

/** Whether `model` names one of the embedded trainer's models (`embedded:<name>`). */
export function isEmbeddedModel(model: string): boolean {
  return model.startsWith('embedded:');
}

/** Whether `model` reads like a path rather than a hub name (so a missing one is a missing folder). */
export function looksLikePath(model: string): boolean {
  return (
    isAbsolute(model) || model.startsWith('./') || model.startsWith('../') || model.startsWith('~')
  );
}
