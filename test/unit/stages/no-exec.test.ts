import {createServer, type Server} from 'node:http';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ArtifactStore} from '../../../src/core/artifact-store.js';
import {ALLOW_EXEC, execPolicy} from '../../../src/core/exec-policy.js';
import type {StageNode} from '../../../src/plan/graph.js';
import type {NormalizedRecipe} from '../../../src/recipe/normalized.js';
import {datasetStage} from '../../../src/stages/dataset.js';
import {sourceStage} from '../../../src/stages/source.js';
import type {StageContext} from '../../../src/stages/stage-definition.js';

// The stages' own check, behind the command's: even when a command lets a recipe through, a
// stage under --no-exec runs no code and sends nothing.

const refused = execPolicy(true, {});

/** The part of a stage context these stages read before running anything; the rest is unused. */
function context(
  node: Partial<StageNode>,
  recipe: Partial<NormalizedRecipe>,
  exec = refused,
): StageContext {
  const store: Partial<ArtifactStore> = {sizeOf: async () => undefined};
  return {
    node: node as StageNode,
    recipe: {
      dir: '/nonexistent',
      seed: 0,
      sources: [],
      transforms: [],
      ...recipe,
    } as NormalizedRecipe,
    upstream: new Map(),
    store: store as ArtifactStore,
    signal: new AbortController().signal,
    exec,
    log: () => undefined,
    progress: () => undefined,
  } as unknown as StageContext;
}

describe('stages under --no-exec', () => {
  let server: Server;
  let base = '';
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('a source stage fetches nothing', async () => {
    const recipe = {
      sources: [
        {
          name: 'r',
          kind: 'url' as const,
          url: `${base}/x.jsonl`,
          sha256: `sha256:${'a'.repeat(64)}`,
          format: 'jsonl' as const,
          on_error: 'fail' as const,
        },
      ],
    };
    await expect(sourceStage.run(context({name: 'r'}, recipe))).rejects.toThrow(
      `sources.r: a url source fetches ${base}/x.jsonl (refused by --no-exec)`,
    );
    expect(requests).toBe(0);
    // Allowed, the same stage does ask the server (which has nothing).
    await expect(sourceStage.run(context({name: 'r'}, recipe, ALLOW_EXEC))).rejects.toThrow(
      `GET ${base}/x.jsonl: 404 Not Found`,
    );
    expect(requests).toBe(1);
  });

  it('a dataset stage refuses its js and command steps before reading anything', async () => {
    const transforms = [
      {limit: {n: 1}},
      {js: {module: 't.mjs', function: 'default', options: {}, seed: 0}},
      {command: {run: ['node', 'x.cjs'], env: {}}},
    ];
    await expect(datasetStage.run(context({id: 'dataset' as never}, {transforms}))).rejects.toThrow(
      "transforms[1]: a js step runs t.mjs inside ft's process (refused by --no-exec)",
    );
    await expect(
      datasetStage.run(context({id: 'dataset' as never}, {transforms: [transforms[2]!]})),
    ).rejects.toThrow('transforms[0]: a command step runs node x.cjs (refused by --no-exec)');
  });
});
