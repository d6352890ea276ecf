/** `n` question/answer records (`question i` -> `answer i`), with ids to split by. */
export function qaRecords(n: number): {id: number; prompt: string; response: string}[] {
  return Array.from({length: n}, (_, i) => ({
    id: i,
    prompt: `question ${i}`,
    response: `answer ${i}`,
  }));
}

/**
 * An eval-only recipe over `data/qa.jsonl` (qaRecords): half the records held out as the test
 * split, `models` and `metrics` as YAML flow text, `extra` lines after them (gates, report).
 */
export function evalOnlyRecipe(options: {
  readonly name: string;
  readonly models: string;
  readonly metrics?: string;
  readonly extra?: string;
}): string {
  return `version: 1
name: ${options.name}
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { test: 0.5, by: id }
eval:
  models: ${options.models}
  metrics: ${options.metrics ?? '[exact_match]'}
${options.extra ?? ''}`;
}
