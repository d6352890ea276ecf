/**
 * The embedded trainer's byte-level tokenizer. Ids 0-255 are the bytes of UTF-8 text; then one
 * token per role and an end-of-turn token. A message renders as
 *   <role> <UTF-8 bytes of its content> <end_of_turn>
 * and a record as its messages in order (no BOS: the first role token starts every sequence).
 * `developer` is rendered as `system`. Content that is not a string (an assistant turn that only
 * calls tools) renders as its canonical JSON text, or nothing when absent.
 */

export const TOKEN = {
  system: 256,
  user: 257,
  assistant: 258,
  tool: 259,
  end_of_turn: 260,
} as const;

export const VOCAB_SIZE = 261;

/** The tokenizer as config.json describes it. */
export const TOKENIZER_DESCRIPTION = {
  type: 'bytes',
  bytes: '0-255 are UTF-8 bytes',
  special: TOKEN,
  developer: 'rendered as system',
  message: '<role> content-bytes <end_of_turn>',
} as const;

export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly weight?: number;
}

/** A rendered example: tokens and, per token, whether the loss trains on predicting it. */
export interface Rendered {
  readonly tokens: number[];
  readonly trained: boolean[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', {fatal: false});

export function roleToken(role: string): number {
  switch (role) {
    case 'system':
    case 'developer':
      return TOKEN.system;
    case 'user':
      return TOKEN.user;
    case 'assistant':
      return TOKEN.assistant;
    case 'tool':
      return TOKEN.tool;
    default:
      throw new Error(
        `a message has role ${JSON.stringify(role)}; embedded knows system, developer, user, assistant and tool`,
      );
  }
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  return JSON.stringify(content);
}

/**
 * Renders messages. Trained tokens are an assistant message's content bytes and its
 * end-of-turn, unless the message has `"weight": 0`; role tokens and other roles are context.
 */
export function render(messages: readonly ChatMessage[]): Rendered {
  const tokens: number[] = [];
  const trained: boolean[] = [];
  for (const m of messages) {
    const train = m.role === 'assistant' && m.weight !== 0;
    tokens.push(roleToken(m.role));
    trained.push(false);
    for (const byte of encoder.encode(contentText(m.content))) {
      tokens.push(byte);
      trained.push(train);
    }
    tokens.push(TOKEN.end_of_turn);
    trained.push(train);
  }
  return {tokens, trained};
}

/** The prompt for generation: the messages before the last assistant one, then <assistant>. */
export function renderPrompt(messages: readonly ChatMessage[]): number[] {
  let last = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'assistant') {
      last = i;
      break;
    }
  }
  return [...render(messages.slice(0, last)).tokens, TOKEN.assistant];
}

/** Generated tokens as text: bytes decoded as UTF-8 (U+FFFD for invalid), specials dropped. */
export function decode(tokens: readonly number[]): string {
  return decoder.decode(Uint8Array.from(tokens.filter((t) => t < 256)));
}
