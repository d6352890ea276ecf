import {canonicalJson} from '../core/canonical-json.js';
import {StageFailure} from '../core/stage-failure.js';
import {DEFAULT_JUDGE_PROMPT, judgeMessages, parseScore} from '../eval/judge.js';
import {judgeFingerprint} from '../plan/fingerprint.js';
import type {JudgeSpec} from '../recipe/eval-settings.js';
import {evalSplit, generationFiles, readEvalExamples, readGenerations} from './eval-examples.js';
import {answerPrompts, identityOf, type Prompt} from './generate.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/** The llm_judge metric a judge stage runs, from the eval settings. */
function judgeOf(ctx: StageContext): JudgeSpec {
  const judge = ctx.recipe.eval?.judges.find((j) => j.metric === ctx.node.name);
  if (!judge) throw new Error(`no llm_judge metric with the id ${ctx.node.name}`);
  return judge;
}

/** A judge judges greedily: the same prompt, the same judgment. */
const params = (judge: JudgeSpec) => ({max_tokens: judge.max_tokens, temperature: 0});

/** How many unreadable replies a failure shows. */
const SHOWN = 5;

/**
 * judge:<metric>: an `llm_judge` metric's judge scores every model's answer to every example by
 * the rubric. Keyed by the judge's identity (as a generate stage's), the rubric, scale, prompt
 * template and the judge's generation settings, the examples and every model's answers; inside,
 * each judgment is kept in the judge's answer log by its prompt (stages/generate.ts,
 * answerPrompts), so a new model or an edited example costs only the judgments it adds.
 * Output: `judgments.jsonl`, `{"id", "model", "score", "reply"}` per example and model (the
 * score on the judge's scale, as eval/judge.ts reads it from the reply). A reply without a
 * readable score fails the stage, showing the first few: dropping them would skew the mean.
 */
export const judgeStage: StageDefinition = {
  async fingerprint(ctx) {
    const judge = judgeOf(ctx);
    return judgeFingerprint(
      await identityOf(ctx, judge.model),
      {
        rubric: judge.rubric,
        scale: judge.scale,
        prompt: judge.prompt ?? DEFAULT_JUDGE_PROMPT,
        generation: params(judge),
      },
      evalSplit(ctx),
      Object.fromEntries(Object.entries(generationFiles(ctx)).map(([name, a]) => [name, a.hash])),
    );
  },
  async run(ctx) {
    const judge = judgeOf(ctx);
    const examples = readEvalExamples(ctx);
    const answers = readGenerations(ctx, examples);
    const template = judge.prompt ?? DEFAULT_JUDGE_PROMPT;
    const asked: (Prompt & {example: string; model: string})[] = [];
    for (const [i, e] of examples.entries()) {
      for (const [model, outputs] of Object.entries(answers)) {
        asked.push({
          id: `${model}\n${e.id}`,
          example: e.id,
          model,
          prompt: judgeMessages(template, {
            rubric: judge.rubric,
            input: e.prompt,
            answer: outputs[i]!,
            reference: e.reference,
            scale: judge.scale,
          }),
        });
      }
    }
    const {answers: replies, asked: calls} = await answerPrompts(
      ctx,
      judge.model,
      asked,
      params(judge),
    );
    const lines: string[] = [];
    const unreadable: string[] = [];
    for (const q of asked) {
      const reply = replies.get(q.id)!;
      const read = parseScore(reply, judge.scale);
      if ('error' in read) {
        unreadable.push(
          `example ${q.example}, model ${q.model}: ${read.error}: ${JSON.stringify(reply.length > 300 ? `${reply.slice(0, 300)}...` : reply)}`,
        );
        continue;
      }
      lines.push(`${canonicalJson({id: q.example, model: q.model, score: read.score, reply})}\n`);
    }
    if (unreadable.length > 0) {
      throw new StageFailure(
        'backend-failed',
        `${ctx.node.id}: ${unreadable.length} of ${asked.length} replies of the judge ${judge.model.name} have no score ft can read on ${judge.scale.min}..${judge.scale.max} (it reads {"score": N}, else the last "Score: N", else N/${judge.scale.max}, else a sole number); the replies are kept, so change the prompt, the rubric or the judge:\n${unreadable
          .slice(0, SHOWN)
          .map((u) => `  ${u}`)
          .join(
            '\n',
          )}${unreadable.length > SHOWN ? `\n  ... and ${unreadable.length - SHOWN} more` : ''}`,
      );
    }
    const judgments = await ctx.store.putBytes(lines.join(''));
    return {
      outputs: {'judgments.jsonl': judgments},
      summary: {judged: asked.length, asked: calls, cached: asked.length - calls},
    };
  },
};
