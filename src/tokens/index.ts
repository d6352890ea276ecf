/**
 * ft's tokenizer: tiktoken-exact cl100k_base / o200k_base encoding, synchronous, pure JS.
 *
 * Vocabularies come from gpt-tokenizer's data files, checked against the sha256 that OpenAI's
 * tiktoken pins, and are loaded on first use of each encoding.
 */

import type {ChatExample} from './chat.js';
import {countAssistantTokensWith, countChatTokensWith} from './chat.js';
import type {AllowedSpecial} from './encoder.js';
import {Encoder} from './encoder.js';
import type {EncodingName} from './encodings.js';
import {getEncodingSpec} from './encodings.js';
import {loadVocabulary} from './vocab.js';

export type {ChatExample} from './chat.js';
export type {AllowedSpecial} from './encoder.js';
export type {EncodingName} from './encodings.js';
export {ENCODING_NAMES} from './encodings.js';
export {
  parseTiktokenRanks,
  readTiktokenFile,
  VocabularyIntegrityError,
  vocabularyPath,
} from './vocab.js';

/** Options shared by encode and countTokens. */
export interface EncodeOptions {
  /**
   * Special tokens to recognise: 'all', or a list of their texts (e.g. ['<|endoftext|>']).
   * Default: none, so "<|endoftext|>" is plain text (tiktoken's encode_ordinary). Special-token
   * text that is not allowed is encoded as ordinary text; nothing ever throws for it (tiktoken's
   * disallowed_special=()).
   */
  allowedSpecial?: AllowedSpecial;
}

const encoders = new Map<EncodingName, Encoder>();

/** The loaded encoder for a name (loads and verifies the vocabulary on first use). */
function encoderFor(encoding: EncodingName): Encoder {
  let encoder = encoders.get(encoding);
  if (encoder === undefined) {
    const spec = getEncodingSpec(encoding);
    encoder = new Encoder(spec, loadVocabulary(spec));
    encoders.set(encoding, encoder);
  }
  return encoder;
}

function allowedOf(options: EncodeOptions | undefined): AllowedSpecial | undefined {
  const allowed = options?.allowedSpecial;
  if (allowed === undefined || allowed === 'all' || Array.isArray(allowed)) return allowed;
  throw new TypeError("allowedSpecial must be 'all' or an array of special-token strings");
}

/** Token ids of `text`, identical to tiktoken's (lone surrogates count as U+FFFD, as there). */
export function encode(text: string, encoding: EncodingName, options?: EncodeOptions): number[] {
  return encoderFor(encoding).encode(text, allowedOf(options));
}

/** encode(text, encoding, options).length, without materialising the ids. */
export function countTokens(text: string, encoding: EncodingName, options?: EncodeOptions): number {
  return encoderFor(encoding).count(text, allowedOf(options));
}

/**
 * Text of a token sequence. Special ids decode to their text; a sequence that splits a UTF-8
 * character yields U+FFFD for the broken bytes (tiktoken's decode uses errors="replace").
 * Throws RangeError for an id that is not in the encoding.
 */
export function decode(ids: readonly number[], encoding: EncodingName): string {
  return encoderFor(encoding).decode(ids);
}

/** Raw bytes of a token sequence (tiktoken's decode_bytes); RangeError for unknown ids. */
export function decodeBytes(ids: readonly number[], encoding: EncodingName): Uint8Array {
  return encoderFor(encoding).decodeBytes(ids);
}

/**
 * Tokens of a chat example by the OpenAI cookbook rule (`num_tokens_from_messages` in the chat
 * fine-tuning data prep notebook): for each message 3, plus the tokens of each string value
 * (role, content, name, ...), plus 1 when the key is `name`; then 3 for reply priming.
 * Non-string values (tool_calls, weight, null content) are skipped. Values count as ordinary text.
 */
export function countChatTokens(example: ChatExample, encoding: EncodingName): number {
  return countChatTokensWith(countOrdinary, example, encoding);
}

/**
 * Assistant tokens of a chat example by the cookbook's `num_assistant_tokens_from_messages`:
 * the tokens of `content` summed over messages with role 'assistant' (non-string content skipped).
 */
export function countAssistantTokens(example: ChatExample, encoding: EncodingName): number {
  return countAssistantTokensWith(countOrdinary, example, encoding);
}

function countOrdinary(text: string, encoding: EncodingName): number {
  return encoderFor(encoding).count(text);
}
