import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Emulator} from '../emulator/server.js';
import {memorisingModel, useEmulator} from '../helpers/emulator.js';
import {evalOnlyRecipe, qaRecords} from '../helpers/eval-recipes.js';
import {ft, jsonl, project} from '../helpers/ft.js';

const RECORDS = qaRecords(30);
const KEY = 'azure-secret-key-0123456789abcdef';

/** An eval-only recipe: no training, models behind the emulator's Azure data plane. */
function recipe(models: string): string {
  return evalOnlyRecipe({name: 'eval-azure', models});
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

  it("an Azure target's tuned and base models answer from their deployments; a second build asks nothing", async () => {
    const emu = await useEmulator();
    const azure = (deployments: string) =>
      `{ type: openai, model: gpt-4o-mini-2024-07-18, azure: { endpoint: "${emu.url}", api_version: 2025-04-01-preview${deployments} } }`;
    const target = (deployments: string, models: string) => `version: 1
name: azure-target
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
backend: ${azure(deployments)}
hyperparameters: { n_epochs: 1 }
eval:
  dataset: train
  models: ${models}
  metrics: [exact_match]
`;
    const dir = await project({
      'finetune.yaml': target('', '[tuned, base]'),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const env = {AZURE_OPENAI_API_KEY: KEY, FT_OPENAI_POLL_MS: '5'};

    // Without the deployments the recipe is valid, and the build trains (and locks) the model:
    // only then is there a model to deploy. Its generate stages say what to do (exit 1).
    expect((await ft(dir, ['validate'], env)).exitCode).toBe(0);
    const trained = await ft(dir, ['build'], env);
    expect(trained.exitCode, `${trained.stdout}${trained.stderr}`).toBe(1);
    expect(trained.stdout).toContain('train:default: ran');
    const model = [...emu.state.models.keys()][0]!;
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toContain(model);
    expect(trained.stdout).toContain(
      `generate:tuned: Azure OpenAI answers only from a deployment (a step ft does not take): deploy ${model} in Azure and set backend.azure.deployments.tuned to the deployment's name`,
    );
    expect(trained.stdout).toContain(
      "generate:base: Azure OpenAI answers only from a deployment (a step ft does not take): deploy gpt-4o-mini-2024-07-18 in Azure and set backend.azure.deployments.base to the deployment's name",
    );
    expect(chats(emu)).toHaveLength(0);
    emu.deploy('my-ft', model);
    emu.deploy('my-base', 'gpt-4o-mini-2024-07-18');

    writeFileSync(
      join(dir, 'finetune.yaml'),
      target(', deployments: { tuned: my-ft, base: my-base }', '[tuned, base]'),
    );
    const before = chats(emu).length;
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    // The deployments are not part of the train stage's key.
    expect(r.stdout).toContain('train:default: fresh');
    expect(r.stdout).toMatch(/^ {2}tuned +exact_match 1 \[1, 1\]$/m);
    expect(r.stdout).toMatch(/^ {2}base +exact_match 0 \[0, 0\]$/m);
    const sent = chats(emu).slice(before);
    expect(sent).toHaveLength(2 * RECORDS.length);
    for (const q of sent) {
      expect(q.path).toMatch(/^\/openai\/deployments\/my-(ft|base)\/chat\/completions$/);
      expect(q.query).toBe('?api-version=2025-04-01-preview');
      expect(q.headers['api-key']).toBe(KEY);
      expect(q.headers.authorization).toBeUndefined();
      expect(q.status).toBe(200);
    }

    const again = await ft(dir, ['build'], env);
    expect(again.exitCode, `${again.stdout}${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/^ok: \d+ fresh \(exit 0\)$/m);
    expect(chats(emu).length).toBe(before + sent.length);

    // A deployment Azure does not know: the build says which, and what to do.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      target(', deployments: { tuned: not-deployed, base: my-base }', '[tuned, base]'),
    );
    const unknown = await ft(dir, ['build'], env);
    expect(unknown.exitCode).not.toBe(0);
    expect(`${unknown.stdout}${unknown.stderr}`).toContain(
      `generate:tuned: Azure knows no deployment not-deployed (The API deployment for this resource does not exist.`,
    );
    expect(`${unknown.stdout}${unknown.stderr}`).toContain(
      `deploy ${model} in Azure under that name, or set backend.azure.deployments.tuned to the deployment that serves it`,
    );

    expectNoKeyIn(dir);
    for (const out of [trained, r, again, unknown]) {
      expect(`${out.stdout}${out.stderr}`).not.toContain(KEY);
    }
  });
});
