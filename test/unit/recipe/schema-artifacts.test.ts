import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {generateRecipeTypes, schemaPath, typesPath} from '../../../scripts/gen-recipe-types.mjs';
import {generateRecipeValidator, validatorPath} from '../../../scripts/gen-recipe-validator.mjs';

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));

describe('artifacts generated from schemas/finetune.schema.json', () => {
  it('the TypeScript types are up to date (node scripts/gen-recipe-types.mjs)', () => {
    expect(readFileSync(typesPath, 'utf8')).toBe(generateRecipeTypes(schema));
  });

  it('the compiled validator is up to date (node scripts/gen-recipe-validator.mjs)', () => {
    expect(readFileSync(validatorPath, 'utf8')).toBe(generateRecipeValidator(schema));
  });

  it('the schema is valid draft 2020-12 and documents every property', () => {
    const undocumented: string[] = [];
    const visit = (node: Record<string, unknown>, path: string) => {
      for (const [key, prop] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        if (!prop.description && !prop.$ref && prop.const === undefined) {
          undocumented.push(`${path}.${key}`);
        }
      }
    };
    visit(schema, '');
    for (const [name, def] of Object.entries(
      schema.$defs as Record<string, Record<string, unknown>>,
    )) {
      if (!def.description) undocumented.push(`$defs.${name}`);
      visit(def, `$defs.${name}`);
    }
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(undocumented).toEqual([]);
  });
});
