import {existsSync, readdirSync, readFileSync, realpathSync, writeFileSync} from 'node:fs';
import {mkdir, symlink} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

const REPO_SCHEMA = fileURLToPath(new URL('../../schemas/finetune.schema.json', import.meta.url));

/** The path in a recipe's `# yaml-language-server: $schema=<path>` first line. */
function schemaComment(recipe: string): string {
  const m = /^# yaml-language-server: \$schema=(.+)\n/.exec(recipe);
  if (!m) throw new Error(`no $schema comment on the first line of:\n${recipe}`);
  return m[1]!;
}

const WITH_TRAINING = `${SMOKE_RECIPE}backend: { type: openai, model: gpt-4o-mini-2024-07-18 }
hyperparameters: { n_epochs: 2 }
eval: { metrics: [exact_match] }
`;

describe('ft plan', () => {
  it('prints the documented JSON contract, in topological order', async () => {
    const dir = await project({'finetune.yaml': WITH_TRAINING, 'data/qa.jsonl': SMOKE_DATA});
    const r = await ft(dir, ['plan', '--json']);
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.stages.map((s: {id: string}) => s.id)).toEqual([
      'source:qa',
      'dataset',
      'train:default',
      'generate:tuned',
      'eval',
    ]);
    const [source, dataset, train, generation, evaluation] = plan.stages;
    expect(source).toMatchObject({
      kind: 'source',
      status: 'run',
      why: [{what: 'stage', from: null, to: 'new'}],
    });
    expect(source.key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(dataset).toMatchObject({kind: 'dataset', status: 'run'});
    // Training will run, so its key is known (the data is), and what follows it is pending.
    expect(train).toMatchObject({kind: 'train', status: 'run', needs: ['dataset']});
    expect(train.key).toMatch(/^sha256:/);
    expect(generation).toEqual({
      id: 'generate:tuned',
      kind: 'generate',
      key: null,
      status: 'pending',
      why: [],
      needs: ['dataset', 'train:default'],
    });
    expect(evaluation).toMatchObject({
      kind: 'eval',
      key: null,
      status: 'pending',
      needs: ['dataset', 'generate:tuned'],
    });
  });

  it('computes data stages into the store but never writes the lockfile', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const plan = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(false);
    expect(plan.stages[1].outputs['train.jsonl']).toMatch(/^sha256:/);
    expect(plan.stages[1].summary.examples).toEqual({
      train: expect.any(Number),
      validation: expect.any(Number),
    });
    // The build then finds the dataset in the run-cache.
    const build = await buildJson(dir);
    expect(build.statuses).toEqual({'source:qa': 'cached', dataset: 'cached'});
  });

  it('explains a change of hyperparameters on a fresh clone from the lockfile alone', async () => {
    const dir = await project({'finetune.yaml': WITH_TRAINING, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir, ['dataset']);
    // A lockfile as a teammate committed it, with the training of n_epochs 2 recorded.
    const plan = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    const lock = JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8'));
    const train = plan.stages[2];
    lock.stages['train:default'] = {
      kind: 'train',
      key: train.key,
      fingerprint: JSON.parse((await ft(dir, ['explain', 'train:default', '--json'])).stdout)
        .fingerprint,
      outputs: {},
    };
    writeFileSync(join(dir, 'finetune.lock'), JSON.stringify(lock));
    writeFileSync(join(dir, 'finetune.yaml'), WITH_TRAINING.replace('n_epochs: 2', 'n_epochs: 4'));
    const after = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    expect(after.stages[2].why).toEqual([{what: 'hyperparameters.n_epochs', from: 2, to: 4}]);
    const text = (await ft(dir, ['plan'])).stdout;
    expect(text).toContain('hyperparameters.n_epochs: 2 -> 4');
  });

  it('fails the build at a backend that is not available yet, exit 1', async () => {
    const dir = await project({'finetune.yaml': WITH_TRAINING, 'data/qa.jsonl': SMOKE_DATA});
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(1);
    expect(r.statuses).toEqual({
      'source:qa': 'ran',
      dataset: 'ran',
      'train:default': 'failed',
      'generate:tuned': 'skipped',
      eval: 'skipped',
    });
    // What completed is recorded; the failed training is not.
    const lock = JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8'));
    expect(Object.keys(lock.stages).sort()).toEqual(['dataset', 'source:qa']);
  });
});

describe('ft explain', () => {
  it('shows status, key, old and new values, fingerprint and outputs', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE.replace('0.2', '0.3'));
    const r = await ft(dir, ['explain', 'dataset']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('dataset (dataset)');
    expect(r.stdout).toMatch(/status: {2}(run|cached)/);
    expect(r.stdout).toContain(
      '    transforms[1].split.validation\n      was: 0.2\n      now: 0.3',
    );
    expect(r.stdout).toContain('"validation": 0.3');
    expect(r.stdout).toMatch(/train\.jsonl {2}sha256:[0-9a-f]{64}/);
    const json = JSON.parse((await ft(dir, ['explain', 'dataset', '--json'])).stdout);
    expect(json.locked_key).toMatch(/^sha256:/);
    expect(json.locked_key).not.toBe(json.key);
    expect(json.fingerprint.kind).toBe('dataset');
    const unknown = await ft(dir, ['explain', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("no stage 'nope' in this recipe (stages: source:qa, dataset)");
  });
});

describe('ft graph', () => {
  it('prints mermaid, dot and json', async () => {
    const dir = await project({'finetune.yaml': WITH_TRAINING, 'data/qa.jsonl': SMOKE_DATA});
    const mermaid = await ft(dir, ['graph']);
    expect(mermaid.stdout).toBe(
      [
        'flowchart LR',
        '  s0["source:qa"]',
        '  s1["dataset"]',
        '  s2["train:default"]',
        '  s3["generate:tuned"]',
        '  s4["eval"]',
        '  s0 --> s1',
        '  s1 --> s2',
        '  s1 --> s3',
        '  s2 --> s3',
        '  s1 --> s4',
        '  s3 --> s4',
      ].join('\n'),
    );
    const dot = await ft(dir, ['graph', '--format', 'dot']);
    expect(dot.stdout).toContain('"train:default" -> "generate:tuned";');
    const json = JSON.parse((await ft(dir, ['graph', '--format', 'json'])).stdout);
    expect(json.edges).toContainEqual({from: 'dataset', to: 'train:default'});
    const bad = await ft(dir, ['graph', '--format', 'svg']);
    expect(bad.exitCode).toBe(2);
    expect(existsSync(join(dir, '.ft'))).toBe(false);
  });
});

describe('ft init, validate, --version and usage', () => {
  it('init writes a recipe that validates and builds, and refuses to overwrite', async () => {
    const dir = await project({});
    const r = await ft(dir, ['init']);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'data', 'finetune.yaml']);
    // The store and the report folder stay out of git.
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.ft/\nft-report/\n');
    expect((await ft(dir, ['validate'])).stdout).toContain(
      'finetune.yaml: valid (1 source(s), 2 transform(s), 1 target(s))',
    );
    const build = await buildJson(dir);
    expect(build.statuses).toEqual({
      'source:qa': 'ran',
      dataset: 'ran',
      'train:default': 'ran',
      'generate:tuned': 'ran',
      'generate:base': 'ran',
      eval: 'ran',
    });
    // It trains and evaluates, and its gate passes; its report is where .gitignore says.
    expect(build.exitCode).toBe(0);
    expect(existsSync(join(dir, 'ft-report', 'report.html'))).toBe(true);
    const again = await ft(dir, ['init']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('ft init will not overwrite finetune.yaml, data/qa.jsonl');
    // Run from its checkout, ft names its own schema file, relative to the recipe.
    const schema = schemaComment(readFileSync(join(dir, 'finetune.yaml'), 'utf8'));
    expect(realpathSync(resolve(dir, schema))).toBe(realpathSync(REPO_SCHEMA));
  });

  it('init adds what .gitignore lacks to one that exists, and says so', async () => {
    const dir = await project({'.gitignore': 'node_modules/\n.ft\n'});
    const r = await ft(dir, ['init']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('wrote finetune.yaml, data/qa.jsonl and ft-report/ in .gitignore');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n.ft\nft-report/\n');
  });

  it('init names the schema through node_modules where the project has ft installed as a link', async () => {
    // What `npm install <path to a checkout>` makes: node_modules/<name> links to the checkout,
    // and Node runs ft from the link's target.
    const dir = await project({});
    await mkdir(join(dir, 'node_modules'));
    await symlink(
      fileURLToPath(new URL('../..', import.meta.url)),
      join(dir, 'node_modules', 'finetune-build'),
    );
    await mkdir(join(dir, 'sub'));
    expect((await ft(dir, ['init'])).exitCode).toBe(0);
    const schema = schemaComment(readFileSync(join(dir, 'finetune.yaml'), 'utf8'));
    expect(schema).toBe('node_modules/finetune-build/schemas/finetune.schema.json');
    expect(existsSync(join(dir, schema))).toBe(true);
    // From a folder below the project, up to its node_modules.
    const nested = join(dir, 'sub');
    expect((await ft(nested, ['init'])).exitCode).toBe(0);
    expect(schemaComment(readFileSync(join(nested, 'finetune.yaml'), 'utf8'))).toBe(
      '../node_modules/finetune-build/schemas/finetune.schema.json',
    );
  });

  it('prints the version and rejects unknown commands and options with exit 2', async () => {
    const dir = await project({});
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect((await ft(dir, ['--version'])).stdout).toBe(pkg.version);
    const unknown = await ft(dir, ['buidl']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'buidl'");
    const option = await ft(dir, ['build', '--frozne']);
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toContain("Unknown option '--frozne'");
    const missing = await ft(dir, ['validate']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read recipe finetune.yaml: no such file');
    const json = await ft(dir, ['validate', '--json']);
    expect(JSON.parse(json.stdout).ok).toBe(false);
  });

  it('takes the recipe from -f, with its lockfile beside it', async () => {
    const dir = await project({'sub/other.yaml': SMOKE_RECIPE, 'sub/data/qa.jsonl': SMOKE_DATA});
    const r = await buildJson(dir, ['-f', 'sub/other.yaml']);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'sub/other.lock'))).toBe(true);
    expect(existsSync(join(dir, 'sub/.ft/stages'))).toBe(true);
  });
});

describe('ft data head', () => {
  it('takes --set like every command that reads the recipe, blaming its problems on it', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const set = [
      '--set',
      'transforms[0].template.user="Q: {{prompt}}"',
      '--set',
      'transforms[1].split.validation=0',
    ];
    const r = await ft(dir, ['data', 'head', 'dataset', '-n', '2', ...set]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        '{"messages":[{"content":"Q: question 0?","role":"user"},{"content":"answer 0","role":"assistant"}]}',
        '{"messages":[{"content":"Q: question 1?","role":"user"},{"content":"answer 1","role":"assistant"}]}',
      ].join('\n'),
    );
    const bad = await ft(dir, ['data', 'head', 'dataset', '--set', 'nope=1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--set:1:1: error: unknown top-level key 'nope'");
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(false);
    expect((await ft(dir, ['data', 'head', '--help'])).stdout).toContain('--set <path>=<v>');
  });
});

describe('ft cache gc', () => {
  it('keeps what the lockfile and recent builds use and removes the rest', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    for (const v of ['0.3', '0.4']) {
      writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE.replace('0.2', v));
      await buildJson(dir);
    }
    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE);
    await buildJson(dir);
    const count = () => readdirSync(join(dir, '.ft/stages')).length;
    expect(count()).toBe(4); // source + three datasets

    const keepAll = JSON.parse((await ft(dir, ['cache', 'gc', '--json'])).stdout);
    expect(keepAll).toMatchObject({removedStages: 0, keptStages: 4});

    const r = JSON.parse((await ft(dir, ['cache', 'gc', '--keep-builds', '0', '--json'])).stdout);
    expect(r).toMatchObject({removedStages: 2, keptStages: 2});
    expect(r.removedObjects).toBe(8); // train + validation (and their ids) of two datasets gone
    expect(count()).toBe(2);
    const after = await buildJson(dir);
    expect(after.statuses).toEqual({'source:qa': 'fresh', dataset: 'fresh'});
  });
});
