import {canonicalJson} from '../../core/canonical-json.js';
import {DataProblems} from '../records/data-error.js';
import type {Example} from '../records/example.js';
import {toTrainingExample} from '../records/formats.js';
import {parseJsonlChunk} from '../records/parse-jsonl.js';
import {comparedValue, exactOrNormalizedHash} from '../transforms/dedupe.js';
import {createTransforms} from '../transforms/index.js';
import {positionOf} from '../transforms/position.js';
import {splitOf} from '../transforms/split.js';
import {murmur3x86_128Words} from '../transforms/text/murmur3.js';
import {StringHasher} from '../transforms/text/string-hash128.js';
import type {TransformContext, TransformStep} from '../transforms/transform.js';
import type {ChunkMessage, ChunkResult, WorkerSetup} from './messages.js';

/**
 * Prepares chunks of JSONL lines for the main thread (see parallel-plan.ts): parses them, runs
 * the record-local steps, and computes each surviving record's final line and what the suffix
 * needs of it. Runs in worker threads, and on the main thread for chunks too large to send
 * there (one enormous line would not fit a worker's small heap).
 */
export function createPreparer(setup: WorkerSetup): {
  prepare(message: ChunkMessage): ChunkResult;
  summaries(): Readonly<Record<string, unknown>>[];
} {
  let problems = new DataProblems(setup.skipping);
  const ctx: TransformContext = {
    get problems() {
      return problems;
    },
    dir: setup.dir,
    seed: setup.seed,
    tempDir: setup.dir,
    signal: new AbortController().signal,
  };
  // The suffix only drops or tags records, so the prefix decides what split may keep.
  const steps: TransformStep[] = createTransforms(setup.prefix, ctx);
  const strings = new StringHasher();
  let scratch = new Uint8Array(1 << 16);
  let words = new Int32Array(scratch.buffer);
  /** MurmurHash3_x86_128 of bytes[from, to), through an aligned copy so words can be read. */
  const hashBytes = (bytes: Uint8Array, from: number, to: number, out: Int32Array, at: number) => {
    const length = to - from;
    if (length + 4 > scratch.length) {
      scratch = new Uint8Array(2 ** Math.ceil(Math.log2(length + 4)));
      words = new Int32Array(scratch.buffer);
    }
    scratch.set(bytes.subarray(from, to));
    murmur3x86_128Words(words, length, 0, out, at);
  };
  /**
   * Each suffix dedupe step's key. Whole-record exact dedupe hashes the record's canonical text,
   * which this worker computes anyway; equal canonical text is exactly dedupe's notion of equal,
   * so the main thread decides the same as the single-threaded step (keys are never stored).
   */
  const dedupes = setup.suffix.flatMap((s) =>
    s.kind === 'dedupe'
      ? [
          s.by === null && s.mode === 'exact'
            ? {
                fromText: true as const,
                compared: comparedValue(null),
                hash: exactOrNormalizedHash('exact'),
              }
            : {
                fromText: false as const,
                compared: comparedValue(s.by),
                hash: exactOrNormalizedHash(s.mode),
              },
        ]
      : [],
  );
  const split = setup.suffix.find((s) => s.kind === 'split');
  const SPLITS = {train: 0, validation: 1, test: 2} as const;

  const prepare = (message: ChunkMessage): ChunkResult => {
    problems = new DataProblems(setup.skipping);
    const lines = setup.inlineLines[message.source];
    const parsed = parseJsonlChunk(
      Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength),
      message.firstLine,
      message.atFileStart,
      {
        file: message.file,
        source: message.source,
        ...(lines ? {lineOf: (n: number) => lines[n - 1] ?? 1} : {}),
      },
      problems,
    );
    const parsedCount = parsed.length;
    let batch: Example[] = parsed;
    for (const step of steps) {
      if (batch.length === 0) break;
      batch = step.process(batch) as Example[];
    }
    const count = batch.length;
    const texts: string[] = new Array(count);
    const splits = new Uint8Array(count);
    const keys = new Int32Array(count * 4 * dedupes.length);
    // Records whose output line is their own canonical JSON: a whole-record exact dedupe key is
    // then read off the line's UTF-8 bytes below, which are made anyway.
    const lineIsRecord = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const example = batch[i]!;
      let canonical = example.canonical;
      if (split?.kind === 'split') {
        canonical ??= canonicalJson(example.record);
        splits[i] = SPLITS[splitOf(positionOf(canonical, `${split.seed}:`), split)];
      } else if (example.split) splits[i] = SPLITS[example.split];
      const normal = toTrainingExample(example.record);
      if (normal === example.record) {
        canonical ??= canonicalJson(example.record);
        lineIsRecord[i] = 1;
      }
      for (let k = 0; k < dedupes.length; k++) {
        const d = dedupes[k]!;
        const at = (i * dedupes.length + k) * 4;
        if (!d.fromText) d.hash(d.compared(example.record), keys, at);
        else if (!lineIsRecord[i]) {
          canonical ??= canonicalJson(example.record);
          strings.hash(canonical, 0, keys, at);
        }
      }
      texts[i] = `${lineIsRecord[i] ? canonical : canonicalJson(normal)}\n`;
    }
    const lengths = new Uint32Array(count);
    const bytes = Buffer.from(texts.join(''), 'utf8');
    // Line lengths from the encoded bytes: each line ends at a '\n' (never inside JSON text).
    // Canonical JSON escapes lone surrogates, so these bytes are an exact encoding of the text:
    // hashing them is hashing the text (what StringHasher does, less its encoding step).
    let start = 0;
    for (let i = 0; i < count; i++) {
      const end = bytes.indexOf(10, start) + 1;
      lengths[i] = end - start;
      if (lineIsRecord[i]) {
        for (let k = 0; k < dedupes.length; k++) {
          if (dedupes[k]!.fromText)
            hashBytes(bytes, start, end - 1, keys, (i * dedupes.length + k) * 4);
        }
      }
      start = end;
    }
    return {
      type: 'chunk',
      seq: message.seq,
      parsed: parsedCount,
      count,
      lines: bytes,
      lengths,
      splits,
      keys,
      problems: problems.snapshot(),
    };
  };
  return {prepare, summaries: () => steps.map((s) => ({...s.summary()}))};
}
