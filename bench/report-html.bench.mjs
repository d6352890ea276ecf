// report.html with 10,000 examples in headless Chromium: the time to first contentful paint (the
// static summary) and until the example table has its first rows (the script's
// `ft-examples-ready` mark), side by side with a page that holds only a heading (the browser's
// own floor) in the same run. Medians of 5 loads, printed as figures: no issue sets a target yet.
// Skipped where /usr/bin/chromium is missing.
import {existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {median} from './lib.mjs';

const CHROMIUM = '/usr/bin/chromium';
const EXAMPLES = 10_000;
const ROUNDS = 5;
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM}`);
  process.exit(0);
}
const here = dirname(fileURLToPath(import.meta.url));
const {renderHtml} = await import(join(here, '..', 'dist', 'report', 'html.js'));
const {chromium} = await import('playwright-core');

/** A deterministic pseudo-random generator (mulberry32), as test/helpers/random.ts. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const WORDS =
  'the a model answer question river city paris london seine north west capital country is was of to and'.split(
    ' ',
  );

/** A report of `n` examples (answers of 20-60 words), two models, a 10,000-step curve. */
function report(n) {
  const rand = random(1);
  const text = (len) =>
    Array.from({length: len}, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const models = ['base', 'tuned'];
  const items = [];
  for (let i = 0; i < n; i++) {
    const reference = text(20 + Math.floor(rand() * 40));
    const outputs = {};
    const scores = {};
    const failed = [];
    for (const m of models) {
      const right = rand() < 0.6;
      outputs[m] = right ? reference : `${reference.split(' ').slice(2).join(' ')} ${text(5)}`;
      scores[m] = {exact_match: right ? 1 : 0, bleu: right ? 100 : rand() * 60};
      if (!right) failed.push(m);
    }
    items.push({
      id: `ex-${i}`,
      input: [
        {role: 'system', content: 'Answer briefly.'},
        {role: 'user', content: text(15 + Math.floor(rand() * 30))},
      ],
      reference,
      outputs,
      scores,
      failed,
    });
  }
  const score = (v) => ({value: v, n, interval: [v * 0.95, Math.min(1, v * 1.05)]});
  return {
    report_version: 1,
    build: {
      id: 'bench',
      recipe: 'finetune.yaml',
      name: 'bench',
      started_at: '2026-12-06T00:00:00.000Z',
      finished_at: '2026-12-06T00:10:00.000Z',
      duration_ms: 600_000,
      exit_code: 0,
      ok: true,
      ft_version: '0.1.0',
      git: null,
    },
    stages: [
      {id: 'eval', kind: 'eval', status: 'ran', why: [], duration_ms: 1000, key: null, error: null},
    ],
    training: [
      {
        stage: 'train:tuned',
        target: 'tuned',
        backend: 'embedded',
        status: 'ran',
        base_model: 'base',
        model: 'sha256:00',
        curve: {
          available: true,
          points: Array.from({length: 10_000}, (_, s) => ({
            step: s + 1,
            loss: 0.4 + 2 * Math.exp(-s / 2000) + (rand() - 0.5) * 0.2,
            ...(s % 100 === 99 ? {eval_loss: 0.5 + 2 * Math.exp(-s / 2000)} : {}),
          })),
        },
        steps: 10_000,
        trained_tokens: 5_000_000,
        cost_usd: {estimate: 1.5, actual: null},
        duration_ms: 500_000,
      },
    ],
    eval: {
      dataset: 'test',
      n,
      models,
      metrics: [
        {
          id: 'exact_match',
          type: 'exact_match',
          scale: '0-1',
          higher_is_better: true,
          pass_fail: true,
        },
        {id: 'bleu', type: 'bleu', scale: '0-100', higher_is_better: true, pass_fail: false},
      ],
      scores: {
        base: {exact_match: score(0.6), bleu: {...score(70), interval: [66, 74]}},
        tuned: {exact_match: score(0.6), bleu: {...score(71), interval: [67, 75]}},
      },
      bootstrap: {resamples: 1000, seed: 0},
      gates: [],
      baseline: {available: false, reason: 'first commit'},
      examples: {total: n, shown: n, items},
    },
    diagnostics: [],
  };
}

const work = join(here, '.work', 'report-html');
mkdirSync(work, {recursive: true});
const file = join(work, 'report.html');
const renderStart = process.hrtime.bigint();
writeFileSync(file, renderHtml(report(EXAMPLES)));
const renderSeconds = Number(process.hrtime.bigint() - renderStart) / 1e9;
const floor = join(work, 'floor.html');
writeFileSync(floor, '<!doctype html><meta charset="utf-8"><title>floor</title><h1>report</h1>');

const profile = mkdtempSync(join(tmpdir(), 'ft-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--no-first-run',
  ],
  viewport: {width: 1280, height: 900},
});
/** Loads `path` in a new tab; its first contentful paint and its `ft-examples-ready` mark, in ms. */
async function load(path, waitRows) {
  const page = await context.newPage();
  await page.goto(pathToFileURL(path).href);
  if (waitRows) await page.locator('#examples-table tbody tr').first().waitFor();
  // The paint entry is queued after the frame; poll until it is there.
  let times = null;
  for (let i = 0; i < 100 && times === null; i++) {
    times = await page.evaluate(`(() => {
      const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
      const ready = performance.getEntriesByName('ft-examples-ready')[0];
      return fcp ? {fcp: fcp.startTime, ready: ready ? ready.startTime : null} : null;
    })()`);
    if (times === null) await page.waitForTimeout(20);
  }
  await page.close();
  if (times === null) throw new Error(`no first-contentful-paint for ${path}`);
  return times;
}
try {
  const fcp = [];
  const ready = [];
  const floorFcp = [];
  await load(file, true); // warm the browser's caches
  for (let round = 0; round < ROUNDS; round++) {
    const t = await load(file, true);
    fcp.push(t.fcp);
    ready.push(t.ready);
    floorFcp.push((await load(floor, false)).fcp);
  }
  const [f, r, b] = [median(fcp), median(ready), median(floorFcp)];
  const mib = statSync(file).size / 2 ** 20;
  console.log(
    `report.html, ${EXAMPLES.toLocaleString('en-US')} examples, ${mib.toFixed(1)} MiB, rendered in ${renderSeconds.toFixed(2)} s`,
  );
  console.log(`first contentful paint: ${f.toFixed(0)} ms (a bare page: ${b.toFixed(0)} ms)`);
  console.log(`first example rows: ${r.toFixed(0)} ms after navigation start`);
} finally {
  await context.close();
  rmSync(profile, {recursive: true, force: true, maxRetries: 3});
}
