import {createRequire} from 'node:module';
import type {ValidateFunction} from 'ajv';

const require = createRequire(import.meta.url);

/**
 * Compiles a JSON Schema (draft-07, unknown keywords allowed) into a validator. ajv is loaded on
 * the first call, not with the CLI: it is large, and only a recipe with a `json_schema` metric
 * needs it. Throws what ajv throws for a schema it cannot use.
 */
export function compileJsonSchema(schema: object): ValidateFunction {
  const {Ajv} = require('ajv') as typeof import('ajv');
  return new Ajv({strict: false}).compile(schema);
}
