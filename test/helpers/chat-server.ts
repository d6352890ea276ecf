import {createServer, type IncomingMessage} from 'node:http';
import type {AddressInfo} from 'node:net';
import {onTestFinished} from 'vitest';

export interface Call {
  readonly model: string;
  readonly content: string;
}

/**
 * A real OpenAI-compatible chat server. Answering models: `memo` knows every answer, `wrong`
 * none, `echo` repeats the question. Judges: `judge` scores a right answer (the reference, which
 * the prompt shows) 9 and anything else 2, in a different wording each way; `mumble` replies
 * without any score. `slow` answers as `memo` does; a model in `delayMs` waits that long first.
 */
export async function chatServer(delayMs: Readonly<Record<string, number>> = {}) {
  const calls: Call[] = [];
  const read = async (req: IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    return JSON.parse(body) as {model: string; messages: {role: string; content: string}[]};
  };
  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end('{}');
      return;
    }
    const {model, messages} = await read(req);
    const content = messages.at(-1)!.content;
    calls.push({model, content});
    if (delayMs[model]) await new Promise((r) => setTimeout(r, delayMs[model]));
    let reply: string;
    if (model === 'memo' || model === 'slow') reply = content.replace('question', 'answer');
    else if (model === 'wrong') reply = 'no idea';
    else if (model === 'echo') reply = content;
    else if (model === 'judge') {
      const reference = /A reference answer:\n(.*)\n/.exec(content)?.[1];
      const answer = /The answer to grade:\n(.*)\n/.exec(content)?.[1];
      reply =
        answer === reference
          ? 'It matches the reference exactly.\n**Score:** 9'
          : '{"reasoning": "It does not answer the question.", "score": 2}';
    } else reply = 'Looks fine to me.';
    res.writeHead(200, {'content-type': 'application/json'}).end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model,
        choices: [{index: 0, message: {role: 'assistant', content: reply}, finish_reason: 'stop'}],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const count = (model: string) => calls.filter((c) => c.model === model).length;
  return {url, calls, count};
}
