/**
 * Deterministic chat completions: the reply is a pure function of the model id and the messages
 * (and, for a fine-tuned model, of the training files of its job and its ancestors, which are
 * fixed once the model exists).
 *
 * THE RULE
 * 1. A fine-tuned model "memorises" its training data. From each training example it learns a
 *    lesson: the prompt (the messages before the example's last assistant message; for DPO the
 *    `input.messages`; for legacy examples `[{role: "user", content: prompt}]`) and the answer
 *    (that assistant message's text; DPO: the last `preferred_output` text; legacy: `completion`).
 * 2. For a fine-tuned model, if the request's messages equal a lesson's prompt (role and text of
 *    every message, in order), the reply is that lesson's answer; else if the request's last user
 *    message text equals a lesson's last user text, the reply is that answer. The model's own
 *    lessons are searched first, then its parent's (continued training), first match wins.
 * 3. Otherwise (and for base models) the reply is
 *    `Emulated reply <16 hex>` where the hex is sha256("<model>\n<prompt key>"), the prompt key
 *    being the JSON array of `[role, text]` of the request's messages.
 *
 * Token counts in `usage` are `ceil(chars / 4)` of the texts (an approximation, not tiktoken).
 */
import {sha256Hex} from './ids.js';
import type {Lesson} from './models.js';

interface MessageLike {
  readonly role?: unknown;
  readonly content?: unknown;
}

/** The text of a message's content: a string, or the `text` of its text parts joined. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'object' && p !== null && 'text' in p ? String(p.text) : ''))
      .join('');
  }
  return '';
}

export function promptKey(messages: readonly MessageLike[]): string {
  return JSON.stringify(messages.map((m) => [String(m.role), textOf(m.content)]));
}

function lastUser(messages: readonly MessageLike[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') return textOf(messages[i]?.content);
  }
  return undefined;
}

function lesson(prompt: readonly MessageLike[], answer: unknown): Lesson {
  return {prompt: promptKey(prompt), lastUser: lastUser(prompt), answer: textOf(answer)};
}

/** The lesson one training example teaches, or undefined when it teaches none. */
export function lessonOf(example: unknown): Lesson | undefined {
  if (typeof example !== 'object' || example === null) return undefined;
  const ex = example as Record<string, unknown>;
  if (Array.isArray(ex.messages)) {
    const messages = ex.messages as MessageLike[];
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]?.role === 'assistant')
        return lesson(messages.slice(0, i), messages[i]?.content);
    }
    return undefined;
  }
  const input = ex.input as {messages?: unknown} | undefined;
  if (input && Array.isArray(input.messages) && Array.isArray(ex.preferred_output)) {
    const preferred = ex.preferred_output as MessageLike[];
    return lesson(input.messages as MessageLike[], preferred[preferred.length - 1]?.content);
  }
  if (typeof ex.prompt === 'string' && typeof ex.completion === 'string') {
    return lesson([{role: 'user', content: ex.prompt}], ex.completion);
  }
  return undefined;
}

/** Rule 2 then rule 3 above; `chain` is the model's lessons, then its ancestors'. */
export function reply(
  model: string,
  messages: readonly MessageLike[],
  chain: readonly (readonly Lesson[])[],
): string {
  const key = promptKey(messages);
  const user = lastUser(messages);
  for (const lessons of chain) {
    const exact = lessons.find((l) => l.prompt === key);
    if (exact) return exact.answer;
  }
  if (user !== undefined) {
    for (const lessons of chain) {
      const loose = lessons.find((l) => l.lastUser === user);
      if (loose) return loose.answer;
    }
  }
  return `Emulated reply ${sha256Hex(`${model}\n${key}`).slice(0, 16)}`;
}

export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
