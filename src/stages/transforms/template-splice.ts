import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example, Origin} from '../records/example.js';
import {ESCAPED, JsonFieldScanner, PLAIN} from '../records/json-field-scanner.js';
import {compileTemplate} from './fill-template.js';

type TemplateOptions = Extract<NormalizedTransform, {template: unknown}>['template'];

interface MessagePlan {
  readonly role: string;
  readonly weight?: 0 | 1;
  /** The template's literal texts, around its fields. */
  readonly literals: readonly string[];
  /** Each placeholder's index among the scanned fields. */
  readonly fields: readonly number[];
}

/**
 * The `template` step done on the bytes of a JSONL line, for the common case: placeholders that
 * name top-level fields holding strings. The record's canonical JSON is then its template's
 * constant parts with the fields' raw text in between (already in JSON.stringify's escaping, or
 * the line is not taken), so it is copied, not built and serialized; only the message texts are
 * decoded, for the steps after it. The result is the one `templateTransform` gives: the same
 * record, and canonicalJson(record) as `canonicalBytes`.
 *
 * A line this does not take (a missing or non-string field, an escape JSON.stringify would write
 * differently, anything the scanner refuses) goes the ordinary way: parse, then templateTransform,
 * which also reports what is wrong with it.
 */
export class TemplateSplicer {
  readonly #scanner: JsonFieldScanner;
  readonly #messages: readonly MessagePlan[];
  /** Bytes between fields: constant[k] comes before the k-th placeholder, the last one after all. */
  readonly #constants: readonly Buffer[];
  /** The scanned field of each placeholder, in output order. */
  readonly #order: Int32Array;
  readonly #values: string[];
  /** Where the canonical lines are written (grows; reused after `reuse`). */
  #arena = Buffer.allocUnsafe(64 * 1024);
  #at = 0;

  private constructor(fieldNames: readonly string[], messages: readonly MessagePlan[]) {
    this.#scanner = new JsonFieldScanner(fieldNames);
    this.#messages = messages;
    this.#values = new Array<string>(fieldNames.length);
    // {"messages":[{"content":"<lit><field><lit>","role":"user"},{"content":"...","role":...}]}
    const constants: string[] = [];
    const order: number[] = [];
    let pending = '{"messages":[';
    messages.forEach((m, i) => {
      pending += `${i > 0 ? ',' : ''}{"content":"`;
      m.literals.forEach((literal, k) => {
        pending += escaped(literal);
        if (k < m.fields.length) {
          constants.push(pending);
          order.push(m.fields[k]!);
          pending = '';
        }
      });
      pending += `",${canonicalRest(m)}}`;
    });
    constants.push(`${pending}]}`);
    this.#constants = constants.map((c) => Buffer.from(c, 'utf8'));
    this.#order = Int32Array.from(order);
  }

  /**
   * A splicer for these template options, or undefined when they need the ordinary step: turns
   * (a list field), nested field paths, or literals with lone surrogates (whose escaped form
   * would change next to a neighbour).
   */
  static for(options: TemplateOptions): TemplateSplicer | undefined {
    if (options.turns !== undefined) return undefined;
    const templates: {role: string; weight?: 0 | 1; content: string}[] = options.messages
      ? options.messages.map((m) => ({...m}))
      : [
          ...(options.system === undefined ? [] : [{role: 'system', content: options.system}]),
          {role: 'user', content: options.user ?? ''},
          {role: 'assistant', content: options.assistant ?? ''},
        ];
    const names: string[] = [];
    const messages: MessagePlan[] = [];
    for (const t of templates) {
      const compiled = compileTemplate(t.content);
      if (compiled.literals.some((l) => /\\ud[89a-f]/.test(escaped(l)))) return undefined;
      const fields: number[] = [];
      for (const field of compiled.fields) {
        if (field.path.length !== 1) return undefined;
        const name = field.path[0]!;
        if (!names.includes(name)) names.push(name);
        fields.push(names.indexOf(name));
      }
      messages.push({
        role: t.role,
        ...(t.weight === undefined ? {} : {weight: t.weight}),
        literals: compiled.literals,
        fields,
      });
    }
    return new TemplateSplicer(names, messages);
  }

  /**
   * Starts over at the beginning of the output buffer: the canonical bytes of the lines before
   * must not be needed any more (they are views of it).
   */
  reuse(): void {
    this.#at = 0;
  }

  /**
   * The templated example of the line bytes[from, to), with its canonical JSON in
   * `canonicalBytes`, or undefined when the line needs the ordinary path.
   */
  line(bytes: Buffer, from: number, to: number, origin: Origin): Example | undefined {
    const scanner = this.#scanner;
    if (!scanner.scan(bytes, from, to)) return undefined;
    const {start, end, state} = scanner;
    const values = this.#values;
    let size = 0;
    for (let k = 0; k < state.length; k++) {
      const s = state[k];
      if (s === PLAIN) values[k] = bytes.toString('utf8', start[k], end[k]);
      else if (s === ESCAPED)
        values[k] = JSON.parse(bytes.toString('utf8', start[k]! - 1, end[k]! + 1));
      else return undefined; // missing, or not a string: templateTransform says what to do
    }
    const constants = this.#constants;
    const order = this.#order;
    for (let k = 0; k < constants.length; k++) size += constants[k]!.length;
    for (let k = 0; k < order.length; k++) size += end[order[k]!]! - start[order[k]!]!;
    if (this.#at + size > this.#arena.length) {
      // A new buffer: the views handed out so far keep the old one alive while they are used.
      this.#arena = Buffer.allocUnsafe(Math.max(size, this.#arena.length * 2));
      this.#at = 0;
    }
    const arena = this.#arena;
    const lineStart = this.#at;
    let at = lineStart;
    for (let k = 0; k < order.length; k++) {
      at += copy(constants[k]!, arena, at);
      const field = order[k]!;
      at += bytes.copy(arena, at, start[field], end[field]);
    }
    at += copy(constants[order.length]!, arena, at);
    this.#at = at;

    const messages: Record<string, unknown>[] = [];
    for (const m of this.#messages) {
      let content = m.literals[0]!;
      for (let k = 0; k < m.fields.length; k++)
        content += values[m.fields[k]!]! + m.literals[k + 1]!;
      messages.push(
        m.weight === undefined
          ? {content, role: m.role}
          : {content, role: m.role, weight: m.weight},
      );
    }
    return {record: {messages}, origin, id: '', canonicalBytes: arena.subarray(lineStart, at)};
  }
}

/** Short constants are copied byte by byte: cheaper than a native call at this size. */
function copy(from: Buffer, to: Buffer, at: number): number {
  const n = from.length;
  if (n > 32) return from.copy(to, at);
  for (let i = 0; i < n; i++) to[at + i] = from[i]!;
  return n;
}

/** A text as it appears inside a canonical JSON string. */
function escaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** The keys after `content` in a message's canonical JSON: role, then weight. */
function canonicalRest(m: {role: string; weight?: 0 | 1}): string {
  return `"role":${JSON.stringify(m.role)}${m.weight === undefined ? '' : `,"weight":${m.weight}`}`;
}
