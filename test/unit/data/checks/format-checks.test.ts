import {describe, expect, it} from 'vitest';
import {checkExample, FORMAT_CHECKS, FormatErrors} from '../../../../src/data/checks/index.js';

/** format_errors of a list of examples, as the report shows them. */
function errorsOf(examples: unknown[]): Record<string, number> {
  const errors = new FormatErrors();
  for (const example of examples) checkExample(example, errors);
  return errors.toJSON();
}

const user = {role: 'user', content: 'hi'};
const assistant = {role: 'assistant', content: 'hello'};
/** A chat example around the given messages, with a user turn and an assistant reply. */
const chat = (...messages: unknown[]) => ({messages: [user, ...messages, assistant]});

describe("the notebook's checks", () => {
  it('counts data_type for every example that is not an object, and skips it', () => {
    expect(errorsOf([1, 'text', null, [], true])).toEqual({data_type: 5});
    expect(checkExample([], new FormatErrors())).toBeUndefined();
  });

  it('counts missing_messages_list for no, empty or non-list messages, and skips the example', () => {
    const examples = [
      {},
      {messages: []},
      {messages: null},
      {messages: 'hi'},
      {messages: {0: user}},
    ];
    expect(errorsOf(examples)).toEqual({missing_messages_list: 5});
    expect(checkExample({messages: []}, new FormatErrors())).toBeUndefined();
  });

  it('counts message_missing_key per message (with unrecognized_role for a missing role)', () => {
    const noRole = {content: 'x'};
    expect(errorsOf([chat(noRole, noRole)])).toEqual({
      message_missing_key: 2,
      unrecognized_role: 2,
    });
    // No content key: missing key, and missing content as the notebook (content is None).
    expect(errorsOf([chat({role: 'user'})])).toEqual({message_missing_key: 1, missing_content: 1});
    // A null content is present: only missing_content.
    expect(errorsOf([chat({role: 'user', content: null})])).toEqual({missing_content: 1});
  });

  it('counts message_unrecognized_key once per message, whatever the number of keys', () => {
    const odd = {role: 'user', content: 'x', foo: 1, bar: 2};
    expect(errorsOf([chat(odd), chat(odd)])).toEqual({message_unrecognized_key: 2});
  });

  it('counts unrecognized_role per message', () => {
    expect(errorsOf([chat({role: 'bot', content: 'x'}, {role: 'User', content: 'y'})])).toEqual({
      unrecognized_role: 2,
    });
    expect(errorsOf([chat({role: null, content: 'x'})])).toEqual({unrecognized_role: 1});
  });

  it('counts missing_content per message for empty, null or non-string content', () => {
    const contents = ['', null, 42, {text: 'x'}, [], false];
    expect(errorsOf([chat(...contents.map((content) => ({role: 'user', content})))])).toEqual({
      missing_content: 6,
    });
  });

  it('counts example_missing_assistant_message per example', () => {
    expect(
      errorsOf([{messages: [user]}, {messages: [user, user]}, {messages: [user, assistant]}]),
    ).toEqual({example_missing_assistant_message: 2});
  });

  it('lists the errors in order of first occurrence, as the notebook', () => {
    const examples = [{messages: [{role: 'bot', content: 'x'}]}, 7, {messages: []}];
    expect(Object.keys(errorsOf(examples))).toEqual([
      'unrecognized_role',
      'example_missing_assistant_message',
      'data_type',
      'missing_messages_list',
    ]);
    expect(Object.keys(errorsOf([...examples].reverse()))).toEqual([
      'missing_messages_list',
      'data_type',
      'unrecognized_role',
      'example_missing_assistant_message',
    ]);
  });
});

describe('what the API accepts is not an error', () => {
  const toolCall = {id: 'call_1', type: 'function', function: {name: 'f', arguments: '{}'}};
  const accepted = [
    {
      messages: [
        {role: 'developer', content: 'be brief'},
        {role: 'system', content: 'sys', name: 'boss'},
        {
          role: 'user',
          content: [
            {type: 'text', text: 'what is this?'},
            {type: 'image_url', image_url: {url: 'https://example.com/a.png'}},
            {type: 'image_url', image_url: {url: 'data:image/png;base64,AAAA', detail: 'low'}},
          ],
        },
        {role: 'assistant', content: null, tool_calls: [toolCall], weight: 0},
        {role: 'tool', tool_call_id: 'call_1', content: '42'},
        {role: 'assistant', tool_calls: [toolCall]},
        {role: 'tool', tool_call_id: 'call_1', content: [{type: 'text', text: '43'}]},
        {role: 'assistant', content: null, function_call: {name: 'f', arguments: '{}'}},
        {role: 'function', name: 'f', content: '{"ok":true}'},
        {role: 'assistant', content: '', tool_calls: [toolCall]},
        {role: 'assistant', content: 'done', weight: 1},
      ],
      tools: [{type: 'function', function: {name: 'f', parameters: {type: 'object'}}}],
      parallel_tool_calls: false,
      functions: [{name: 'f', parameters: {}}],
    },
    {messages: [user, assistant], tools: null, parallel_tool_calls: null},
  ];

  it('passes tool calls, weights, names, the tool/developer/function roles and content parts', () => {
    expect(errorsOf(accepted)).toEqual({});
  });

  it('returns the conversation of a valid chat example', () => {
    const example = accepted[0]!;
    expect(checkExample(example, new FormatErrors())).toEqual({
      kind: 'chat',
      messages: example.messages,
      outputStart: example.messages.length,
    });
  });
});

describe("ft's own checks", () => {
  it('counts message_not_object per message and measures the rest', () => {
    expect(errorsOf([chat('hi', 3, null)])).toEqual({message_not_object: 3});
  });

  it('counts invalid_weight for a weight other than 0 or 1', () => {
    const weights = [0.5, 2, '1', true, null, -1];
    const messages = weights.map((weight) => ({...assistant, weight}));
    expect(
      errorsOf([chat(...messages, {...assistant, weight: 0}, {...assistant, weight: 1})]),
    ).toEqual({invalid_weight: 6});
  });

  it('counts tool_message_missing_tool_call_id', () => {
    const tools = [
      {role: 'tool', content: 'x'},
      {role: 'tool', content: 'x', tool_call_id: 3},
      {role: 'tool', content: 'x', tool_call_id: ''},
      {role: 'tool', content: 'x', tool_call_id: 'call_1'},
    ];
    expect(errorsOf([chat(...tools)])).toEqual({tool_message_missing_tool_call_id: 3});
  });

  it('counts invalid_tool_calls for malformed tool_calls or function_call', () => {
    const bad = [
      {role: 'assistant', content: 'x', tool_calls: {}},
      {role: 'assistant', content: 'x', tool_calls: [{id: 'a'}]},
      {
        role: 'assistant',
        content: 'x',
        tool_calls: [{id: 'a', type: 'function', function: {name: 'f', arguments: {}}}],
      },
      {role: 'assistant', content: 'x', function_call: 'f'},
    ];
    expect(errorsOf([chat(...bad)])).toEqual({invalid_tool_calls: 4});
    // An empty tool_calls list calls nothing, so a null content is missing too.
    expect(errorsOf([chat({role: 'assistant', content: null, tool_calls: []})])).toEqual({
      missing_content: 1,
      invalid_tool_calls: 1,
    });
  });

  it('counts invalid_content_part once per message', () => {
    const parts = [
      [{type: 'text'}, {type: 'text', text: 3}],
      [{type: 'audio', audio: {}}],
      ['plain string'],
      [{type: 'image_url', image_url: 'https://example.com/a.png'}],
      [{type: 'image_url', image_url: {url: 'https://example.com/a.png', detail: 'huge'}}],
    ];
    expect(errorsOf([chat(...parts.map((content) => ({role: 'user', content})))])).toEqual({
      invalid_content_part: 5,
    });
  });

  it('counts image_not_in_user_message for images in other messages', () => {
    const image = {type: 'image_url', image_url: {url: 'https://example.com/a.png'}};
    const messages = ['assistant', 'system', 'tool'].map((role) => ({
      role,
      content: [{type: 'text', text: 'x'}, image],
      ...(role === 'tool' ? {tool_call_id: 'c'} : {}),
    }));
    expect(errorsOf([chat(...messages)])).toEqual({image_not_in_user_message: 3});
  });

  it('counts invalid_tools and invalid_parallel_tool_calls per example', () => {
    const examples = [
      {...chat(), tools: {}},
      {...chat(), tools: [{type: 'function'}]},
      {...chat(), tools: [{type: 'retrieval', function: {name: 'f'}}]},
      {...chat(), functions: [{}]},
      {...chat(), tools: 'f', functions: 'g'},
      {...chat(), parallel_tool_calls: 'yes'},
      {...chat(), parallel_tool_calls: 0},
    ];
    expect(errorsOf(examples)).toEqual({invalid_tools: 5, invalid_parallel_tool_calls: 2});
  });

  it('documents every check', () => {
    for (const [name, sentence] of Object.entries(FORMAT_CHECKS)) {
      expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(sentence.length).toBeGreaterThan(10);
    }
  });
});

describe('preference pairs', () => {
  const pair = {
    input: {
      messages: [
        {role: 'system', content: 'sys'},
        {role: 'user', content: 'hi'},
      ],
      tools: [{type: 'function', function: {name: 'f'}}],
      parallel_tool_calls: true,
    },
    preferred_output: [{role: 'assistant', content: 'hello!'}],
    non_preferred_output: [{role: 'assistant', content: 'go away'}],
  };

  it('passes a valid pair (no assistant message needed in the input)', () => {
    expect(errorsOf([pair])).toEqual({});
    expect(checkExample(pair, new FormatErrors())).toEqual({
      kind: 'preference',
      messages: [...pair.input.messages, ...pair.preferred_output],
      outputStart: 2,
    });
  });

  it('counts preference_missing_input and skips the example', () => {
    const examples = [
      {...pair, input: undefined},
      {...pair, input: 'hi'},
      {...pair, input: {messages: []}},
      {...pair, input: {}},
    ];
    expect(errorsOf(examples)).toEqual({preference_missing_input: 4});
    expect(checkExample(examples[0], new FormatErrors())).toBeUndefined();
  });

  it('counts preference_missing_output once per example and skips it', () => {
    const examples = [
      {input: pair.input, preferred_output: pair.preferred_output},
      {input: pair.input, non_preferred_output: pair.non_preferred_output},
      {...pair, preferred_output: []},
      {...pair, non_preferred_output: {role: 'assistant', content: 'x'}},
      // Both outputs missing: counted once.
      {input: pair.input},
      // No input and no non-preferred output: one of each.
      {preferred_output: pair.preferred_output},
    ];
    expect(errorsOf(examples)).toEqual({preference_missing_output: 6, preference_missing_input: 1});
    expect(checkExample(examples[0], new FormatErrors())).toBeUndefined();
  });

  it('checks each output message: role, text content, keys', () => {
    const example = {
      ...pair,
      preferred_output: [
        {role: 'user', content: 'x'},
        {role: 'assistant', content: null},
      ],
      non_preferred_output: [
        {role: 'assistant', content: [{type: 'text', text: 'x'}], extra: 1},
        'text',
      ],
    };
    expect(errorsOf([example])).toEqual({
      preference_output_not_assistant: 1,
      preference_output_missing_content: 2,
      message_unrecognized_key: 1,
      message_not_object: 1,
    });
  });

  it('gives the input messages and tools the chat checks', () => {
    const example = {
      ...pair,
      input: {messages: [{role: 'bot', content: ''}], parallel_tool_calls: 'no'},
    };
    expect(errorsOf([example])).toEqual({
      unrecognized_role: 1,
      missing_content: 1,
      invalid_parallel_tool_calls: 1,
    });
  });

  it('is chat when messages is there, whatever else is', () => {
    expect(checkExample({...chat(), preferred_output: 'x'}, new FormatErrors())?.kind).toBe('chat');
    expect(errorsOf([{messages: [], input: pair.input}])).toEqual({missing_messages_list: 1});
  });
});
