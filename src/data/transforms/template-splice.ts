import type {NormalizedTransform} from '../../recipe/normalized.js';
import {ESCAPED, PLAIN, type WrittenCanonical} from '../records/canonical-bytes.js';
import type {Example, Origin} from '../records/example.js';
import {valueAt} from '../records/fields.js';
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

/** Where a message's content text lies in the line: an offset into one of the constants. */
interface ContentPlace {
  /** The constant the content starts in, and the byte offset in it where it starts. */
  readonly startConstant: number;
  readonly startOffset: number;
  /** The same for where it ends (its closing quote). */
  readonly endConstant: number;
  readonly endOffset: number;
  /** Whether its literals read the same escaped (then content bytes without escapes are text). */
  readonly plainLiterals: boolean;
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
  /** Where each message's content is, by the constants around it. */
  readonly #places: readonly ContentPlace[];
  /** Where each constant was written in the line being built. */
  readonly #constantAt: Int32Array;
  /** Where the canonical lines are written (grows; reused after `reuse`). */
  #arena = Buffer.allocUnsafe(64 * 1024);
  #at = 0;

  private constructor(fieldNames: readonly string[], messages: readonly MessagePlan[]) {
    this.fields = fieldNames;
    this.#messages = messages;
    // {"messages":[{"content":"<lit><field><lit>","role":"user"},{"content":"...","role":...}]}
    const constants: string[] = [];
    const order: number[] = [];
    const places: ContentPlace[] = [];
    let pending = '{"messages":[';
    messages.forEach((m, i) => {
      pending += `${i > 0 ? ',' : ''}{"content":"`;
      const startConstant = constants.length;
      const startOffset = Buffer.byteLength(pending);
      m.literals.forEach((literal, k) => {
        pending += escaped(literal);
        if (k < m.fields.length) {
          constants.push(pending);
          order.push(m.fields[k]!);
          pending = '';
        }
      });
      places.push({
        startConstant,
        startOffset,
        endConstant: constants.length,
        endOffset: Buffer.byteLength(pending),
        plainLiterals: m.literals.every((l) => escaped(l) === l),
      });
      pending += `",${canonicalRest(m)}}`;
    });
    constants.push(`${pending}]}`);
    this.#constants = constants.map((c) => Buffer.from(c, 'utf8'));
    this.#order = Int32Array.from(order);
    this.#places = places;
    this.#constantAt = new Int32Array(constants.length);
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
   * CanonicalWriter made for `fields`, and maybe more after them), with its canonical JSON in
   * `canonicalBytes`, or undefined when the line needs the ordinary path. Its `id` is left for
   * the caller. Its record is made only if a step reads it, and a step that reads one field
   * (`fieldAt`) gets that field's text alone.
   */
  line(source: WrittenCanonical, origin: Origin): Example | undefined {
    const {start, end, state, buffer} = source;
    // The writer may locate more fields after the template's (the split's `by`).
    const fields = this.fields.length;
    for (let k = 0; k < fields; k++) {
      // Missing, or not a string: templateTransform says what to do.
      if (state[k] !== PLAIN && state[k] !== ESCAPED) return undefined;
      // A lone surrogate at a field's edge may pair with one next to it ("{{a}}{{b}}"), which
      // JSON.stringify then writes as one character: that line takes the ordinary path.
      if (state[k] === ESCAPED && loneSurrogateAtEdge(buffer, start[k]! + 1, end[k]! - 1))
        return undefined;
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
    const constantAt = this.#constantAt;
    const lineStart = this.#at;
    let at = lineStart;
    for (let k = 0; k < order.length; k++) {
      constantAt[k] = at - lineStart;
      at += copy(constants[k]!, arena, at);
      const field = order[k]!;
      // The canonical text is between the quotes, [start + 1, end - 1).
      at += buffer.copy(arena, at, start[field]! + 1, end[field]! - 1);
    }
    constantAt[order.length] = at - lineStart;
    at += copy(constants[order.length]!, arena, at);
    this.#at = at;
    // Each message's content, as offsets into the line, and whether it has escapes.
    const places = this.#places;
    const contents: number[] = [];
    for (let m = 0; m < places.length; m++) {
      const place = places[m]!;
      let plain = place.plainLiterals;
      for (const f of this.#messages[m]!.fields) if (state[f] !== PLAIN) plain = false;
      contents.push(
        constantAt[place.startConstant]! + place.startOffset,
        constantAt[place.endConstant]! + place.endOffset,
        plain ? 0 : 1,
      );
    }
    return new SplicedExample(origin, arena.subarray(lineStart, at), this.#messages, contents);
  }
}

/**
 * A templated example whose record is made from its canonical bytes only when a step reads it:
 * with only a split after the template, no record object is ever made, and a step that reads
 * one message field (`fieldAt`, as a filter on `messages.1.content` does) decodes that field
 * alone. Replacing the record drops the bytes, which then no longer describe it.
 */
class SplicedExample implements Example {
  readonly origin: Origin;
  id = '';
  group?: Example['group'];
  split?: Example['split'];
  canonicalBytes?: Buffer;
  #record: Record<string, unknown> | undefined;
  readonly #messages: readonly MessagePlan[];
  /**
   * Each message's content in `canonicalBytes`, three numbers per message: where it starts and
   * ends (its quotes left out), and 1 when it has escapes (then it is decoded as JSON).
   */
  readonly #contents: readonly number[];

  constructor(
    origin: Origin,
    canonicalBytes: Buffer,
    messages: readonly MessagePlan[],
    contents: readonly number[],
  ) {
    this.origin = origin;
    this.canonicalBytes = canonicalBytes;
    this.#messages = messages;
    this.#contents = contents;
  }

  get record(): Record<string, unknown> {
    if (this.#record === undefined) {
      const messages: Record<string, unknown>[] = [];
      for (let m = 0; m < this.#messages.length; m++) {
        const {role, weight} = this.#messages[m]!;
        const content = this.#content(m);
        messages.push(weight === undefined ? {content, role} : {content, role, weight});
      }
      this.#record = {messages};
    }
    return this.#record;
  }

  set record(record: Record<string, unknown>) {
    this.#record = record;
    this.canonicalBytes = undefined;
  }

  /**
   * The value at a field path, as getPath reads it from the record: a message's content, role
   * or weight (`messages.<n>.content`) without making the record, any other path from it.
   */
  fieldAt(parts: readonly string[]): unknown {
    if (this.#record === undefined && parts.length === 3 && parts[0] === 'messages') {
      const m = messageIndex(parts[1]!, this.#messages.length);
      if (m >= 0) {
        const field = parts[2];
        if (field === 'content') return this.#content(m);
        if (field === 'role') return this.#messages[m]!.role;
        if (field === 'weight') return this.#messages[m]!.weight;
      }
    }
    return valueAt(this.record, parts);
  }

  #content(m: number): string {
    const bytes = this.canonicalBytes!;
    const from = this.#contents[3 * m]!;
    const to = this.#contents[3 * m + 1]!;
    // Without escapes, canonical JSON's text between the quotes is the string's UTF-8.
    return this.#contents[3 * m + 2] === 0
      ? bytes.toString('utf8', from, to)
      : (JSON.parse(bytes.toString('utf8', from - 1, to + 1)) as string);
  }
}

/** The index a path part names in a list of n (as an own property would), or -1. */
function messageIndex(part: string, n: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(part)) return -1;
  const index = Number(part);
  return index < n ? index : -1;
}

/**
 * Whether the canonical string text bytes[from, to) begins with an escaped low surrogate
 * (`\udc00`-`\udfff`) or ends with an escaped high one (`\ud800`-`\udbff`): canonical JSON
 * escapes only lone surrogates, always as `\u` and four lower-case hex digits.
 */
function loneSurrogateAtEdge(bytes: Uint8Array, from: number, to: number): boolean {
  const escapeAt = (at: number, first: number, last: number) =>
    at >= from &&
    at + 6 <= to &&
    bytes[at] === 0x5c &&
    bytes[at + 1] === 0x75 &&
    bytes[at + 2] === 0x64 &&
    bytes[at + 3]! >= first &&
    bytes[at + 3]! <= last;
  // Low: \udc.. to \udf.. ('c' to 'f'); high: \ud8.. to \udb.. ('8', '9', 'a', 'b').
  const low = escapeAt(from, 0x63, 0x66);
  const high = escapeAt(to - 6, 0x38, 0x39) || escapeAt(to - 6, 0x61, 0x62);
  return low || high;
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
