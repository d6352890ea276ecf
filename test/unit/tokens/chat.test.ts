import {describe, expect, it} from 'vitest';
import {countAssistantTokens, countChatTokens, encode} from '../../../src/tokens/index.js';
import {TOY_EXAMPLES} from '../../fixtures/toy-dataset.js';

const toyExamples = TOY_EXAMPLES;

describe('countChatTokens', () => {
  it('adds 3 per message, the tokens of each string value, and 3 for reply priming', () => {
    // 'user' is one token and 'hello world' two ([15339, 1917], vectors file) in cl100k_base.
    expect(encode('user', 'cl100k_base')).toHaveLength(1);
    const example = {messages: [{role: 'user', content: 'hello world'}]};
    expect(countChatTokens(example, 'cl100k_base')).toBe(3 + 1 + 2 + 3);
    expect(countChatTokens({messages: []}, 'cl100k_base')).toBe(3);
  });

  it('adds 1 for a name and skips values that are not strings', () => {
    const base = {role: 'assistant', content: 'hi'};
    const plain = countChatTokens({messages: [base]}, 'o200k_base');
    const named = {...base, name: 'bob'};
    expect(countChatTokens({messages: [named]}, 'o200k_base')).toBe(
      plain + encode('bob', 'o200k_base').length + 1,
    );
    const withExtras = {
      ...base,
      weight: 0,
      tool_calls: [{id: 'call_1', type: 'function', function: {name: 'f', arguments: '{}'}}],
      refusal: null,
    };
    expect(countChatTokens({messages: [withExtras]}, 'o200k_base')).toBe(plain);
    // A null content (assistant message with only tool calls) counts role and framing only.
    expect(countChatTokens({messages: [{role: 'assistant', content: null}]}, 'o200k_base')).toBe(
      3 + encode('assistant', 'o200k_base').length + 3,
    );
  });

  it('counts special-token text in values as ordinary text', () => {
    const example = {messages: [{role: 'user', content: '<|endoftext|>'}]};
    expect(countChatTokens(example, 'cl100k_base')).toBe(
      3 + 1 + encode('<|endoftext|>', 'cl100k_base').length + 3,
    );
    expect(encode('<|endoftext|>', 'cl100k_base').length).toBeGreaterThan(1);
  });

  it('matches the cookbook on toy_chat_fine_tuning.jsonl (cl100k_base)', () => {
    // The cookbook's data prep notebook prints, for this file: total tokens per example
    // min/max 26/8032, mean 1648.4, median 45; assistant tokens min/max 4/8000, mean 1610.2,
    // median 10. These per-example values are the only ones consistent with all of that.
    expect(toyExamples.map((e) => countChatTokens(e, 'cl100k_base'))).toEqual([
      45, 111, 26, 28, 8032,
    ]);
    expect(toyExamples.map((e) => countAssistantTokens(e, 'cl100k_base'))).toEqual([
      10, 28, 9, 4, 8000,
    ]);
  });

  it('works with o200k_base on the toy file', () => {
    // Cross-checked with tiktoken's pure-Python BPE (regex module + exact pat_str).
    const counts = toyExamples.map((e) => countChatTokens(e, 'o200k_base'));
    expect(counts).toEqual([43, 106, 26, 27, 8031]);
  });
});

describe('countAssistantTokens', () => {
  it('sums the content tokens of assistant messages only', () => {
    const example = {
      messages: [
        {role: 'system', content: 'Be brief.'},
        {role: 'user', content: 'Hi!'},
        {role: 'assistant', content: 'hello world'},
        {role: 'assistant', content: null, tool_calls: []},
        {role: 'assistant'},
        {role: 'tool', content: 'ignored'},
      ],
    };
    expect(countAssistantTokens(example, 'cl100k_base')).toBe(2);
  });
});
