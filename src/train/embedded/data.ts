import {readFileSync} from 'node:fs';
import type {Example} from './network.js';
import {type ChatMessage, render} from './tokenizer.js';

/**
 * Reads a JSONL file of canonical chat records ({"messages": [...]}) and renders each: tokens
 * truncated on the right to maxSeqLen + 1 (the model reads maxSeqLen of them and predicts the
 * next of each). Examples left with no trained token are dropped: they would contribute nothing.
 */
export function readExamples(file: string, maxSeqLen: number): Example[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const examples: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let record: {messages?: unknown};
    try {
      record = JSON.parse(line) as {messages?: unknown};
    } catch {
      throw new Error(`${file}:${i + 1} is not JSON`);
    }
    if (!Array.isArray(record.messages)) {
      throw new Error(`${file}:${i + 1} is not a chat record (no "messages" list)`);
    }
    let rendered: ReturnType<typeof render>;
    try {
      rendered = render(record.messages as ChatMessage[]);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: ${(e as Error).message}`);
    }
    const n = Math.min(rendered.tokens.length, maxSeqLen + 1);
    const tokens = Int32Array.from(rendered.tokens.slice(0, n));
    const trained = Uint8Array.from(rendered.trained.slice(0, n), (t) => (t ? 1 : 0));
    let count = 0;
    for (let t = 1; t < n; t++) count += trained[t]!;
    if (count > 0) examples.push({tokens, trained, count});
  }
  return examples;
}
