import OpenAI, {AzureOpenAI, toFile} from 'openai';
import {expect, onTestFinished} from 'vitest';
import {type Emulator, type EmulatorOptions, startEmulator} from '../emulator/server.js';

/**
 * Starts an emulator for one test and, after it, asserts that the emulator sent nothing that
 * violates openapi.yaml and hit no internal error, then closes it.
 */
export async function useEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator(options);
  onTestFinished(async () => {
    await emulator.close();
    expect(emulator.schemaViolations).toEqual([]);
    expect(emulator.internalErrors).toEqual([]);
  });
  return emulator;
}

/** The real SDK pointed at the emulator (`maxRetries` 0 unless given, so faults are visible). */
export function client(
  emulator: Emulator,
  maxRetries = 0,
  extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {},
) {
  return new OpenAI({apiKey: 'sk-test', baseURL: `${emulator.url}/v1`, maxRetries, ...extra});
}

export function azureClient(emulator: Emulator, maxRetries = 0) {
  return new AzureOpenAI({
    endpoint: emulator.url,
    apiKey: 'azure-test-key',
    apiVersion: '2025-04-01-preview',
    maxRetries,
  });
}

/** A chat JSONL of `n` examples: user "question i" → assistant "answer i". */
export function chatJsonl(n: number): string {
  return Array.from({length: n}, (_, i) =>
    JSON.stringify({
      messages: [
        {role: 'system', content: 'You answer tersely.'},
        {role: 'user', content: `question ${i}`},
        {role: 'assistant', content: `answer ${i}`},
      ],
    }),
  ).join('\n');
}

export async function uploadJsonl(api: OpenAI, text: string, name = 'train.jsonl') {
  return api.files.create({file: await toFile(Buffer.from(text), name), purpose: 'fine-tune'});
}

/**
 * An emulated fine-tune of gpt-4o-mini that answers each record's prompt with its response (the
 * emulator's models memorise their training data), made through the real SDK.
 */
export async function memorisingModel(
  emulator: Emulator,
  records: readonly {readonly prompt: string; readonly response: string}[],
): Promise<string> {
  const api = client(emulator);
  const file = await uploadJsonl(
    api,
    records
      .map((r) =>
        JSON.stringify({
          messages: [
            {role: 'user', content: r.prompt},
            {role: 'assistant', content: r.response},
          ],
        }),
      )
      .join('\n'),
  );
  const job = await api.fineTuning.jobs.create({
    model: 'gpt-4o-mini-2024-07-18',
    training_file: file.id,
  });
  return emulator.runJob(job.id).fine_tuned_model!;
}
