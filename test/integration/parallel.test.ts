import {readdirSync, readFileSync, utimesSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {events, FT_BIN, jsonl, project, stageEnd} from '../helpers/ft.js';

/** `ft build --json` with a given number of dataset worker threads. */
async function build(dir: string, workers: number, env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [FT_BIN, 'build', '--json'], {
    cwd: dir,
    reject: false,
    env: {CI: '1', FT_WORKERS: String(workers), ...env},
  });
  const all = events(String(r.stdout));
  const plan = await execa(process.execPath, [FT_BIN, 'plan', '--json'], {
    cwd: dir,
    reject: false,
    env: {CI: '1'},
  });
  const dataset =
    plan.exitCode === 0
      ? JSON.parse(String(plan.stdout)).stages.find((s: {id: string}) => s.id === 'dataset')
      : undefined;
  return {
    exitCode: r.exitCode,
    outputs: stageEnd(all, 'dataset').outputs,
    diagnostics: all
      .filter((e) => e.event === 'diagnostic')
      .map((d) => [d.severity, d.file, d.line, d.message]),
    summary: dataset?.summary,
  };
}

/**
 * Builds the same files on one thread and on two worker threads (with `env`), expects both to
 * agree byte for byte (exit code, outputs, summary, diagnostics), and returns both.
 */
async function onBothEngines(
  files: Readonly<Record<string, string | Uint8Array>>,
  env: Record<string, string> = {},
) {
  const [one, two] = [await project(files), await project(files)];
  const sequential = await build(one, 0);
  const parallel = await build(two, 2, env);
  expect(parallel.exitCode).toBe(sequential.exitCode);
  expect(parallel.outputs).toEqual(sequential.outputs);
  if (sequential.summary) {
    expect(sequential.summary.threads).toBe(0);
    expect(parallel.summary.threads).toBe(2);
    expect({...parallel.summary, threads: 0}).toEqual(sequential.summary);
  }
  expect(parallel.diagnostics).toEqual(sequential.diagnostics);
  return {sequential, parallel, dir: two};
}

const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu café 東京'.split(
  ' ',
);

function records(n: number, offset = 0) {
  return Array.from({length: n}, (_, k) => {
    const i = k + offset;
    // Every 9th record repeats the one before; every 13th differs from it only by case.
    const base = (i % 9 === 0 || i % 13 === 0) && i > 0 ? i - 1 : i;
    const length = 8 + (base % 23);
    const text = Array.from({length}, (_, j) => words[(base * 7 + j * 3) % words.length]).join(' ');
    const q = `question ${base}: ${text}`;
    return {
      q: i % 13 === 0 ? q.toUpperCase() : q,
      a: `answer ${base} mail me@example.com`,
      score: (base * 37) % 100,
    };
  });
}

const RECIPE = `version: 1
name: parallel
seed: 4
sources:
  big: { path: data/big.jsonl, on_error: skip }
  zipped: { path: data/more.jsonl.gz }
  inline:
    examples:
      - { q: "inline question", a: "inline answer", score: 50 }
transforms:
  - rename: { q: question }
  - map: { label: "{{score}}" }
  - filter: { where: [{ field: score, gte: 5 }] }
  - template: { user: "{{question}}", assistant: "{{a}} ({{label}})" }
  - system: { content: "Be exact." }
  - redact: {}
  - dedupe: { mode: normalized }
  - dedupe: {}
  - limit: { n: 30000 }
  - split: { validation: 0.1, test: 0.05 }
`;

describe('the dataset stage on worker threads', () => {
  it('writes byte for byte what one thread writes, with the same counts and warnings', async () => {
    const {sequential} = await onBothEngines({
      'finetune.yaml': RECIPE,
      'data/big.jsonl': `${jsonl(records(20000))}{not json\n${jsonl(records(15000, 20000))}[1,2]\n`,
      'data/more.jsonl.gz': gzipSync(jsonl(records(3000, 40000))),
    });
    expect(sequential.exitCode).toBe(0);
    expect(sequential.diagnostics.map((d) => d[2])).toEqual([20001, 35002]);
    // The pipeline really dropped, limited and split something.
    const steps = sequential.summary.transforms;
    expect(steps[6].dedupe.dropped.duplicate).toBeGreaterThan(1000);
    expect(steps[8].limit.dropped.limit).toBeGreaterThan(0);
    expect(steps[9].split.test).toBeGreaterThan(0);
  });

  it('decides on disk what does not fit the dedupe sets, and writes the same bytes', async () => {
    // The first chunk (about 9000 records) fits the sets; from the second on, records spill
    // and are decided in parts of at most 12000 keys. The last records repeat early ones:
    // duplicates of keys decided in memory, found on disk.
    const {sequential, dir} = await onBothEngines(
      {
        'finetune.yaml': RECIPE,
        'data/big.jsonl': `${jsonl(records(20000))}{not json\n${jsonl(records(15000, 20000))}${jsonl(records(2000, 100))}`,
        'data/more.jsonl.gz': gzipSync(jsonl(records(3000, 40000))),
      },
      {FT_DEDUPE_KEYS_IN_MEMORY: '12000'},
    );
    expect(sequential.exitCode).toBe(0);
    const steps = sequential.summary.transforms;
    expect(steps[6].dedupe.dropped.duplicate).toBeGreaterThan(3000);
    expect(steps[8].limit.dropped.limit).toBeGreaterThan(0);
    // It did spill, not everything, and left nothing behind in the store's temp folder.
    const logs = readdirSync(join(dir, '.ft', 'logs'))
      .map((f) => readFileSync(join(dir, '.ft', 'logs', f), 'utf8'))
      .join('');
    const onDisk = Number(/dedupe sets full: (\d+) records were decided on disk/.exec(logs)?.[1]);
    expect(onDisk).toBeGreaterThan(20000);
    expect(onDisk).toBeLessThan(steps[0].rename.in - 5000);
    expect(readdirSync(join(dir, '.ft', 'tmp'))).toEqual([]);
  });

  it('decides on disk in many parts, a bounded number of files at a time', async () => {
    // 250 keys per part: about 160 parts, more than are ever open at once (64).
    const {sequential, dir} = await onBothEngines(
      {
        'finetune.yaml': RECIPE,
        'data/big.jsonl': `${jsonl(records(30000))}${jsonl(records(3000, 10))}`,
        'data/more.jsonl.gz': gzipSync(jsonl(records(3000, 40000))),
      },
      {FT_DEDUPE_KEYS_IN_MEMORY: '250'},
    );
    expect(sequential.exitCode).toBe(0);
    expect(sequential.summary.transforms[6].dedupe.dropped.duplicate).toBeGreaterThan(3000);
    const logs = readdirSync(join(dir, '.ft', 'logs'))
      .map((f) => readFileSync(join(dir, '.ft', 'logs', f), 'utf8'))
      .join('');
    expect(logs).toMatch(/dedupe sets full: \d+ records were decided on disk/);
  });

  it('reports the same errors in the same order when records are bad', async () => {
    const bad = `${jsonl(records(5000))}{"q": "no answer"}\n${jsonl(records(5000, 5000))}{oops\n`;
    const recipe =
      'version: 1\nname: e\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - template: { user: "{{q}}", assistant: "{{a}}" }\n  - dedupe: {}\n';
    const {sequential} = await onBothEngines({'finetune.yaml': recipe, 'd.jsonl': bad});
    expect(sequential.exitCode).toBe(2);
    expect(sequential.diagnostics.map((d) => d[2])).toEqual([5001, 10002]);
  });

  it('shows the first problems in input order, whichever step found them', async () => {
    // Line 2 fails to parse; the lines around it parse but miss a field the template needs.
    const missing = (i: number) => JSON.stringify({q: `only a question ${i}`});
    const lines = [missing(1), '{bad', ...Array.from({length: 28}, (_, i) => missing(i + 3))];
    const recipe =
      'version: 1\nname: e\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - template: { user: "{{q}}", assistant: "{{a}}" }\n';
    const {sequential} = await onBothEngines({
      'finetune.yaml': recipe,
      'd.jsonl': `${lines.join('\n')}\n${jsonl(records(1000))}`,
    });
    expect(sequential.exitCode).toBe(2);
    const shown = sequential.diagnostics.map((d) => [d[2], String(d[3]).split(':')[0]]);
    expect(shown.slice(0, 3)).toEqual([
      [1, 'template'],
      [2, 'invalid JSON'],
      [3, 'template'],
    ]);
    expect(shown.map((d) => d[0]).slice(0, 20)).toEqual(Array.from({length: 20}, (_, i) => i + 1));
    expect(sequential.diagnostics[20]?.[3]).toBe('10 more bad records not shown');
  });

  it('parses a chunk with invalid UTF-8 the ordinary way, the chunks around it from bytes', async () => {
    // About 3 MB: several chunks, one of them holding a line that is not UTF-8.
    const rows = records(30000).map((r) => JSON.stringify(r));
    rows[15000] = '{"q":"bad \xff byte","a":"x"}';
    const data = Buffer.concat(
      rows.map((row, i) => Buffer.from(`${row}\n`, i === 15000 ? 'latin1' : 'utf8')),
    );
    const recipe = `version: 1
name: utf8
sources:
  d: { path: d.jsonl, on_error: skip }
transforms:
  - template: { user: "{{q}}", assistant: "{{a}}" }
  - dedupe: {}
`;
    const {sequential} = await onBothEngines({'finetune.yaml': recipe, 'd.jsonl': data});
    expect(sequential.exitCode).toBe(0);
    expect(sequential.summary.skipped).toEqual({total: 1, reasons: {'invalid UTF-8': 1}});
    expect(sequential.diagnostics.map((d) => d[2])).toEqual([15001]);
  });

  it('templates lines from their bytes exactly as the template step does', async () => {
    // Lines the workers' splicer takes and lines it leaves to the template step, mixed: escapes
    // JSON.stringify writes differently, repeated keys, numbers, CRLF, blank lines, a BOM.
    const tricky = [
      '{"q":"caf\u00e9 \\u6771 \\ud83d\\ude00","a":"pair"}',
      '{"q":"slash","a":"\\/ slash"}',
      '{"q":"tab\\tnew\\nline \\"quoted\\"","a":"\\u001f"}',
      '{"q":"upper","a":"\\u001F"}',
      '{"q":"first","a":"x","q":"last"}',
      '{"q":12,"a":"number"}',
      '  {"q" : "spaced" , "a" : "y" }  \r',
      '',
      '{"q":"\u6771\u4eac \u{1f600}","a":"\u2028"}',
      '\ufeff{"q":"a BOM inside the file","a":"is an error"}',
      '{"q": "broken"',
    ];
    const lines = Array.from({length: 7000}, (_, i) =>
      i % 14 < tricky.length
        ? tricky[i % 14]!.replace('"a":"', `"a":"${i} `)
        : JSON.stringify({q: `q${i % 700}`, a: `a${i % 700}`}),
    );
    const data = `\ufeff${lines.join('\n')}\n`;
    const recipe = `version: 1
name: splice
sources:
  d: { path: d.jsonl, on_error: skip }
transforms:
  - template: { system: 'Say "{{a}}" \u00e9', user: "Q: {{q}}", assistant: "{{a}}" }
  - filter: { where: [{ field: messages.2.content, min_length: 4 }] }
  - dedupe: {}
  - split: { validation: 0.2 }
`;
    const {sequential} = await onBothEngines({'finetune.yaml': recipe, 'd.jsonl': data});
    expect(sequential.exitCode).toBe(0);
    expect(sequential.summary.skipped).toEqual({total: 1000, reasons: {'invalid JSON': 1000}});
    const steps = sequential.summary.transforms;
    expect(steps[0].template).toEqual({in: 5500, out: 5500});
    expect(steps[1].filter.dropped['where[0]']).toBeGreaterThan(0);
    expect(steps[2].dedupe.dropped.duplicate).toBeGreaterThan(0);
  });

  it('starts its workers while the sources are hashed when a source changed, and not otherwise', async () => {
    const recipe = (system: string) => `version: 1
name: warm
sources:
  big: { path: data/big.jsonl }
  inline:
    examples:
      - { q: "inline question", a: "inline answer", score: 50 }
transforms:
  - template: { system: "${system}", user: "{{q}}", assistant: "{{a}}" }
  - split: { validation: 0.1 }
`;
    const dir = await project({
      'finetune.yaml': recipe('One.'),
      'data/big.jsonl': jsonl(records(4000)),
    });
    // Written an hour ago: the stat cache trusts what it hashed (a file changed in the last
    // moments may change again within its clock's tick, and is hashed again).
    const settle = () => {
      const old = new Date(Date.now() - 3600_000);
      utimesSync(join(dir, 'data/big.jsonl'), old, old);
    };
    settle();
    /** The dataset stage's log line about its workers, after a build with two. */
    const workersLine = async () => {
      const r = await build(dir, 2);
      expect(r.exitCode).toBe(0);
      const key = (await execa(process.execPath, [FT_BIN, 'plan', '--json'], {cwd: dir})).stdout;
      const dataset = JSON.parse(key).stages.find((s: {id: string}) => s.id === 'dataset');
      const log = readFileSync(
        join(dir, '.ft', 'logs', `${String(dataset.key).replace('sha256:', '')}.log`),
        'utf8',
      );
      return log.split('\n').find((l) => l.startsWith('worker threads:'));
    };
    // A new file: the stage will run, and its workers boot while the file is hashed.
    expect(await workersLine()).toBe(
      'worker threads: 2, 2 of them started while the sources were hashed',
    );
    // Only the prompt changed: the file is known, the stage runs on workers started then.
    writeFileSync(join(dir, 'finetune.yaml'), recipe('Two.'));
    expect(await workersLine()).toBe(
      'worker threads: 2, 0 of them started while the sources were hashed',
    );
    // The file changed again: started ahead again, with the same bytes as one thread writes.
    writeFileSync(join(dir, 'data/big.jsonl'), jsonl(records(4000, 1)));
    settle();
    expect(await workersLine()).toBe(
      'worker threads: 2, 2 of them started while the sources were hashed',
    );
    const one = await project({
      'finetune.yaml': recipe('Two.'),
      'data/big.jsonl': jsonl(records(4000, 1)),
    });
    expect((await build(one, 0)).outputs).toEqual((await build(dir, 2)).outputs);
  });

  it('handles a line too large for a worker on the main thread', async () => {
    const huge = {q: 'huge', a: 'x'.repeat(9 * 1024 * 1024)};
    const data = jsonl([...records(100), huge, ...records(100, 100)]);
    const recipe =
      'version: 1\nname: h\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - template: { user: "{{q}}", assistant: "{{a}}" }\n  - dedupe: {}\n';
    const {sequential} = await onBothEngines({'finetune.yaml': recipe, 'd.jsonl': data});
    expect(sequential.exitCode).toBe(0);
  });
});

describe('steps after the split on worker threads', () => {
  it('see and change the records like on one thread', async () => {
    const rows = jsonl(
      Array.from({length: 3000}, (_, i) => ({
        messages: [
          {role: 'user', content: `question ${i}: mail bob${i}@example.com`},
          {role: 'assistant', content: `answer ${i}`},
        ],
      })),
    );
    const recipe = `version: 1
name: after-split
sources:
  d: { path: d.jsonl }
transforms:
  - split: { validation: 0.2 }
  - redact: {}
  - system: { content: "Reply briefly." }
  - map: { tag: "x" }
`;
    const {dir} = await onBothEngines({'finetune.yaml': recipe, 'd.jsonl': rows});
    const head = await execa(process.execPath, [FT_BIN, 'data', 'head', 'dataset', '-n', '1'], {
      cwd: dir,
      env: {CI: '1'},
    });
    const first = JSON.parse(String(head.stdout));
    expect(first.messages[0]).toEqual({role: 'system', content: 'Reply briefly.'});
    expect(first.messages[1].content).toMatch(/mail \[EMAIL\]$/);
  });
});

describe('source identity and missing fields on worker threads', () => {
  /** Lines the way Python's json.dumps writes them, and some that only look alike. */
  function pythonLines(n: number): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const record: Record<string, unknown> = {
        zid: `t-${i}`,
        question: `caf\u00e9 ${i} \u6771\u4eac "q" \\ /${'x'.repeat(i % 50)}`,
        answer: i % 11 === 0 ? `tab\there ${i}` : `a${i}`,
        score: [1.5, 0.1, 100, -0, 1e21, 2.5e-7, 0.30000000000000004][i % 7],
        meta: {lang: i % 2 ? 'en' : 'fr', tags: ['x', {b: 1, a: i}]},
        ...(i % 5 === 0 ? {} : {customer: `c${i % 37}`}),
      };
      let line = JSON.stringify(record)
        .replaceAll('","', '", "')
        .replaceAll('":', '": ')
        .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      if (i % 97 === 0) line = line.replace('{"zid"', '{"answer": "first", "zid"'); // repeated key
      if (i % 89 === 0) line = line.replace('"question"', '"qu\\u0065stion"'); // escaped key
      out.push(line);
    }
    return `${out.join('\n')}\n`;
  }

  it('ids, split.by with missing: skip, and Python-style lines: byte for byte one thread', async () => {
    const recipe = `version: 1
name: ids
seed: 5
sources:
  d: { path: d.jsonl }
transforms:
  - template: { system: "Route.", user: "{{question}}", assistant: "{{answer}}" }
  - split: { validation: 0.2, test: 0.1, by: customer, missing: skip }
`;
    const {sequential, dir} = await onBothEngines({
      'finetune.yaml': recipe,
      'd.jsonl': pythonLines(30000),
    });
    expect(sequential.exitCode).toBe(0);
    const split = sequential.summary.transforms[1].split;
    expect(split.dropped).toEqual({'missing customer': 6000});
    expect(split.train + split.validation + split.test).toBe(24000);
    // The ids are the records' own: sha256 of their canonical JSON.
    const outputs = sequential.outputs as Record<string, string>;
    const text = (hash: string) => {
      const hex = hash.slice('sha256:'.length);
      return readFileSync(join(dir, '.ft/objects', hex.slice(0, 2), hex), 'utf8');
    };
    const ids = new Set(text(outputs['train.ids']!).split('\n').filter(Boolean));
    const {createHash} = await import('node:crypto');
    const {canonicalJson} = await import('../../src/core/canonical-json.js');
    const lines = pythonLines(30).split('\n').filter(Boolean);
    const known = lines
      .map((l) => JSON.parse(l))
      .filter((r) => r.customer !== undefined)
      .map((r) => createHash('sha256').update(canonicalJson(r)).digest('hex').slice(0, 32));
    expect(known.filter((id) => ids.has(id)).length).toBeGreaterThan(10);
  });

  it('a field no record has, and records missing a field: the same errors on both', async () => {
    const recipe = (step: string) => `version: 1
name: missing
sources:
  d: { path: d.jsonl }
transforms:
  - filter: ${step}
  - template: { user: "{{question}}", assistant: "{{answer}}" }
  - dedupe: { by: messages }
`;
    const none = await onBothEngines({
      'finetune.yaml': recipe('{ where: [{ field: custmer, not_equals: c1 }] }'),
      'd.jsonl': pythonLines(20000),
    });
    expect(none.sequential.exitCode).toBe(2);
    expect(none.sequential.diagnostics).toEqual([
      [
        'error',
        'finetune.yaml',
        6,
        "filter: no record has the field 'custmer' (20000 records reached this step; none could be used)",
      ],
    ]);
    // An exists test on it only warns: absence is its answer.
    const exists = await onBothEngines({
      'finetune.yaml': recipe('{ where: [{ field: custmer, exists: false }] }'),
      'd.jsonl': pythonLines(20000),
    });
    expect(exists.sequential.exitCode).toBe(0);
    expect(exists.sequential.diagnostics).toEqual([
      [
        'warning',
        'finetune.yaml',
        6,
        "filter: no record has the field 'custmer' (20000 records reached this step); is it misspelt?",
      ],
    ]);
    const some = await onBothEngines({
      'finetune.yaml': recipe('{ where: [{ field: customer, not_equals: c1 }] }'),
      'd.jsonl': pythonLines(20000),
    });
    expect(some.sequential.exitCode).toBe(2);
    expect(some.sequential.diagnostics.slice(0, 2)).toEqual([
      [
        'error',
        'd.jsonl',
        1,
        expect.stringContaining("filter: the record has no field 'customer'"),
      ],
      [
        'error',
        'd.jsonl',
        6,
        expect.stringContaining("filter: the record has no field 'customer'"),
      ],
    ]);
  });
});
