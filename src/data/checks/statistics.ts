import type {EncodingName} from '../../tokens/index.js';
import {countChatTokens, countTokens} from '../../tokens/index.js';
import type {Conversation} from './conversation.js';
import {isRecord} from './conversation.js';
import {GrowableUint32Array} from './growable-array.js';
import type {TokenScheme} from './models.js';
import type {Distribution} from './quantile.js';
import {distribution} from './quantile.js';

/** The statistics part of the plan report (keys as `ft plan --json` shows them). */
export interface DatasetStatistics {
  /** Measured examples with no system (or developer) message. */
  missing_system: number;
  /** Measured examples with no user message. */
  missing_user: number;
  /** Measured examples with more tokens than the training context; null when it is unknown. */
  over_limit: number | null;
  tokens: {messages: Distribution; total: Distribution; assistant: Distribution};
}

/**
 * The notebook's warnings and distributions (SPEC.md section 3), kept as three 32-bit counts per
 * example. Per conversation:
 * - messages: the number of entries of the list (chat `messages`; preference input messages plus
 *   preferred output), as the notebook's `len(messages)`.
 * - total: the cookbook rule, `countChatTokens` with the model's encoding, over the messages that
 *   are objects; plus the tokens of text content parts, which the rule skips as non-strings
 *   (images count nothing: their cost depends on the image).
 * - assistant: the tokens of the trained content, as `countAssistantTokens`: assistant messages'
 *   content for chat; the preferred output's content for preference pairs.
 * The trained content is tokenized once: the rule sums the tokens of each string value, so total
 * = countChatTokens(messages with that content nulled) + its tokens.
 */
export class ConversationStatistics {
  readonly #encoding: TokenScheme;
  readonly #context: number | null;
  readonly #messages = new GrowableUint32Array();
  readonly #total = new GrowableUint32Array();
  readonly #assistant = new GrowableUint32Array();
  #missingSystem = 0;
  #missingUser = 0;
  #overLimit = 0;
  #billable = 0;

  /** @param context training-example context: the cap on billed tokens and the over-limit bound */
  constructor(encoding: TokenScheme, context: number | null) {
    this.#encoding = encoding;
    this.#context = context;
  }

  add(conversation: Conversation): void {
    if (this.#encoding === 'bytes') {
      this.#addBytes(conversation);
      return;
    }
    const {kind, messages, outputStart} = conversation;
    const encoding = this.#encoding;
    const framed: Array<Record<string, unknown>> = [];
    let hasSystem = false;
    let hasUser = false;
    /** Tokens of trained string content, nulled in `framed`. */
    let trainedText = 0;
    /** Tokens of text content parts, and those of them that are trained. */
    let parts = 0;
    let trainedParts = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      if (!isRecord(message)) continue;
      const role = message.role;
      if (i < outputStart) {
        if (role === 'system' || role === 'developer') hasSystem = true;
        else if (role === 'user') hasUser = true;
      }
      const isTrained = kind === 'chat' ? role === 'assistant' : i >= outputStart;
      const content = message.content;
      if (typeof content === 'string' && isTrained) {
        trainedText += countTokens(content, encoding);
        framed.push({...message, content: null});
        continue;
      }
      if (Array.isArray(content)) {
        const text = textPartTokens(content, encoding);
        parts += text;
        if (isTrained) trainedParts += text;
      }
      framed.push(message);
    }
    const total = countChatTokens({messages: framed}, encoding) + trainedText + parts;
    this.#record(messages.length, total, trainedText + trainedParts, hasSystem, hasUser);
  }

  /**
   * The embedded trainer's count, exactly as it renders an example: per message a role token,
   * the UTF-8 bytes of its content (its JSON text when it is not a string) and an end-of-turn
   * token.
   */
  #addBytes(conversation: Conversation): void {
    const {kind, messages, outputStart} = conversation;
    let total = 0;
    let trained = 0;
    let hasSystem = false;
    let hasUser = false;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      if (!isRecord(message)) continue;
      const role = message.role;
      if (i < outputStart) {
        if (role === 'system' || role === 'developer') hasSystem = true;
        else if (role === 'user') hasUser = true;
      }
      const content = message.content;
      const text =
        typeof content === 'string' ? content : content == null ? '' : JSON.stringify(content);
      const bytes = Buffer.byteLength(text, 'utf8');
      total += bytes + 2;
      if (kind === 'chat' ? role === 'assistant' : i >= outputStart) trained += bytes;
    }
    this.#record(messages.length, total, trained, hasSystem, hasUser);
  }

  #record(
    messages: number,
    total: number,
    trained: number,
    hasSystem: boolean,
    hasUser: boolean,
  ): void {
    this.#messages.push(messages);
    this.#total.push(total);
    this.#assistant.push(trained);
    if (!hasSystem) this.#missingSystem++;
    if (!hasUser) this.#missingUser++;
    const context = this.#context;
    if (context !== null && total > context) this.#overLimit++;
    this.#billable += context === null ? total : Math.min(context, total);
  }

  /** Σ min(context, total) over the measured examples (the notebook's billing sum). */

  billableTokens(): number {
    return this.#billable;
  }

  summary(): DatasetStatistics {
    return {
      missing_system: this.#missingSystem,
      missing_user: this.#missingUser,
      over_limit: this.#context === null ? null : this.#overLimit,
      tokens: {
        messages: distribution(this.#messages.sorted(), this.#messages.sum),
        total: distribution(this.#total.sorted(), this.#total.sum),
        assistant: distribution(this.#assistant.sorted(), this.#assistant.sum),
      },
    };
  }
}

function textPartTokens(parts: readonly unknown[], encoding: EncodingName): number {
  let tokens = 0;
  for (const part of parts) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') {
      tokens += countTokens(part.text, encoding);
    }
  }
  return tokens;
}
