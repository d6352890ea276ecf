import {describe, expect, it} from 'vitest';
import type {ModelInfo} from '../../../../src/data/checks/index.js';
import {
  ConversationStatistics,
  DatasetReportBuilder,
  openAIModelInfo,
} from '../../../../src/data/checks/index.js';
import {countAssistantTokens, countChatTokens, countTokens} from '../../../../src/tokens/index.js';
import {TOY_EXAMPLES, TOY_REPORT_GPT35_0125} from '../../../fixtures/toy-dataset.js';

const toy = TOY_EXAMPLES;

function reportOf(examples: readonly unknown[], model: ModelInfo) {
  const builder = new DatasetReportBuilder(model);
  for (const example of examples) builder.add(example);
  return builder.report();
}

describe('the toy dataset with gpt-3.5-turbo-0125 (cl100k_base, context 16,385)', () => {
  it("gives the notebook's figures", () => {
    expect(reportOf(toy, openAIModelInfo('gpt-3.5-turbo-0125'))).toEqual(TOY_REPORT_GPT35_0125);
  });

  it('counts one example over the 4,096 context of gpt-3.5-turbo-0613', () => {
    const report = reportOf(toy, openAIModelInfo('gpt-3.5-turbo-0613'));
    expect(report.over_limit).toBe(1);
    expect(report.tokens.total.max).toBe(8032);
  });

  it('has no over-limit count when the context is unknown', () => {
    const report = reportOf(toy, openAIModelInfo('gpt-4.1-2025-04-14'));
    expect(report.over_limit).toBeNull();
    expect(report.examples).toBe(5);
  });
});

describe('the toy dataset with gpt-4o-mini-2024-07-18 (o200k_base)', () => {
  const report = reportOf(toy, openAIModelInfo('gpt-4o-mini-2024-07-18'));
  const totals = toy.map((e) => countChatTokens(e, 'o200k_base'));
  const assistant = toy.map((e) => countAssistantTokens(e, 'o200k_base'));

  it('measures with o200k_base, which differs from cl100k_base on this text', () => {
    // o200k_base: totals 43, 106, 26, 27, 8031 and assistant 8, 25, 9, 3, 8000.
    expect(totals).toEqual([43, 106, 26, 27, 8031]);
    expect(assistant).toEqual([8, 25, 9, 3, 8000]);
    expect(totals).not.toEqual(toy.map((e) => countChatTokens(e, 'cl100k_base')));
    // sorted [26, 27, 43, 106, 8031]: p10 26 + 1*0.4 = 26.4, p90 8031 - 7925*(1-0.6) = 4861.000000000001
    expect(report.tokens.total).toEqual({
      min: 26,
      max: 8031,
      mean: 8233 / 5,
      median: 43,
      p10: 26.4,
      p90: 4861.000000000001,
    });
    // sorted [3, 8, 9, 25, 8000]: p10 3 + 5*0.4 = 5, p90 8000 - 7975*(1-0.6) = 4810.000000000001
    expect(report.tokens.assistant).toEqual({
      min: 3,
      max: 8000,
      mean: 8045 / 5,
      median: 9,
      p10: 5,
      p90: 4810.000000000001,
    });
  });

  it('keeps what does not depend on the encoding', () => {
    const cl100k = reportOf(toy, openAIModelInfo('gpt-3.5-turbo-0125'));
    expect(report.tokens.messages).toEqual(cl100k.tokens.messages);
    expect([report.missing_system, report.missing_user, report.over_limit]).toEqual([1, 1, 0]);
  });
});

describe('token counts', () => {
  const toolCall = {id: 'call_1', type: 'function', function: {name: 'f', arguments: '{"x":1}'}};
  const varied = [
    ...toy,
    {
      messages: [
        {role: 'system', content: 'Be terse.', name: 'policy'},
        {role: 'user', content: 'Add 2 and 3.'},
        {role: 'assistant', content: null, tool_calls: [toolCall]},
        {role: 'tool', tool_call_id: 'call_1', content: '5'},
        {role: 'assistant', content: 'It is 5.', weight: 1},
        {role: 'assistant', content: 'Five.', weight: 0, name: 'bot'},
      ],
    },
  ];

  it('equal countChatTokens and countAssistantTokens for chat examples', () => {
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      const statistics = new ConversationStatistics(encoding, null);
      for (const example of varied) {
        statistics.add({
          kind: 'chat',
          messages: example.messages,
          outputStart: example.messages.length,
        });
      }
      const totals = varied.map((e) => countChatTokens(e, encoding));
      const assistant = varied.map((e) => countAssistantTokens(e, encoding));
      const {tokens} = statistics.summary();
      expect(tokens.total.max).toBe(Math.max(...totals));
      expect(tokens.total.mean).toBe(totals.reduce((a, b) => a + b) / totals.length);
      expect(tokens.assistant.mean).toBe(assistant.reduce((a, b) => a + b) / assistant.length);
      expect(statistics.billableTokens()).toBe(totals.reduce((a, b) => a + b));
    }
  });

  it('count the text of content parts as the same text in a string', () => {
    const asString = {
      messages: [
        {role: 'user', content: 'Describe the picture, please.'},
        {role: 'assistant', content: 'A cat on a mat.'},
      ],
    };
    const asParts = {
      messages: [
        {
          role: 'user',
          content: [
            {type: 'text', text: 'Describe the picture, please.'},
            {type: 'image_url', image_url: {url: 'https://example.com/cat.png'}},
          ],
        },
        {role: 'assistant', content: [{type: 'text', text: 'A cat on a mat.'}]},
      ],
    };
    const model = openAIModelInfo('gpt-4o-2024-08-06');
    expect(reportOf([asParts], model).tokens).toEqual(reportOf([asString], model).tokens);
  });

  it('skip messages that are not objects but count them as messages', () => {
    const clean = {
      messages: [
        {role: 'user', content: 'hi'},
        {role: 'assistant', content: 'yo'},
      ],
    };
    const noisy = {messages: [...clean.messages, 'stray', 7]};
    const model = openAIModelInfo('gpt-3.5-turbo-0125');
    const report = reportOf([noisy], model);
    expect(report.tokens.total.max).toBe(countChatTokens(clean, 'cl100k_base'));
    expect(report.tokens.assistant.max).toBe(countAssistantTokens(clean, 'cl100k_base'));
    expect(report.tokens.messages.max).toBe(4);
    expect(report.format_errors).toEqual({message_not_object: 2});
  });
});

describe('over_limit and the billable sum', () => {
  const example = toy[0]!;
  const total = countChatTokens(example, 'cl100k_base');
  const conversation = {kind: 'chat' as const, messages: example.messages, outputStart: 3};

  it('count an example over the context only when strictly greater, and cap its billing', () => {
    const atLimit = new ConversationStatistics('cl100k_base', total);
    atLimit.add(conversation);
    expect(atLimit.summary().over_limit).toBe(0);
    expect(atLimit.billableTokens()).toBe(total);
    const below = new ConversationStatistics('cl100k_base', total - 1);
    below.add(conversation);
    below.add(conversation);
    expect(below.summary().over_limit).toBe(2);
    expect(below.billableTokens()).toBe(2 * (total - 1));
  });

  it('sums min(cap, total) over the toy examples', () => {
    const billable = (model: string) => {
      const builder = new DatasetReportBuilder(openAIModelInfo(model));
      for (const e of toy) builder.add(e);
      return builder.billableTokens();
    };
    expect(billable('gpt-3.5-turbo-0125')).toBe(45 + 111 + 26 + 28 + 8032);
    expect(billable('gpt-3.5-turbo-0613')).toBe(45 + 111 + 26 + 28 + 4096);
    expect(billable('gpt-4-0613')).toBe(8242); // no known context: no cap
  });
});

describe('preference pairs', () => {
  const input = [
    {role: 'system', content: 'You answer in French.'},
    {role: 'user', content: 'Hello there'},
  ];
  const preferred = [{role: 'assistant', content: 'Bonjour !'}];
  const pair = {
    input: {messages: input},
    preferred_output: preferred,
    non_preferred_output: [
      {role: 'assistant', content: 'Hello! How can I help you today, friend?'},
    ],
  };

  it('measure the input messages followed by the preferred output', () => {
    const report = reportOf([pair], openAIModelInfo('gpt-4o-mini-2024-07-18'));
    const conversation = {messages: [...input, ...preferred]};
    expect(report.tokens.messages.max).toBe(3);
    expect(report.tokens.total.max).toBe(countChatTokens(conversation, 'o200k_base'));
    expect(report.tokens.assistant.max).toBe(countTokens('Bonjour !', 'o200k_base'));
    expect([report.missing_system, report.missing_user]).toEqual([0, 0]);
  });

  it('look for system and user messages in the input only', () => {
    const outputsOnly = {
      ...pair,
      input: {messages: [{role: 'developer', content: 'French.'}]},
      preferred_output: [{role: 'user', content: 'Bonjour'}],
    };
    const report = reportOf([outputsOnly], openAIModelInfo('gpt-4o-mini-2024-07-18'));
    // developer stands for system; the misplaced user output does not count as the user turn.
    expect([report.missing_system, report.missing_user]).toEqual([0, 1]);
    // The preferred output is what is trained, whatever its (reported) role.
    expect(report.tokens.assistant.max).toBe(countTokens('Bonjour', 'o200k_base'));
  });
});

describe('the report', () => {
  it('is empty but complete for no examples', () => {
    expect(reportOf([], openAIModelInfo('gpt-3.5-turbo-0125'))).toEqual({
      examples: 0,
      format_errors: {},
      missing_system: 0,
      missing_user: 0,
      over_limit: 0,
      tokens: {
        messages: {min: null, max: null, mean: null, median: null, p10: null, p90: null},
        total: {min: null, max: null, mean: null, median: null, p10: null, p90: null},
        assistant: {min: null, max: null, mean: null, median: null, p10: null, p90: null},
      },
    });
    expect(reportOf([], openAIModelInfo('unknown-model')).over_limit).toBeNull();
  });

  it('counts skipped examples as examples, but not in the statistics', () => {
    const model = openAIModelInfo('gpt-3.5-turbo-0125');
    const withBad = reportOf([...toy, 42, {messages: []}, {prompt: 'a', completion: 'b'}], model);
    const clean = reportOf(toy, model);
    expect(withBad.examples).toBe(8);
    expect(withBad.format_errors).toEqual({data_type: 1, missing_messages_list: 2});
    expect(withBad.tokens).toEqual(clean.tokens);
    expect([withBad.missing_system, withBad.missing_user]).toEqual([1, 1]);
  });

  it('streams: a report midway leaves the builder usable', () => {
    const builder = new DatasetReportBuilder(openAIModelInfo('gpt-3.5-turbo-0125'));
    builder.add(toy[0]);
    expect(builder.report().tokens.total.max).toBe(45);
    for (const e of toy.slice(1)) builder.add(e);
    expect(builder.report().tokens.total.max).toBe(8032);
    expect(builder.report().examples).toBe(5);
  });
});
