import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {CARD, EMAIL, PHONE, type PiiPattern} from './text/pii-patterns.js';
import type {TransformContext, TransformStep} from './transform.js';

/** The recipe's redact options, defaults applied (recipe/normalized.ts). */
export type RedactOptions = Extract<NormalizedTransform, {redact: unknown}>['redact'];

/** One pass over a string: a regex, what replaces a match, and the count it adds to. */
interface Pass {
  readonly label: string;
  readonly regex: RegExp;
  readonly replace: (match: string) => string | undefined;
  readonly mayMatch: (text: string) => boolean;
}

/**
 * Replaces personal data in text with placeholders: [EMAIL], [PHONE], [CARD], and custom
 * patterns (default [REDACTED]; the replacement is literal, `$1` is not expanded). Never drops
 * records.
 *
 * Order: custom patterns first, as they are the user's own, more specific knowledge (an employee
 * id that a generic pattern would partly eat); then cards, because a grouped card number is also
 * a run of phone-like digit groups, and the Luhn check tells them apart; then emails, because an
 * address may hold digits (`john.5551234567@example.com`) that the phone pattern would take,
 * leaving a broken address behind; phones last.
 *
 * Which strings: with `fields`, every string leaf under those paths (a path part that meets a
 * list applies to each item, unless it is an index). Otherwise, in chat records (`messages`) the
 * message contents only (string content, and the `text` of text parts), in preference records
 * (`preferred_output` / `non_preferred_output`, with `input.messages`) the contents of all their
 * messages, and in any other record every string leaf. Roles, names, ids, tool calls stay as
 * they are.
 *
 * `_ctx` is unused: redaction needs nothing from the stage.
 */
export function redactTransform(options: RedactOptions, _ctx: TransformContext): TransformStep {
  const passes = buildPasses(options);
  const counts = new Map<string, number>(passes.map((p) => [p.label, 0]));
  const redactString = (text: string): string => {
    let out = text;
    for (const pass of passes) {
      if (!pass.mayMatch(out)) continue;
      let replaced = 0;
      out = out.replace(pass.regex, (match) => {
        const replacement = match === '' ? undefined : pass.replace(match);
        if (replacement === undefined) return match;
        replaced++;
        return replacement;
      });
      if (replaced > 0) counts.set(pass.label, (counts.get(pass.label) ?? 0) + replaced);
    }
    return out;
  };
  const visit = options.fields === null ? visitDefault : visitFields(options.fields);
  let seen = 0;
  return {
    name: 'redact',
    process(batch: Example[]) {
      if (passes.length > 0) for (const example of batch) visit(example.record, redactString);
      seen += batch.length;
      return batch;
    },
    summary: () => {
      const redacted: Record<string, number> = {};
      for (const [label, n] of counts) if (n > 0) redacted[label] = n;
      return {in: seen, out: seen, redacted};
    },
  };
}

function buildPasses(options: RedactOptions): Pass[] {
  const passes: Pass[] = options.patterns.map((pattern, i) => {
    const label = `patterns[${i}]`;
    const replacement = pattern.replacement ?? '[REDACTED]';
    return {
      label,
      regex: compile(pattern.regex, pattern.flags ?? '', label),
      replace: () => replacement,
      mayMatch: () => true,
    };
  });
  const builtIn = (label: string, pattern: PiiPattern): Pass => ({
    label,
    regex: pattern.regex,
    replace: pattern.check,
    mayMatch: pattern.mayMatch,
  });
  if (options.cards) passes.push(builtIn('card', CARD));
  if (options.emails) passes.push(builtIn('email', EMAIL));
  if (options.phones) passes.push(builtIn('phone', PHONE));
  return passes;
}

/** The user's regex with `g` (replace every match) and `u` (Unicode mode; `v` implies it). */
function compile(source: string, flags: string, label: string): RegExp {
  const all = new Set(flags);
  all.add('g');
  if (!all.has('v')) all.add('u');
  try {
    return new RegExp(source, [...all].join(''));
  } catch (error) {
    throw new Error(
      `redact: ${label}: invalid regular expression /${source}/${flags}: ${(error as Error).message}`,
    );
  }
}

type Redact = (text: string) => string;
type Visit = (record: Record<string, unknown>, redact: Redact) => void;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function visitDefault(record: Record<string, unknown>, redact: Redact): void {
  if (Array.isArray(record.messages)) {
    redactMessages(record.messages, redact);
  } else if (
    Object.hasOwn(record, 'preferred_output') ||
    Object.hasOwn(record, 'non_preferred_output')
  ) {
    const input = record.input;
    if (Array.isArray(input)) redactMessages(input, redact);
    else if (isRecord(input) && Array.isArray(input.messages))
      redactMessages(input.messages, redact);
    for (const key of ['preferred_output', 'non_preferred_output']) {
      const output = record[key];
      if (Array.isArray(output)) redactMessages(output, redact);
      else if (isRecord(output) && Array.isArray(output.messages)) {
        redactMessages(output.messages, redact);
      }
    }
  } else {
    redactLeaves(record, redact);
  }
}

/** The content of each message: a string, or text parts (`{type: 'text', text}`). */
function redactMessages(messages: unknown[], redact: Redact): void {
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    if (typeof content === 'string') message.content = redact(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') {
          part.text = redact(part.text);
        }
      }
    }
  }
}

/** Every string leaf of an object or list, in place. */
function redactLeaves(container: Record<string, unknown> | unknown[], redact: Redact): void {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const value = container[i];
      if (typeof value === 'string') container[i] = redact(value);
      else if (value !== null && typeof value === 'object') {
        redactLeaves(value as Record<string, unknown>, redact);
      }
    }
    return;
  }
  for (const key of Object.keys(container)) {
    const value = container[key];
    if (typeof value === 'string') container[key] = redact(value);
    else if (value !== null && typeof value === 'object') {
      redactLeaves(value as Record<string, unknown>, redact);
    }
  }
}

/**
 * The string leaves under dotted paths. A path inside another one (`messages.content` with
 * `messages`) is dropped, so that no string is redacted twice (a custom pattern could match
 * inside a placeholder).
 */
function visitFields(fields: readonly string[]): Visit {
  const paths = fields
    .filter((f) => !fields.some((other) => other !== f && f.startsWith(`${other}.`)))
    .filter((f, i, all) => all.indexOf(f) === i)
    .map((f) => f.split('.'));
  return (record, redact) => {
    for (const parts of paths) visitPath(record, parts, 0, redact);
  };
}

/** Follows parts[i..] from `container`; at the end, redacts what the path names. */
function visitPath(
  container: Record<string, unknown> | unknown[],
  parts: readonly string[],
  i: number,
  redact: Redact,
): void {
  const part = parts[i]!;
  if (Array.isArray(container) && !/^\d+$/.test(part)) {
    // A list met by a name: the path goes on in each item.
    for (const item of container) {
      if (item !== null && typeof item === 'object') {
        visitPath(item as Record<string, unknown>, parts, i, redact);
      }
    }
    return;
  }
  if (!Object.hasOwn(container, part)) return;
  const slot = container as Record<string, unknown>;
  const value = slot[part];
  if (i === parts.length - 1) {
    if (typeof value === 'string') slot[part] = redact(value);
    else if (value !== null && typeof value === 'object') {
      redactLeaves(value as Record<string, unknown>, redact);
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    visitPath(value as Record<string, unknown>, parts, i + 1, redact);
  }
}
