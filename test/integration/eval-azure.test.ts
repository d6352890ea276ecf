import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Emulator} from '../emulator/server.js';
import {memorisingModel, useEmulator} from '../helpers/emulator.js';
import {ft, jsonl, project} from '../helpers/ft.js';

const RECORDS = Array.from({length: 30}, (_, i) => ({
  id: i,
  prompt: `question ${i}`,
  response: `answer ${i}`,
}));
const KEY = 'azure-secret-key-0123456789abcdef';

/** An eval-only recipe: no training, models behind the emulator's Azure data plane. */
function recipe(models: string): string {
  return `version: 1
name: eval-azure
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { test: 0.5, by: id }
eval:
  models: ${models}
  metrics: [exact_match]
`;
}

/** The chat requests the emulator received. */
const chats = (emu: Emulator) => emu.requests.filter((r) => r.path.endsWith('/chat/completions'));

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** The key is in no file under `dir` (ft-report/ and .ft/ included). */
function expectNoKeyIn(dir: string): void {
  for (const file of filesUnder(dir)) {
    if (statSync(file).size > 50_000_000) continue;
    expect(readFileSync(file).includes(KEY), file).toBe(false);
  }
}

describe('eval of Azure OpenAI models', () => {
  it('an endpoint sends its key in api-key and keeps its base URL api-version on every request', async () => {
    const emu = await useEmulator();
    const tuned = await memorisingModel(emu, RECORDS);
    emu.deploy('my-ft', tuned);
    const endpoint = (version: string) =>
      `[{ name: azure-ft, base_url: "${emu.url}/openai/deployments/my-ft?api-version=${version}", model: my-ft, api_key_env: AZ_KEY, api_key_header: api-key }]`;
    const dir = await project({
      'finetune.yaml': recipe(endpoint('2024-10-21')),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const env = {AZ_KEY: KEY};
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^ {2}azure-ft +exact_match 1 \[1, 1\]$/m);
    const sent = chats(emu);
    expect(sent.length).toBeGreaterThan(0);
    for (const q of sent) {
      expect(q.path).toBe('/openai/deployments/my-ft/chat/completions');
      expect(q.query).toBe('?api-version=2024-10-21');
      expect(q.headers['api-key']).toBe(KEY);
      expect(q.headers.authorization).toBeUndefined();
      expect(q.status).toBe(200);
    }

    // Another api-version changes no weights: every answer is reused.
    writeFileSync(join(dir, 'finetune.yaml'), recipe(endpoint('2025-04-01-preview')));
    const again = await ft(dir, ['build'], env);
    expect(again.exitCode, `${again.stdout}${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/^ok: \d+ fresh \(exit 0\)$/m);
    expect(chats(emu).length).toBe(sent.length);

    expectNoKeyIn(dir);
    for (const out of [r, again]) expect(`${out.stdout}${out.stderr}`).not.toContain(KEY);
  });

  it('refuses an api_key_header with no key to carry, or a header name that is not one', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        '[{ name: az, base_url: "https://r.openai.azure.com/openai/v1", model: m, api_key_header: api-key }]',
      ),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const noKey = await ft(dir, ['validate']);
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr).toMatch(
      /finetune\.yaml:9:\d+: error: api_key_header names the header that carries the key, and this endpoint has none: name its variable in api_key_env/,
    );

    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        '[{ name: az, base_url: "https://r.openai.azure.com/openai/v1", model: m, api_key_env: K, api_key_header: "api key" }]',
      ),
    );
    const bad = await ft(dir, ['validate']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/finetune\.yaml:9:\d+: error: .*api_key_header/);

    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        '[{ name: az, base_url: "https://r.openai.azure.com/openai/v1", model: m, api_key_env: K, api_key_header: authorization }]',
      ),
    );
    const bearer = await ft(dir, ['validate']);
    expect(bearer.exitCode, bearer.stderr).toBe(0);
  });
});
