import OpenAI from 'openai';

/** Where a chat model is and how to reach it. */
export interface ChatEndpoint {
  readonly model: string;
  /** Undefined: the OpenAI API (OPENAI_BASE_URL when set). */
  readonly baseUrl?: string;
  /** The key itself (never logged, never stored), or undefined for none. */
  readonly apiKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ChatParams {
  readonly max_tokens: number;
  readonly temperature: number;
  readonly seed?: number;
}

/** Retries of one request on 429, 5xx and dropped connections, honouring retry-after. */
const RETRIES = 5;

/** The fields of a chat message an API takes (ft's `weight` and the like stay home). */
function apiMessage(message: unknown): Record<string, unknown> {
  const m = message as Record<string, unknown>;
  const out: Record<string, unknown> = {role: m.role, content: m.content ?? ''};
  for (const key of ['name', 'tool_calls', 'tool_call_id']) {
    if (m[key] !== undefined) out[key] = m[key];
  }
  return out;
}

/**
 * Answers each prompt with one chat completion, at most `concurrency` in flight, in the
 * prompts' order. The official SDK retries 429s, 5xx and dropped connections with backoff,
 * honouring retry-after. An endpoint without a key sends no Authorization header at all, and
 * OPENAI_ORG_ID / OPENAI_PROJECT_ID reach only the OpenAI API. A request that still fails fails
 * the whole call (what was answered before is the caller's to keep: `onAnswer`).
 */
export async function answerWithChat(options: {
  readonly endpoint: ChatEndpoint;
  readonly prompts: readonly (readonly unknown[])[];
  readonly params: ChatParams;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  onAnswer(index: number, answer: string): Promise<void> | void;
}): Promise<string[]> {
  const {endpoint, prompts, params, signal} = options;
  const openai = endpoint.baseUrl === undefined;
  const client = new OpenAI({
    apiKey: endpoint.apiKey ?? 'none',
    ...(openai ? {} : {baseURL: endpoint.baseUrl, organization: null, project: null}),
    maxRetries: RETRIES,
    defaultHeaders: {
      ...(endpoint.headers ?? {}),
      ...(endpoint.apiKey === undefined ? {Authorization: null} : {}),
    },
  });
  if (openai && endpoint.model.startsWith('ft:')) await checkExists(client, endpoint.model, signal);
  const answers = new Array<string>(prompts.length);
  // The first request that fails for good stops the others.
  const stop = new AbortController();
  const stopped = AbortSignal.any([signal, stop.signal]);
  let next = 0;
  const worker = async () => {
    while (next < prompts.length) {
      const index = next++;
      stopped.throwIfAborted();
      const completion = await client.chat.completions.create(
        {
          model: endpoint.model,
          messages: prompts[index]!.map(
            apiMessage,
          ) as unknown as OpenAI.ChatCompletionMessageParam[],
          // The OpenAI API has renamed it; other servers know the old name.
          ...(openai
            ? {max_completion_tokens: params.max_tokens}
            : {max_tokens: params.max_tokens}),
          temperature: params.temperature,
          ...(params.seed !== undefined ? {seed: params.seed} : {}),
        },
        {signal: stopped},
      );
      const content = completion.choices[0]?.message?.content;
      answers[index] = typeof content === 'string' ? content : '';
      await options.onAnswer(index, answers[index]);
    }
  };
  const workers = Array.from({length: Math.min(options.concurrency, prompts.length)}, () =>
    worker().catch((e: unknown) => {
      stop.abort();
      throw e;
    }),
  );
  const settled = await Promise.allSettled(workers);
  signal.throwIfAborted();
  // The first real failure, not the aborts it caused in the other workers.
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const aborted = (e: unknown) =>
    e instanceof OpenAI.APIUserAbortError || (e instanceof Error && e.name === 'AbortError');
  const first = failures.find((e) => !aborted(e)) ?? failures[0];
  if (first !== undefined) throw first;
  return answers;
}

/** Thrown when a fine-tuned model the recipe names is gone from the account. */
export class ModelGone extends Error {
  override readonly name = 'ModelGone';
}

/**
 * A fine-tuned model can be deleted, or retired with its base: asking it then fails on every
 * prompt with a message that does not say so. Ask once, plainly, before generating.
 */
async function checkExists(client: OpenAI, model: string, signal: AbortSignal): Promise<void> {
  try {
    await client.models.retrieve(model, {signal});
  } catch (e) {
    if (e instanceof OpenAI.NotFoundError) {
      throw new ModelGone(
        `the model ${model} no longer exists for this API key (deleted, or retired with its base model${e.requestID ? `; request id ${e.requestID}` : ''}); evaluate its replacement, or drop it from eval.models`,
      );
    }
    throw e;
  }
}
