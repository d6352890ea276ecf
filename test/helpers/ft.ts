import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {onTestFinished} from 'vitest';

/** The built CLI: integration tests run ft exactly as users do. `scripts/test` builds it. */
export const FT_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface FtResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ft <args>` in `cwd` as a real child process (CI set, so output is plain lines). */
export async function ft(
  cwd: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<FtResult> {
  if (!existsSync(FT_BIN)) throw new Error(`${FT_BIN} is missing: run npm run build first`);
  const r = await execa(process.execPath, [FT_BIN, ...args], {
    cwd,
    reject: false,
    env: {CI: '1', NO_COLOR: '1', ...env},
    extendEnv: true,
  });
  return {exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr)};
}

export interface NdjsonEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** Parses `--json` output; every line must be a JSON object with an `event`. */
export function events(stdout: string): NdjsonEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const e = JSON.parse(l) as NdjsonEvent;
      if (typeof e.event !== 'string') throw new Error(`not an event: ${l}`);
      return e;
    });
}

/** `ft build --json` and its events, with per-stage statuses from the summary. */
export async function buildJson(
  cwd: string,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<FtResult & {events: NdjsonEvent[]; statuses: Record<string, string>}> {
  const r = await ft(cwd, ['build', '--json', ...args], env);
  const all = events(r.stdout);
  const summary = all.at(-1);
  if (summary?.event !== 'summary')
    throw new Error(`last event is not a summary:\n${r.stdout}\n${r.stderr}`);
  const statuses: Record<string, string> = {};
  for (const s of summary.stages as {id: string; status: string}[]) statuses[s.id] = s.status;
  return {...r, events: all, statuses};
}

/** The stage-end event of a stage. */
export function stageEnd(all: readonly NdjsonEvent[], id: string): NdjsonEvent {
  const e = all.find((x) => x.event === 'stage-end' && x.id === id);
  if (!e) throw new Error(`no stage-end for ${id}`);
  return e;
}

/** A temp folder holding `files`, removed when the test ends. */
export async function project(
  files: Readonly<Record<string, string | Uint8Array>>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-test-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true, maxRetries: 3}));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), {recursive: true});
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** JSONL text from records. */
export const jsonl = (records: readonly unknown[]): string =>
  records.map((r) => `${JSON.stringify(r)}\n`).join('');

/** The smoke recipe, valid as written. */
export const SMOKE_RECIPE = `version: 1
name: smoke
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { validation: 0.2 }
`;

export const SMOKE_DATA = jsonl(
  Array.from({length: 40}, (_, i) => ({prompt: `question ${i}?`, response: `answer ${i}`})),
);
