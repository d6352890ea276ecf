import type {EncodingName} from './encodings.js';

/** A chat fine-tuning example as in OpenAI's JSONL format (only `messages` matters here). */
export interface ChatExample {
  messages: Array<Record<string, unknown>>;
}

/** Counts tokens of ordinary text (special-token text counts as plain text). */
export type TextCounter = (text: string, encoding: EncodingName) => number;

/** Per-message framing: `<|start|>{role/name}\n{content}<|end|>\n` (cookbook comment). */
const TOKENS_PER_MESSAGE = 3;
/** Extra token the cookbook adds for a `name` field. */
const TOKENS_PER_NAME = 1;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
const REPLY_PRIMING = 3;

/**
 * Chat-format token count by the OpenAI cookbook rule (chat fine-tuning data prep notebook,
 * `num_tokens_from_messages`): 3 per message, plus the tokens of every string value in the
 * message (role, content, name, ...), plus 1 more for a string `name`, plus 3 for reply priming.
 * Non-string values (tool_calls arrays, weight numbers, null content) are skipped: the notebook
 * only ever encodes strings. It is an estimate of what the API bills, not an exact figure.
 */
export function countChatTokensWith(
  count: TextCounter,
  example: ChatExample,
  encoding: EncodingName,
): number {
  let total = 0;
  for (const message of example.messages) {
    total += TOKENS_PER_MESSAGE;
    for (const [key, value] of Object.entries(message)) {
      if (typeof value !== 'string') continue;
      total += count(value, encoding);
      if (key === 'name') total += TOKENS_PER_NAME;
    }
  }
  return total + REPLY_PRIMING;
}

/**
 * Tokens the model is trained to produce, by the cookbook's `num_assistant_tokens_from_messages`:
 * the sum of the tokens of `content` over messages whose role is 'assistant'. Content that is not
 * a string (null, missing, structured) contributes nothing.
 */
export function countAssistantTokensWith(
  count: TextCounter,
  example: ChatExample,
  encoding: EncodingName,
): number {
  let total = 0;
  for (const message of example.messages) {
    if (message.role !== 'assistant') continue;
    const content = message.content;
    if (typeof content === 'string') total += count(content, encoding);
  }
  return total;
}
