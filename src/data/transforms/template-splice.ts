import type {NormalizedTransform} from '../../recipe/normalized.js';
import {type CanonicalWriter, ESCAPED, PLAIN} from '../records/canonical-bytes.js';
import type {Example, Origin} from '../records/example.js';
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
 * name top-level fields holding strings. The line's source record is first written in canonical
 * JSON from its bytes (canonical-bytes.ts, which also gives the record's id); the templated
 * record's canonical JSON is then its template's constant parts with the fields' canonical text
 * in between, copied from there, so the record is not built and serialized; only the message
 * texts are decoded, for the steps after it. The result is the one `templateTransform` gives:
 * the same record, and canonicalJson(record) as `canonicalBytes`.
 *
 * A line this does not take (a missing or non-string field, anything the canonical writer
 * refuses) goes the ordinary way: parse, then templateTransform, which also reports what is
 * wrong with it.
 */
export class TemplateSplicer {
  /** The top-level fields the template reads, by their index in the placeholders' `fields`. */
  readonly fields: readonly string[];
  readonly #messages: readonly MessagePlan[];
  /** Bytes between fields: constant[k] comes before the k-th placeholder, the last one after all. */
  readonly #constants: readonly Buffer[];
  /** The field of each placeholder, in output order. */
  readonly #order: Int32Array;
  /** The fields' texts of the line being built. */
  readonly #values: string[];
  /** Where the canonical lines are written (grows; reused after `reuse`). */
  #arena = Buffer.allocUnsafe(64 * 1024);
  #at = 0;

  private constructor(fieldNames: readonly string[], messages: readonly MessagePlan[]) {
    this.fields = fieldNames;
    this.#values = new Array<string>(fieldNames.length);
    this.#messages = messages;
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
   * The templated example of the line whose source record `source` has just written (a
   * CanonicalWriter made for `fields`, and maybe more after them), with its canonical JSON in `canonicalBytes`, or
   * undefined when the line needs the ordinary path. Its `id` is left for the caller. With
   * `withRecord`, its record is built now from the fields' text (for steps that read it); else it
   * is parsed from the canonical bytes only if something reads it.
   */
  line(source: CanonicalWriter, origin: Origin, withRecord = true): Example | undefined {
    const {start, end, state, buffer} = source;
    // The writer may locate more fields after the template's (the split's `by`).
    const fields = this.fields.length;
    for (let k = 0; k < fields; k++) {
      // Missing, or not a string: templateTransform says what to do.
      if (state[k] !== PLAIN && state[k] !== ESCAPED) return undefined;
    }
    const constants = this.#constants;
    const order = this.#order;
    let size = 0;
    for (let k = 0; k < constants.length; k++) size += constants[k]!.length;
    for (let k = 0; k < order.length; k++) size += end[order[k]!]! - start[order[k]!]! - 2;
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
      // The canonical text is between the quotes, [start + 1, end - 1).
      at += buffer.copy(arena, at, start[field]! + 1, end[field]! - 1);
    }
    at += copy(constants[order.length]!, arena, at);
    this.#at = at;
    const canonicalBytes = arena.subarray(lineStart, at);
    if (!withRecord) return new SplicedExample(origin, canonicalBytes);
    const values = this.#values;
    for (let k = 0; k < fields; k++) {
      values[k] =
        state[k] === PLAIN
          ? buffer.toString('utf8', start[k]! + 1, end[k]! - 1)
          : (JSON.parse(buffer.toString('utf8', start[k], end[k])) as string);
    }
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
    return {record: {messages}, origin, id: '', canonicalBytes};
  }
}

/**
 * A templated example whose record is parsed from its canonical bytes only when a step reads
 * it: with only a split after the template, no record object is ever made. Replacing the record
 * drops the bytes, which then no longer describe it.
 */
class SplicedExample implements Example {
  readonly origin: Origin;
  id = '';
  group?: Example['group'];
  split?: Example['split'];
  canonicalBytes?: Uint8Array;
  #record: Record<string, unknown> | undefined;

  constructor(origin: Origin, canonicalBytes: Uint8Array) {
    this.origin = origin;
    this.canonicalBytes = canonicalBytes;
  }

  get record(): Record<string, unknown> {
    if (this.#record === undefined) {
      const bytes = this.canonicalBytes!;
      this.#record = JSON.parse(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
      ) as Record<string, unknown>;
    }
    return this.#record;
  }

  set record(record: Record<string, unknown>) {
    this.#record = record;
    this.canonicalBytes = undefined;
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
