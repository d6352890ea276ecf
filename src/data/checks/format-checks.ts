import type {Conversation} from './conversation.js';
import {isRecord} from './conversation.js';

/**
 * Every format check, with the sentence `ft plan` can show for it. The first seven are the
 * cookbook notebook's (SPEC.md section 3) under its names, minus its false alarms: everything
 * SPEC.md section 2 says the API accepts (tool calls, `weight`, the tool/developer roles, content
 * parts, preference pairs) passes. The rest are ft's own, for data the API rejects.
 */
export const FORMAT_CHECKS = {
  /** Notebook 1: the line is not a JSON object; the example is skipped. Per example. */
  data_type: 'the example is not a JSON object',
  /**
   * Notebook 2: `messages` missing or falsy (an empty list included); the example is skipped.
   * Per example. ft also counts a `messages` that is not a list here (the notebook would iterate
   * a string or object's keys as messages).
   */
  missing_messages_list: 'the example has no non-empty messages list',
  /**
   * Notebook 3a, per message: no `role`, or no `content`. An assistant message with `tool_calls`
   * or `function_call` may leave `content` out (SPEC.md section 2).
   */
  message_missing_key: 'a message has no role or no content',
  /**
   * Notebook 3b, per message: a key outside role, content, name, function_call, weight, and
   * (unlike the notebook) tool_calls and tool_call_id.
   */
  message_unrecognized_key: 'a message has a key the API does not accept',
  /**
   * Notebook 3c, per message: a role outside system, user, assistant, function, and (unlike the
   * notebook) tool and developer.
   */
  unrecognized_role: 'a message has a role the API does not accept',
  /**
   * Notebook 3d, per message: content that is not a non-empty string. Also accepted, unlike the
   * notebook: a non-empty list of content parts (vision and text parts, SPEC.md section 2), and a
   * null, absent or empty content on an assistant message with `tool_calls` or `function_call`.
   */
  missing_content: 'a message has no content',
  /** Notebook 4, per example: no message has role assistant, so nothing is trained on. */
  example_missing_assistant_message: 'the example has no assistant message',
  /** ft, per message: an entry of the messages list is not an object (the notebook would crash). */
  message_not_object: 'a message is not a JSON object',
  /** ft, per message: `weight` is present but not 0 or 1 (SPEC.md section 2: `weight: 0|1`). */
  invalid_weight: 'a message has a weight other than 0 or 1',
  /**
   * ft, per message: `tool_calls` is not a non-empty list of
   * `{id, type: "function", function: {name, arguments}}` (strings), or `function_call` is not
   * `{name, arguments}` (SPEC.md section 2). null counts as absent.
   */
  invalid_tool_calls: 'a message has malformed tool_calls or function_call',
  /** ft, per message: a tool message without a `tool_call_id` string (SPEC.md section 2). */
  tool_message_missing_tool_call_id: 'a tool message has no tool_call_id',
  /**
   * ft, per message (at most once each): a content part that is neither `{type: "text", text}`
   * nor `{type: "image_url", image_url: {url, detail?: low|high|auto}}` (SPEC.md section 2).
   */
  invalid_content_part: 'a message has a malformed content part',
  /**
   * ft, per message: an image part outside a user message (SPEC.md section 2: images are user
   * content parts; "assistant messages may not contain images").
   */
  image_not_in_user_message: 'an image is in a message that is not from the user',
  /**
   * ft, per example: `tools` is not a list of `{type: "function", function: {name}}`, or the
   * legacy `functions` is not a list of `{name}` (SPEC.md section 2). null counts as absent.
   */
  invalid_tools: 'the example has a malformed tools or functions list',
  /** ft, per example: `parallel_tool_calls` is not a boolean (null counts as absent). */
  invalid_parallel_tool_calls: 'the example has a parallel_tool_calls that is not true or false',
  /**
   * ft, per preference example: `input` is not an object with a non-empty `messages` list
   * (SPEC.md section 2, DPO); the example is skipped by the statistics.
   */
  preference_missing_input: 'a preference example has no input messages',
  /**
   * ft, per preference example: `preferred_output` or `non_preferred_output` is not a non-empty
   * list; the example is skipped by the statistics.
   */
  preference_missing_output: 'a preference example lacks a preferred or non-preferred output',
  /** ft, per output message: a preferred or non-preferred output whose role is not assistant. */
  preference_output_not_assistant: 'a preference output is not an assistant message',
  /** ft, per output message: an output without non-empty string content (DPO is text only). */
  preference_output_missing_content: 'a preference output has no text content',
} as const;

export type FormatCheckName = keyof typeof FORMAT_CHECKS;

/** Error counts, keyed in order of first occurrence as the notebook's defaultdict prints them. */
export class FormatErrors {
  readonly #counts = new Map<FormatCheckName, number>();

  add(name: FormatCheckName): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** Only names with a count, in order of first occurrence. */
  toJSON(): Partial<Record<FormatCheckName, number>> {
    return Object.fromEntries(this.#counts);
  }
}

/** SPEC.md section 2's message roles (the notebook has only the first four). */
const ROLES: ReadonlySet<unknown> = new Set([
  'system',
  'user',
  'assistant',
  'function',
  'tool',
  'developer',
]);

/** The notebook's keys plus the tool-calling keys SPEC.md section 2 lists. */
const MESSAGE_KEYS: ReadonlySet<string> = new Set([
  'role',
  'content',
  'name',
  'function_call',
  'weight',
  'tool_calls',
  'tool_call_id',
]);

const IMAGE_DETAILS: ReadonlySet<unknown> = new Set(['low', 'high', 'auto']);

/**
 * Runs every check on one example (a parsed JSONL line), counting failures into `errors`.
 * Returns what the statistics measure, or undefined when the example is skipped: not an object,
 * no messages list, or a preference pair without input or outputs (the notebook's `continue`).
 * An example is a preference pair when it has no `messages` but has `input`,
 * `preferred_output` or `non_preferred_output`.
 */
export function checkExample(example: unknown, errors: FormatErrors): Conversation | undefined {
  if (!isRecord(example)) {
    errors.add('data_type');
    return undefined;
  }
  if (example.messages === undefined && isPreferenceShaped(example)) {
    return checkPreference(example, errors);
  }
  const messages = example.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    errors.add('missing_messages_list');
    return undefined;
  }
  let hasAssistant = false;
  for (const message of messages) {
    checkMessage(message, errors);
    if (isRecord(message) && message.role === 'assistant') hasAssistant = true;
  }
  if (!hasAssistant) errors.add('example_missing_assistant_message');
  checkTools(example, errors);
  return {kind: 'chat', messages, outputStart: messages.length};
}

/** A preference pair (DPO) rather than a chat example: no `messages`, but an input or outputs. */
export function isPreferenceShaped(example: Record<string, unknown>): boolean {
  return (
    example.input !== undefined ||
    example.preferred_output !== undefined ||
    example.non_preferred_output !== undefined
  );
}

/** Checks 3a-3d of the notebook on one chat message, then ft's own message checks. */
function checkMessage(message: unknown, errors: FormatErrors): void {
  if (!isRecord(message)) {
    errors.add('message_not_object');
    return;
  }
  const role = message.role;
  const content = message.content;
  const toolCalls = message.tool_calls;
  const functionCall = message.function_call;
  const callsTools =
    role === 'assistant' &&
    ((Array.isArray(toolCalls) && toolCalls.length > 0) || isRecord(functionCall));

  if (role === undefined || (content === undefined && !callsTools)) {
    errors.add('message_missing_key');
  }
  for (const key of Object.keys(message)) {
    if (!MESSAGE_KEYS.has(key)) {
      errors.add('message_unrecognized_key');
      break;
    }
  }
  if (!ROLES.has(role)) errors.add('unrecognized_role');
  const hasContent =
    typeof content === 'string'
      ? content !== '' || callsTools
      : Array.isArray(content)
        ? content.length > 0
        : callsTools && content == null;
  if (!hasContent) errors.add('missing_content');

  const weight = message.weight;
  if (weight !== undefined && weight !== 0 && weight !== 1) errors.add('invalid_weight');
  if (
    (toolCalls != null && !isToolCallList(toolCalls)) ||
    (functionCall != null && !isFunctionCall(functionCall))
  ) {
    errors.add('invalid_tool_calls');
  }
  if (
    role === 'tool' &&
    (typeof message.tool_call_id !== 'string' || message.tool_call_id === '')
  ) {
    errors.add('tool_message_missing_tool_call_id');
  }
  if (Array.isArray(content)) checkContentParts(content, role, errors);
}

function checkContentParts(parts: unknown[], role: unknown, errors: FormatErrors): void {
  let invalid = false;
  let image = false;
  for (const part of parts) {
    if (!isRecord(part)) invalid = true;
    else if (part.type === 'text') invalid ||= typeof part.text !== 'string';
    else if (part.type === 'image_url') {
      image = true;
      const url = part.image_url;
      invalid ||=
        !isRecord(url) ||
        typeof url.url !== 'string' ||
        (url.detail !== undefined && !IMAGE_DETAILS.has(url.detail));
    } else invalid = true;
  }
  if (invalid) errors.add('invalid_content_part');
  if (image && role !== 'user') errors.add('image_not_in_user_message');
}

function isToolCallList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every(
    (call) =>
      isRecord(call) &&
      typeof call.id === 'string' &&
      call.type === 'function' &&
      isFunctionCall(call.function),
  );
}

function isFunctionCall(value: unknown): boolean {
  return isRecord(value) && typeof value.name === 'string' && typeof value.arguments === 'string';
}

/** Example-level tool fields: on a chat example, or on a preference pair's `input`. */
function checkTools(holder: Record<string, unknown>, errors: FormatErrors): void {
  const {tools, functions, parallel_tool_calls: parallel} = holder;
  const badTools =
    tools != null &&
    !(
      Array.isArray(tools) &&
      tools.every(
        (tool) =>
          isRecord(tool) &&
          tool.type === 'function' &&
          isRecord(tool.function) &&
          typeof tool.function.name === 'string',
      )
    );
  const badFunctions =
    functions != null &&
    !(
      Array.isArray(functions) && functions.every((f) => isRecord(f) && typeof f.name === 'string')
    );
  if (badTools || badFunctions) errors.add('invalid_tools');
  if (parallel != null && typeof parallel !== 'boolean') errors.add('invalid_parallel_tool_calls');
}

/**
 * A preference pair (SPEC.md section 2, DPO): `input.messages` get the chat message checks
 * (they need no assistant message), each output message its own checks.
 */
function checkPreference(
  example: Record<string, unknown>,
  errors: FormatErrors,
): Conversation | undefined {
  const input = example.input;
  const inputMessages = isRecord(input) ? input.messages : undefined;
  const usableInput = Array.isArray(inputMessages) && inputMessages.length > 0;
  if (!usableInput) errors.add('preference_missing_input');
  const preferred = example.preferred_output;
  const nonPreferred = example.non_preferred_output;
  const usableOutputs =
    Array.isArray(preferred) &&
    preferred.length > 0 &&
    Array.isArray(nonPreferred) &&
    nonPreferred.length > 0;
  if (!usableOutputs) errors.add('preference_missing_output');

  if (usableInput) for (const message of inputMessages) checkMessage(message, errors);
  if (isRecord(input)) checkTools(input, errors);
  for (const output of [preferred, nonPreferred]) {
    if (Array.isArray(output)) for (const message of output) checkOutputMessage(message, errors);
  }
  if (!usableInput || !usableOutputs) return undefined;
  return {
    kind: 'preference',
    messages: [...inputMessages, ...preferred],
    outputStart: inputMessages.length,
  };
}

function checkOutputMessage(message: unknown, errors: FormatErrors): void {
  if (!isRecord(message)) {
    errors.add('message_not_object');
    return;
  }
  for (const key of Object.keys(message)) {
    if (!MESSAGE_KEYS.has(key)) {
      errors.add('message_unrecognized_key');
      break;
    }
  }
  if (message.role !== 'assistant') errors.add('preference_output_not_assistant');
  if (typeof message.content !== 'string' || message.content === '') {
    errors.add('preference_output_missing_content');
  }
}
