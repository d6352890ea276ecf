/**
 * The record formats ft recognises, and their normal forms: what the backends train on.
 *
 *   chat (OpenAI)      {messages: [...], tools?, parallel_tool_calls?}          kept as is
 *   preference (DPO)   {input: {messages}, preferred_output, non_preferred_output}  kept as is
 *   prompt/response    {prompt, response}      -> chat: user + assistant
 *   prompt/completion  {prompt, completion}    -> chat: user + assistant
 *   thread (ShareGPT)  {conversations: [{from, value}]} -> chat, roles mapped
 *   preference (TRL)   {prompt, chosen, rejected} -> preference (DPO)
 *
 * A record of none of these shapes stays as it is; the format checks of each target report it.
 */
export type RecordKind = 'chat' | 'preference' | 'other';

type Json = Record<string, unknown>;

export function kindOf(record: Json): RecordKind {
  if (Array.isArray(record.messages)) return 'chat';
  if ('preferred_output' in record || 'non_preferred_output' in record) return 'preference';
  return 'other';
}

/** The normal form of a record (a new object when it changes, the same one when not). */
export function toTrainingExample(record: Json): Json {
  if (Array.isArray(record.messages) || 'preferred_output' in record) return record;
  const prompt = record.prompt;
  if (typeof prompt === 'string' || Array.isArray(prompt)) {
    const input = typeof prompt === 'string' ? [{role: 'user', content: prompt}] : prompt;
    if ('chosen' in record && 'rejected' in record) {
      return {
        input: {messages: input},
        preferred_output: asAssistant(record.chosen),
        non_preferred_output: asAssistant(record.rejected),
      };
    }
    const answer = typeof record.response === 'string' ? record.response : record.completion;
    if (typeof answer === 'string') {
      return {messages: [...input, {role: 'assistant', content: answer}]};
    }
  }
  if (Array.isArray(record.conversations)) {
    const messages = record.conversations.map((turn: unknown) => {
      const t = (turn ?? {}) as Json;
      const from = String(t.from ?? t.role ?? '');
      return {role: SHAREGPT_ROLES[from] ?? from, content: t.value ?? t.content ?? null};
    });
    return {messages};
  }
  return record;
}

const SHAREGPT_ROLES: Readonly<Record<string, string>> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  assistant: 'assistant',
  system: 'system',
  tool: 'tool',
  function_call: 'assistant',
  observation: 'tool',
};

function asAssistant(value: unknown): unknown {
  return typeof value === 'string' ? [{role: 'assistant', content: value}] : value;
}

/** The messages of a chat example after normalizing, or undefined when it is not one. */
export function chatMessages(record: Json): Json[] | undefined {
  const normal = toTrainingExample(record);
  return Array.isArray(normal.messages) ? (normal.messages as Json[]) : undefined;
}
