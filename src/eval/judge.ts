/**
 * LLM-as-judge, the pure half: the judge's prompt for one answer, and its score read from the
 * judge's reply. The judge stage (stages/judge.ts) asks the model; the eval stage scores from
 * what it wrote.
 */

/** The judge's scale: scores lie within [min, max], and are normalized to 0-1. */
export interface JudgeScale {
  readonly min: number;
  readonly max: number;
}

/**
 * The prompt a judge gets unless the metric gives its own (`options.prompt`, with the same
 * placeholders): the rubric, the conversation the answer was to, the reference answer, the answer,
 * and how to reply.
 */
export const DEFAULT_JUDGE_PROMPT = `You are an impartial judge. Grade the answer below by this rubric:

{{rubric}}

The conversation it answers:
{{input}}

A reference answer:
{{reference}}

The answer to grade:
{{answer}}

Reply with your reasoning in one or two sentences, then a last line "Score: N", where N is a number from {{min}} to {{max}}.`;

/** What fills a judge prompt's placeholders. */
export interface JudgeInput {
  readonly rubric: string;
  /** The prompt the answer was to: chat messages. */
  readonly input: readonly unknown[];
  readonly answer: string;
  readonly reference: string;
  readonly scale: JudgeScale;
}

/** Chat messages as text for a judge: one `role: content` line (or paragraph) each. */
function conversation(messages: readonly unknown[]): string {
  return messages
    .map((m) => {
      const {role, content} = (m ?? {}) as {role?: unknown; content?: unknown};
      const text =
        typeof content === 'string' ? content : content == null ? '' : JSON.stringify(content);
      return `${String(role ?? 'user')}: ${text}`;
    })
    .join('\n');
}

/**
 * The messages a judge gets for one answer: the template (the default, or the metric's) with
 * `{{rubric}}`, `{{input}}`, `{{answer}}`, `{{reference}}`, `{{min}}` and `{{max}}` filled in one
 * pass (so an answer that contains `{{rubric}}` stays as it is), as one user message.
 */
export function judgeMessages(
  template: string,
  input: JudgeInput,
): {role: string; content: string}[] {
  const values: Record<string, string> = {
    rubric: input.rubric,
    input: conversation(input.input),
    answer: input.answer,
    reference: input.reference,
    min: String(input.scale.min),
    max: String(input.scale.max),
  };
  const content = template.replace(/\{\{\s*([A-Za-z_]+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name]! : whole,
  );
  return [{role: 'user', content}];
}

const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?`;
const OUT_OF = String.raw`\s*(?:\/|out\s+of)\s*(${NUMBER})`;

/**
 * A judge's score from its reply, by the first rule that finds one:
 *
 * 1. a JSON object with a numeric `score` (the last such `{...}` in the reply: `{"score": 6}`,
 *    also inside a ```json fence);
 * 2. else the last labelled number: `score`, `rating` or `grade`, then optionally `is`/`of`, a
 *    parenthesis, `:` or `=`, then the number, optionally `/ M` or `out of M` (`Score: 7`,
 *    `**Rating:** 4 out of 5`, `Final score (1-10): 8`);
 * 3. else the last `N/M` or `N out of M` (`7/10`);
 * 4. else the reply's only number (`**8**`, `8.`).
 *
 * Markdown emphasis (`*`, `_`, backticks) is ignored by rules 2-4. An `out of M` must be out of
 * the scale's max, and the score must lie within the scale: anything else (no score, two bare
 * numbers, `12` on 1..10) is not a score, and says why.
 */
export function parseScore(
  reply: string,
  scale: JudgeScale,
): {readonly score: number} | {readonly error: string} {
  const checked = (score: number, outOf?: number) => {
    if (!Number.isFinite(score)) return {error: 'its score is not a number'};
    if (outOf !== undefined && outOf !== scale.max) {
      return {error: `it scores out of ${outOf}, and the scale is ${scale.min}..${scale.max}`};
    }
    if (score < scale.min || score > scale.max) {
      return {error: `its score ${score} is outside the scale ${scale.min}..${scale.max}`};
    }
    return {score};
  };
  // 1. JSON
  const objects = [...reply.matchAll(/\{[^{}]*\}/g)].reverse();
  for (const [text] of objects) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const score = (value as {score?: unknown} | null)?.score;
    if (typeof score === 'number') return checked(score);
    if (typeof score === 'string' && new RegExp(`^\\s*${NUMBER}\\s*$`).test(score)) {
      return checked(Number(score));
    }
  }
  const text = reply.replace(/[*_`]/g, '');
  // 2. the last labelled number
  const labelled = [
    ...text.matchAll(
      new RegExp(
        String.raw`\b(?:score|rating|grade)\b\s*(?:is|of)?\s*(?:\([^)]*\))?\s*[:=]?\s*(${NUMBER})(?:${OUT_OF})?`,
        'gi',
      ),
    ),
  ].at(-1);
  if (labelled) {
    return checked(
      Number(labelled[1]),
      labelled[2] === undefined ? undefined : Number(labelled[2]),
    );
  }
  // 3. the last ratio
  const ratio = [...text.matchAll(new RegExp(`(${NUMBER})${OUT_OF}`, 'gi'))].at(-1);
  if (ratio) return checked(Number(ratio[1]), Number(ratio[2]));
  // 4. the only number
  const numbers = [...text.matchAll(new RegExp(NUMBER, 'g'))];
  if (numbers.length === 1) return checked(Number(numbers[0]![0]));
  return {
    error:
      numbers.length === 0
        ? 'it has no score'
        : `it has ${numbers.length} numbers and no "Score: N" to say which is the score`,
  };
}

/** A score on the judge's scale as 0-1. */
export function normalizedScore(score: number, scale: JudgeScale): number {
  return (score - scale.min) / (scale.max - scale.min);
}
