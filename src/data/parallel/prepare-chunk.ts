import {isUtf8} from 'node:buffer';
import {TextDecoder} from 'node:util';
import {canonicalJson} from '../../core/canonical-json.js';
import {DataProblems} from '../records/data-error.js';
import type {Example} from '../records/example.js';
import {FastCanonicalWriter} from '../records/fast-canonical-writer.js';
import {toTrainingExample} from '../records/formats.js';
import {SourceIdentity} from '../records/identity.js';
import {originOf, parseJsonlChunk, parseLine, type RecordOrigin} from '../records/parse-jsonl.js';
import {ID_LINE_BYTES} from '../records/split-writer.js';
import {comparedValue, DROP, exactOrNormalizedHash, KEEP} from '../transforms/dedupe.js';
import {createTransforms, preservesRecords} from '../transforms/index.js';
import {byLabels, FIELD_USE, type FieldUse, MissingFields} from '../transforms/missing-fields.js';
import {placeOf} from '../transforms/split.js';
import {TemplateSplicer} from '../transforms/template-splice.js';
import {StringHasher} from '../transforms/text/string-hash128.js';
import type {TransformContext, TransformStep} from '../transforms/transform.js';
import {
  type ChunkMessage,
  type ChunkResult,
  SPLIT_NUMBERS,
  SPLIT_SKIPPED,
  type WorkerSetup,
} from './messages.js';

/**
 * Prepares chunks of JSONL lines for the main thread (see parallel-plan.ts): parses them, runs
 * the record-local steps, and computes each surviving record's final line and what the suffix
 * needs of it. Runs in worker threads, and on the main thread for chunks too large to send
 * there (one enormous line would not fit a worker's small heap).
 */
export function createPreparer(setup: WorkerSetup): {
  prepare(message: ChunkMessage): ChunkResult;
  /** Takes back buffers of earlier results for the next ones (see RecycleMessage). */
  recycle(buffers: readonly ArrayBuffer[]): void;
  summaries(): Readonly<Record<string, unknown>>[];
  suffixSummaries(): Readonly<Record<string, unknown>>[];
} {
  /**
   * Buffers handed back, per kind (a result's lines, ids, lengths, splits and keys, in the order
   * RecycleMessage lists them), smallest first: each result takes one of its kind that fits, or
   * a new one. By kind, so that a small array never takes a large buffer that the next result's
   * lines then miss: a worker seldom makes a buffer after its first few chunks, and its memory is
   * the same for any length of input.
   */
  const free: ArrayBuffer[][] = [[], [], [], [], []];
  const take = (kind: number, bytes: number): Buffer => {
    const list = free[kind]!;
    const at = list.findIndex((b) => b.byteLength >= bytes);
    // Sizes are rounded up (to 1/8 of their power of two), so that a buffer handed back fits the
    // next chunk's alike needs, a little larger or not, instead of a new one being made.
    if (at === -1) return Buffer.allocUnsafeSlow(roundedUp(bytes));
    const [buffer] = list.splice(at, 1);
    return Buffer.from(buffer!);
  };
  let problems = new DataProblems(setup.skipping);
  const identity = new SourceIdentity(setup.splitBy);
  const ctx: TransformContext = {
    get problems() {
      return problems;
    },
    dir: setup.dir,
    seed: setup.seed,
    tempDir: setup.dir,
    signal: new AbortController().signal,
    identity,
  };
  /** What the suffix's field reads found here, per suffix step (merged into its summary). */
  const suffixFields = setup.suffix.map((s) =>
    s.kind === 'limit' ? undefined : new MissingFields(s.kind, s.index, s.missing, () => problems),
  );
  const steps: TransformStep[] = createTransforms(setup.prefix, ctx);
  const strings = new StringHasher();
  /**
   * Each suffix dedupe step's key. Whole-record exact dedupe hashes the record's canonical text,
   * which this worker computes anyway; equal canonical text is exactly dedupe's notion of equal,
   * so the main thread decides the same as the single-threaded step (both keep 96 bits of the
   * 128-bit key, dedupe-key-set.ts).
   */
  const dedupes = setup.suffix.flatMap((s, k) =>
    s.kind === 'dedupe'
      ? [
          {
            fromText: s.by === null && s.mode === 'exact',
            compared: comparedValue(s.by, suffixFields[k]!),
            hash: exactOrNormalizedHash(s.mode),
          },
        ]
      : [],
  );
  const splitAt = setup.suffix.findIndex((s) => s.kind === 'split');
  const split = setup.suffix[splitAt];
  const splitLabels = split?.kind === 'split' ? byLabels(split.by) : [];

  // The template step on the lines' bytes (template-splice.ts), when it comes first and
  // nothing after it in the workers changes records (their canonical bytes must stay true).
  const leading = setup.prefix[0];
  // A split by nested fields of the source record needs the parsed record: no splicing then.
  const byFields = identity.topLevelBy;
  const splicer =
    leading &&
    'template' in leading &&
    byFields !== undefined &&
    setup.prefix.slice(1).every(preservesRecords)
      ? TemplateSplicer.for(leading.template)
      : undefined;
  let spliced = 0;
  // The source record's fields the template reads, then those the split groups by.
  const source = new FastCanonicalWriter([...(splicer?.fields ?? []), ...(byFields ?? [])]);
  const decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
  let ends = new Int32Array(4096);

  const prepare = (message: ChunkMessage): ChunkResult => {
    problems = new DataProblems(setup.skipping);
    const inline = setup.inlineLines[message.source];
    const where: RecordOrigin = {
      file: message.file,
      source: message.source,
      ...(inline ? {lineOf: (n: number) => inline[n - 1] ?? 1} : {}),
    };
    const bytes = Buffer.from(
      message.bytes.buffer,
      message.bytes.byteOffset,
      message.bytes.byteLength,
    );
    // Where each line ends: records are at most one per line, which sizes the outputs.
    let lineCount = 0;
    for (let from = 0; from < bytes.length; lineCount++) {
      let to = bytes.indexOf(10, from);
      if (to === -1) to = bytes.length;
      if (lineCount === ends.length) ends = grownInt32(ends);
      ends[lineCount] = to;
      from = to + 1;
    }
    // In buffers handed back too (every record's entries are written below, none left as found).
    const splits = new Uint8Array(take(SPLITS, lineCount).buffer, 0, lineCount);
    const keyWords = lineCount * 4 * dedupes.length;
    const keys = new Int32Array(take(KEYS, keyWords * 4).buffer, 0, keyWords);
    const lengths = new Uint32Array(take(LENGTHS, lineCount * 4).buffer, 0, lineCount);
    const out = new LineBuffer(bytes.length, (size) => take(LINES, size));
    const ids = take(IDS, lineCount * ID_LINE_BYTES);
    let count = 0;
    let parsed = 0;

    /** Runs the steps from `done` on a batch and writes what survives. */
    const emit = (input: Example[], done: number) => {
      let batch = input;
      for (let k = done; k < steps.length && batch.length > 0; k++)
        batch = steps[k]!.process(batch) as Example[];
      for (const example of batch) write(example, count++);
    };

    const write = (example: Example, i: number) => {
      // Typed arrays drop writes past their end: a step that made records would lose them.
      if (i >= lineCount) throw new Error('a worker step made more records than it was given');
      const canonicalBytes = example.canonicalBytes;
      if (split?.kind === 'split') {
        // The split depends on the source record alone, so it is decided here, wherever it is.
        const placed = placeOf(example, split, suffixFields[splitAt]!, splitLabels);
        splits[i] = placed === undefined ? SPLIT_SKIPPED : SPLIT_NUMBERS[placed];
      } else splits[i] = example.split ? SPLIT_NUMBERS[example.split] : SPLIT_NUMBERS.train;
      // The line: the id, then the record's own canonical JSON when it is in training form.
      // Canonical bytes (the template splicer's) are a chat example no step has changed since.
      const normal = canonicalBytes ? undefined : toTrainingExample(example.record);
      const lineIsRecord = canonicalBytes !== undefined || normal === example.record;
      const canonical = canonicalBytes ? undefined : canonicalJson(example.record);
      const idAt = i * ID_LINE_BYTES;
      if (ids.write(example.id, idAt, 'latin1') !== ID_LINE_BYTES - 1) {
        throw new Error(`a record's id is not ${ID_LINE_BYTES - 1} characters: ${example.id}`);
      }
      ids[idAt + ID_LINE_BYTES - 1] = 10;
      const lineStart = out.length;
      if (canonicalBytes) out.bytes(canonicalBytes);
      else out.text(lineIsRecord ? canonical! : canonicalJson(normal));
      const lineEnd = out.length;
      out.newline();
      lengths[i] = out.length - lineStart;
      for (let k = 0; k < dedupes.length; k++) {
        const d = dedupes[k]!;
        const at = (i * dedupes.length + k) * 4;
        if (!d.fromText) {
          const value = d.compared(example);
          // A record without a `by` field was reported (missing: error): the build will fail.
          if (value !== DROP && value !== KEEP) d.hash(value, keys, at);
          else keys.fill(0, at, at + 4);
        }
        // Canonical JSON escapes lone surrogates, so its UTF-8 is an exact encoding of the text:
        // hashing the line's bytes is hashing the text, less the encoding.
        else if (lineIsRecord) strings.hashUtf8(out.buffer, lineStart, lineEnd, 0, keys, at);
        else strings.hash(canonical!, 0, keys, at);
      }
    };

    // Lines go through in small groups, so that a group's objects die before the next is made:
    // the young generation then holds little when it is collected, which keeps GC cheap.
    // A UTF-8 BOM at the start of the file is not part of the first line (as in parse-jsonl).
    const bom = message.atFileStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const splicing = splicer !== undefined && isUtf8(bytes);
    const template = steps[0];
    for (let first = 0; first < lineCount; first += GROUP_LINES) {
      const last = Math.min(first + GROUP_LINES, lineCount); // lines [first, last)
      const from = first === 0 ? 0 : ends[first - 1]! + 1;
      const lineNo = message.firstLine + first;
      if (!splicing) {
        const group = bytes.subarray(from, Math.min(ends[last - 1]! + 1, bytes.length));
        const atStart = message.atFileStart && first === 0;
        const batch = parseJsonlChunk(group, lineNo, atStart, where, problems);
        parsed += batch.length;
        identity.assign(batch, problems);
        emit(batch, 0);
        continue;
      }
      // The group before is written: the splicer's buffer is free again.
      splicer.reuse();
      const batch: Example[] = [];
      for (let n = first; n < last; n++) {
        const start = n === 0 ? (bom ? 3 : 0) : ends[n - 1]! + 1;
        const origin = originOf(where, message.firstLine + n);
        // The source record in canonical JSON, from its bytes: its id, and the template's fields.
        const example = source.write(bytes, start, ends[n]!)
          ? splicer.line(source, origin)
          : undefined;
        if (example) {
          identity.assignWritten(example, source, splicer.fields.length);
          spliced++;
          parsed++;
          batch.push(example);
          continue;
        }
        // The ordinary way, which also reports what is wrong with the line.
        const one: Example[] = [];
        const text = decoder.decode(bytes.subarray(start, ends[n]!));
        parseLine(text, 0, text.length, message.firstLine + n, where, problems, one);
        if (one.length === 0) continue;
        parsed++;
        identity.assign(one, problems);
        for (const e of template!.process(one) as Example[]) batch.push(e);
      }
      emit(batch, 1);
    }
    return {
      type: 'chunk',
      seq: message.seq,
      parsed,
      count,
      lines: out.buffer.subarray(0, out.length),
      ids: ids.subarray(0, count * ID_LINE_BYTES),
      lengths: lengths.subarray(0, count),
      splits: splits.subarray(0, count),
      keys: keys.subarray(0, count * 4 * dedupes.length),
      problems: problems.snapshot(),
    };
  };
  return {
    prepare,
    recycle(buffers) {
      for (const [kind, buffer] of buffers.entries()) {
        const list = free[kind];
        if (!list) {
          release(buffer);
          continue;
        }
        list.push(buffer);
        list.sort((a, b) => a.byteLength - b.byteLength);
        // The smallest goes: the larger ones fit more of the results to come.
        if (list.length > MAX_FREE) release(list.shift()!);
      }
    },
    summaries: () =>
      steps.map((step, k) => {
        const summary = step.summary();
        // Lines the splicer took passed the template step without it seeing them, every field
        // of its templates present.
        return k === 0 && splicer ? withSpliced(summary, spliced) : {...summary};
      }),
    suffixSummaries: () =>
      suffixFields.map((fields) => (fields ? {...fields.droppedField(), ...fields.summary()} : {})),
  };
}

/** A template step's summary with `spliced` more records that passed it, fields and all. */
function withSpliced(
  summary: Readonly<Record<string, unknown>> & {in: number; out: number},
  spliced: number,
): Record<string, unknown> {
  const fields = summary[FIELD_USE] as Record<string, FieldUse> | undefined;
  return {
    ...summary,
    in: summary.in + spliced,
    out: summary.out + spliced,
    ...(fields
      ? {
          [FIELD_USE]: Object.fromEntries(
            Object.entries(fields).map(([k, use]) => [k, {...use, present: use.present + spliced}]),
          ),
        }
      : {}),
  };
}

/** The kinds of a result's buffers, in RecycleMessage's order. */
const LINES = 0;
const IDS = 1;
const LENGTHS = 2;
const SPLITS = 3;
const KEYS = 4;
/**
 * Buffers of each kind a preparer keeps for its next results (see `recycle`): a worker has up to
 * 4 results out (run-parallel.ts IN_FLIGHT_PER_WORKER), and one more is being made.
 */
const MAX_FREE = 5;

/**
 * Frees a buffer's memory now. A buffer that has been to the main thread and back lives in the
 * old generation, which a worker's small heap seldom collects: dropped, its memory would stay
 * until then, and a long input would leave more of it than a short one.
 */
function release(buffer: ArrayBuffer): void {
  (buffer as {transfer?: (length: number) => ArrayBuffer}).transfer?.(0);
}

/** `bytes` rounded up to a multiple of an eighth of the power of two below it (4096 at least). */
function roundedUp(bytes: number): number {
  if (bytes <= 4096) return 4096;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 8;
  return Math.ceil(bytes / step) * step;
}

/** Lines taken through the steps at a time (see `prepare`). */
const GROUP_LINES = 256;

function grownInt32(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/** The chunk's output lines, UTF-8, in a buffer that grows as they are written. */
class LineBuffer {
  buffer: Buffer;
  length = 0;
  readonly #take: (bytes: number) => Buffer;

  /**
   * `take(bytes)` gives a buffer of at least that size, of its own (never a slice of Node's
   * shared pool: the buffer is transferred to the main thread whole).
   */
  constructor(expected: number, take: (bytes: number) => Buffer) {
    this.#take = take;
    this.buffer = take(Math.max(4096, Math.ceil(expected * 1.25)));
  }

  bytes(bytes: Uint8Array): void {
    this.#room(bytes.length + 1);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.#room(text.length * 3 + 1);
    this.length += this.buffer.write(text, this.length);
  }

  newline(): void {
    this.#room(1);
    this.buffer[this.length++] = 10;
  }

  #room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = this.#take(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    release(this.buffer.buffer as ArrayBuffer);
    this.buffer = grown;
  }
}
