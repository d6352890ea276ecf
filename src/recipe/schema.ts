import {readFileSync} from 'node:fs';
import type {ErrorObject, ValidateFunction} from 'ajv';
import {validateRecipeData} from './recipe-validator.generated.js';

/** schemas/finetune.schema.json, the single source of truth for the recipe. */
export const recipeSchemaUrl = new URL('../../schemas/finetune.schema.json', import.meta.url);

/** A JSON Schema node, as far as ft looks into one. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly [keyword: string]: unknown;
}

export type SchemaError = ErrorObject;

/**
 * The schema's validator, compiled ahead of time by scripts/gen-recipe-validator.mjs (ajv with
 * allErrors, discriminator and verbose): compiling at start-up would cost more than a no-op
 * build may take.
 */
export const validateRecipe: ValidateFunction = validateRecipeData;

let schema: JsonSchema | undefined;

/** The schema itself, for tools (`ft` reads it only when asked, e.g. by tests). */
export function recipeSchema(): JsonSchema {
  schema ??= JSON.parse(readFileSync(recipeSchemaUrl, 'utf8')) as JsonSchema;
  return schema;
}
