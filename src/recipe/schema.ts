import {readFileSync} from 'node:fs';
import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** schemas/finetune.schema.json, the single source of truth for the recipe (read once). */
export const recipeSchemaUrl = new URL('../../schemas/finetune.schema.json', import.meta.url);

let compiled: {schema: JsonSchema; validate: ValidateFunction} | undefined;

/** A JSON Schema node, as far as ft looks into one. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly [keyword: string]: unknown;
}

export function recipeSchema(): {schema: JsonSchema; validate: ValidateFunction} {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(recipeSchemaUrl, 'utf8')) as JsonSchema;
    // allErrors: every problem in one run. discriminator: one precise error for a bad `type`
    // instead of one per oneOf branch. verbose: errors carry their schema, for "did you mean".
    const ajv = new Ajv2020({allErrors: true, strict: true, discriminator: true, verbose: true});
    // ajv-formats is CommonJS: under ESM its plugin is the module's `default` property.
    addFormatsModule.default(ajv);
    compiled = {schema, validate: ajv.compile(schema)};
  }
  return compiled;
}

export type SchemaError = ErrorObject;
