import {createReadStream} from 'node:fs';
import {appendFile, mkdtemp, readdir, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {canonicalJson} from '../../core/canonical-json.js';
import type {Example} from '../records/example.js';
import {positionKey, positionOf} from './position.js';
import type {TransformContext, TransformStep} from './transform.js';

/** Records held in memory before spilling to disk. */
const SPILL_AT_BYTES = 64 * 1024 * 1024;
/** Spill files, by the first byte of the position: each holds about 1/256 of the records. */
const BUCKETS = 256;

interface Entry {
  readonly u: number;
  readonly line: string;
  readonly origin: Example['origin'];
  readonly id: string;
  readonly group: Example['group'];
}

/**
 * Reorders the records by their seeded position (position.ts: of the id of the source record
 * each came from, keyed by "shuffle:<seed>"; equal ids by their canonical JSON): the same records and seed
 * always give the same order, wherever they come from, whatever the prompt. Up to 64 MB
 * of records are sorted in memory; beyond that they are spilled to 256 files by the first
 * byte of their position, and each file is sorted in turn, so memory stays flat at any size.
 */
export function shuffleTransform(
  options: {readonly seed: number},
  ctx: TransformContext,
  spillAtBytes = SPILL_AT_BYTES,
): TransformStep {
  const key = positionKey('shuffle', options.seed);
  let held: Entry[] = [];
  let heldBytes = 0;
  let spillDir: string | undefined;
  let seen = 0;
  const spill = async () => {
    spillDir ??= await mkdtemp(join(ctx.tempDir, 'shuffle-'));
    const byBucket = new Map<number, string[]>();
    for (const e of held) {
      const bucket = Math.min(BUCKETS - 1, Math.floor(e.u * BUCKETS));
      const lines = byBucket.get(bucket) ?? [];
      lines.push(
        `${JSON.stringify([e.u, e.origin.file, e.origin.line, e.origin.source ?? null, e.id, e.group ?? null])}\t${e.line}\n`,
      );
      byBucket.set(bucket, lines);
    }
    for (const [bucket, lines] of byBucket) {
      await appendFile(join(spillDir, String(bucket).padStart(3, '0')), lines.join(''));
    }
    held = [];
    heldBytes = 0;
  };
  const sorted = (entries: Entry[]) =>
    entries
      .sort((a, b) => a.u - b.u || (a.line < b.line ? -1 : a.line > b.line ? 1 : 0))
      .map(
        (e): Example => ({
          record: JSON.parse(e.line) as Record<string, unknown>,
          origin: e.origin,
          id: e.id,
          ...(e.group !== undefined ? {group: e.group} : {}),
        }),
      );
  return {
    name: 'shuffle',
    async process(batch) {
      for (const example of batch) {
        seen++;
        const line = canonicalJson(example.record);
        held.push({
          u: positionOf(example.id, key),
          line,
          origin: example.origin,
          id: example.id,
          group: example.group,
        });
        heldBytes += line.length * 2 + 64;
      }
      if (heldBytes >= spillAtBytes) await spill();
      return [];
    },
    async *finish() {
      if (spillDir === undefined) {
        const all = sorted(held);
        held = [];
        for (let i = 0; i < all.length; i += 4096) yield all.slice(i, i + 4096);
        return;
      }
      await spill();
      try {
        for (const name of (await readdir(spillDir)).sort()) {
          const entries: Entry[] = [];
          const lines = createInterface({
            input: createReadStream(join(spillDir, name), 'utf8'),
            crlfDelay: Infinity,
          });
          for await (const text of lines) {
            const tab = text.indexOf('\t');
            const [u, file, line, source, id, group] = JSON.parse(text.slice(0, tab)) as [
              number,
              string,
              number,
              string | null,
              string,
              Example['group'] | null,
            ];
            entries.push({
              u,
              line: text.slice(tab + 1),
              origin: {file, line, ...(source !== null ? {source} : {})},
              id,
              group: group ?? undefined,
            });
          }
          const all = sorted(entries);
          for (let i = 0; i < all.length; i += 4096) yield all.slice(i, i + 4096);
        }
      } finally {
        await rm(spillDir, {recursive: true, force: true});
      }
    },
    summary: () => ({in: seen, out: seen, spilled: spillDir !== undefined}),
  };
}
