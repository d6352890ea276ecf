import {describe, expect, it} from 'vitest';
import {METRIC_TYPES, type MetricType} from '../../../src/core/eval-types.js';
import {corpusBleu} from '../../../src/eval/metrics/bleu.js';
import {corpusChrf} from '../../../src/eval/metrics/chrf.js';
import {rougeScore} from '../../../src/eval/metrics/rouge.js';
import {scorerFor} from '../../../src/eval/scorers.js';
import {type EvalExample, scoreAnswers} from '../../../src/eval/scores.js';
import {METRIC_NAMES} from '../../../src/recipe/eval-settings.js';
import {METRIC_OPTIONS} from '../../../src/recipe/metric-options.js';

const REFERENCES = [
  'The cat sat on the mat.',
  'A quick brown fox jumps over the lazy dog.',
  'Paris is the capital of France.',
  'It rained all day in the city.',
  '{"queue": "billing"}',
];
const OUTPUTS = [
  'The cat is on the mat.',
  'A fast brown fox jumped over a lazy dog.',
  'Paris is the capital of France.',
  'It was raining in town.',
  '{"queue": "billing"}',
];
const metrics = (...types: MetricType[]) => types.map((type) => ({id: type, type}));
const examples = (refs: readonly string[]): EvalExample[] =>
  refs.map((reference, i) => ({id: String(i), prompt: [], reference}));

describe('scoring answers', () => {
  it('scores every metric type the recipe accepts, and every name is a type', () => {
    for (const type of METRIC_TYPES) {
      expect(METRIC_OPTIONS[type], type).toBeDefined();
      // llm_judge is scored from its judge stage's judgments, latency by the build after it.
      if (type === 'llm_judge' || type === 'latency') continue;
      // Each type scores (regex and json_schema with their required option).
      const options =
        type === 'regex' ? {pattern: 'x'} : type === 'json_schema' ? {schema: {}} : {};
      expect(scorerFor(type, options).statistics('x', 'x').length).toBeGreaterThan(0);
    }
    for (const name of METRIC_NAMES) expect(METRIC_TYPES).toContain(name);
  });

  it('sums sufficient statistics into the reference corpus scores (sacreBLEU BLEU and chrF)', () => {
    const {scores} = scoreAnswers({
      examples: examples(REFERENCES),
      answers: {m: OUTPUTS},
      metrics: metrics('bleu', 'chrf', 'rougeL', 'exact_match', 'json_valid', 'length'),
      gates: [],
      seed: 0,
    });
    const m = scores.models.m!;
    expect(m.bleu!.value).toBe(corpusBleu(OUTPUTS, [REFERENCES]).score);
    expect(m.chrf!.value).toBe(corpusChrf(OUTPUTS, [REFERENCES]).score);
    const rouge =
      REFERENCES.map(
        (r, i) => rougeScore(r, OUTPUTS[i]!, {types: ['rougeL']}).rougeL!.fmeasure,
      ).reduce((a, b) => a + b) / REFERENCES.length;
    expect(m.rougeL!.value).toBeCloseTo(rouge, 12);
    expect(m.exact_match!.value).toBe(2 / 5);
    expect(m.json_valid!.value).toBe(1 / 5);
    expect(m.length!.value).toBe(OUTPUTS.reduce((a, o) => a + [...o].length, 0) / 5);
    expect([m.bleu!.scale, m.exact_match!.scale, m.length!.scale]).toEqual([
      '0-100',
      '0-1',
      'characters',
    ]);
  });

  it('gives a seeded 95% bootstrap interval around each score, the same for the same seed', () => {
    const refs = Array.from({length: 40}, (_, i) => `answer ${i % 7}`);
    const outs = refs.map((r, i) => (i % 3 === 0 ? 'wrong' : r));
    const run = (seed: number) =>
      scoreAnswers({
        examples: examples(refs),
        answers: {m: outs},
        metrics: metrics('exact_match'),
        gates: [],
        seed,
      }).scores.models.m!.exact_match!;
    const a = run(1);
    expect(a.value).toBe(26 / 40);
    expect(a.interval[0]).toBeLessThan(a.value);
    expect(a.interval[1]).toBeGreaterThan(a.value);
    expect(a.interval[1] - a.interval[0]).toBeLessThan(0.4);
    expect(run(1)).toEqual(a);
    // Another seed, other resamples: about the same interval.
    expect(Math.abs(run(2).interval[0] - a.interval[0])).toBeLessThanOrEqual(0.1);
  });

  it('a significant comparison fails on a difference that is mostly noise, and passes on a real one', () => {
    const refs = Array.from({length: 30}, (_, i) => `label ${i % 5}`);
    const base = refs.map((r, i) => (i % 2 === 0 ? r : 'other'));
    const slightly = base.map((o, i) => (i === 1 ? refs[1]! : o));
    const clearly = refs.map((r, i) => (i % 10 === 0 ? 'other' : r));
    const gate = {
      kind: 'better',
      metric: 'exact_match',
      better: 'tuned',
      than: 'base',
      by: 0,
      significant: true,
    } as const;
    const compare = (tuned: string[]) =>
      scoreAnswers({
        examples: examples(refs),
        answers: {tuned, base},
        metrics: metrics('exact_match'),
        gates: [gate, {...gate, significant: false}],
        seed: 0,
      }).scores.gates.map((g) => g.passed);
    expect(compare(slightly)).toEqual([false, true]);
    expect(compare(clearly)).toEqual([true, true]);
  });

  it('length is better when lower, and bounds take min and max', () => {
    const refs = ['a', 'b'];
    const {scores} = scoreAnswers({
      examples: examples(refs),
      answers: {short: ['a', 'b'], long: ['a long answer', 'b long answer']},
      metrics: metrics('length'),
      gates: [
        {
          kind: 'better',
          metric: 'length',
          better: 'short',
          than: 'long',
          by: 5,
          significant: false,
        },
        {kind: 'bound', metric: 'length', model: 'long', max: 10},
        {kind: 'bound', metric: 'length', model: 'short', min: 1, max: 1},
      ],
      seed: 0,
    });
    expect(scores.gates.map((g) => g.passed)).toEqual([true, false, true]);
    expect(scores.gates[1]!.detail).toBe('length of long is 13, needs <= 10');
  });
});

describe('configured metrics', () => {
  it('contains a value, matches a pattern, validates against a schema, counts words', () => {
    const outputs = ['{"queue": "billing"}', 'Refund ISSUED today', '{"queue": 7}', 'no'];
    const {scores, examples: scored} = scoreAnswers({
      examples: examples(['x', 'x', 'x', 'x']),
      answers: {m: outputs},
      metrics: [
        {id: 'says_refund', type: 'contains', options: {value: 'refund', ignore_case: true}},
        {id: 'issued', type: 'regex', options: {pattern: '\\bissued\\b', ignore_case: true}},
        {
          id: 'routed',
          type: 'json_schema',
          options: {
            schema: {type: 'object', required: ['queue'], properties: {queue: {type: 'string'}}},
          },
        },
        {id: 'words', type: 'length', options: {unit: 'words'}},
      ],
      gates: [],
      seed: 0,
    });
    const m = scores.models.m!;
    expect(m.says_refund!.value).toBe(1 / 4);
    expect(m.issued!.value).toBe(1 / 4);
    expect(m.routed!.value).toBe(1 / 4);
    expect(m.words!).toMatchObject({value: (2 + 3 + 2 + 1) / 4, scale: 'words'});
    expect(scored[0]!.scores.m).toEqual({says_refund: 0, issued: 0, routed: 1, words: 2});
  });
});
