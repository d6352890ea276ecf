import {compileWasm, instantiateWasm, type WasmMemory} from '../../core/webassembly.js';
import {CanonicalWriter, type WrittenCanonical} from './canonical-bytes.js';

/** The exports of wasm/canonical.ts. */
interface CanonicalExports {
  readonly memory: WasmMemory;
  setup(
    out: number,
    members: number,
    membersMax: number,
    names: number,
    count: number,
    found: number,
  ): void;
  write(from: number, to: number): number;
}
let compiled: object | null | undefined;

/** The compiled module, or null when it is not there (running from source without a build). */
function canonicalModule(): object | null {
  compiled ??=
    compileWasm([
      new URL('./canonical.wasm', import.meta.url),
      new URL('../../../dist/data/records/canonical.wasm', import.meta.url),
    ]) ?? null;
  return compiled;
}

/** The module's own static data stays below this; the host's regions start here. */
const RESERVED = 65536;
/**
 * The member stack's size in int32s: 16,384 members of 7 (wasm/canonical.ts); a line that needs
 * more is left to CanonicalWriter.
 */
const MEMBER_STACK_INTS = 7 * 16 * 1024;
/**
 * Inputs larger than this (a chunk holding an enormous line, prepared on the main thread) are
 * written by CanonicalWriter alone: the module's memory, which never shrinks, stays a few
 * megabytes (workers get chunks of about 1 MiB).
 */
const MAX_INPUT = 16 * 1024 * 1024;
const PAGE = 65536;

/**
 * CanonicalWriter's output for the same input, mostly written by WebAssembly (wasm/canonical.ts,
 * which scans strings 16 bytes at a time): a chunk of input is copied into the module's memory
 * once, and each line written from there. A line the module does not take (a number that
 * JSON.stringify writes otherwise, a key with an escape, a line beyond its capacities) is
 * written by CanonicalWriter, so what is written, refused and located is CanonicalWriter's
 * exactly. `buffer`, `start`, `end` and `state` are those of whichever wrote the last line, and
 * valid until the next write.
 */
export class FastCanonicalWriter implements WrittenCanonical {
  buffer: Buffer;
  length = 0;
  start: ArrayLike<number>;
  end: ArrayLike<number>;
  state: ArrayLike<number>;
  /** Lines the WebAssembly module wrote (the rest went to CanonicalWriter). */
  taken = 0;
  readonly #js: CanonicalWriter;
  readonly #k: CanonicalExports | undefined;
  readonly #count: number;
  /** Where the wanted fields' results are, then the member stack, then the input (its names first). */
  readonly #found: number;
  readonly #members: number;
  readonly #input: number;
  #inputCapacity = 0;
  #out = 0;
  #outCapacity = 0;
  #outBuffer: Buffer = Buffer.alloc(0);
  #start: Int32Array = new Int32Array(0);
  #end: Int32Array = new Int32Array(0);
  #state: Int32Array = new Int32Array(0);
  /** The last input given; it is in the module's memory when #loadedInWasm. */
  #loaded: Uint8Array | undefined;
  #loadedInWasm = false;

  /** `fields`: top-level field names whose values to locate (plain ASCII names). */
  constructor(fields: readonly string[] = []) {
    this.#js = new CanonicalWriter(fields);
    this.buffer = this.#js.buffer;
    this.start = this.#js.start;
    this.end = this.#js.end;
    this.state = this.#js.state;
    this.#count = fields.length;
    const module = canonicalModule();
    const names = fields.map((f) => Buffer.from(f, 'latin1'));
    const table = RESERVED;
    let at = table + names.length * 8;
    const nameAt: number[] = [];
    for (const name of names) {
      nameAt.push(at);
      at += name.length;
    }
    this.#found = align(at);
    this.#members = align(this.#found + this.#count * 12);
    this.#input = align(this.#members + MEMBER_STACK_INTS * 4);
    if (!module) return;
    this.#k = instantiateWasm<CanonicalExports>(module);
    this.#reserve(this.#input);
    const memory = Buffer.from(this.#k.memory.buffer);
    names.forEach((name, k) => {
      memory.writeInt32LE(nameAt[k]!, table + k * 8);
      memory.writeInt32LE(name.length, table + k * 8 + 4);
      name.copy(memory, nameAt[k]!);
    });
    this.#k.setup(0, this.#members, MEMBER_STACK_INTS, table, this.#count, this.#found);
  }

  /**
   * Writes the canonical JSON of the value at bytes[from, to) (whitespace around it allowed),
   * from offset 0 of `buffer`, and locates the wanted fields. False when the text is not JSON,
   * or not taken. `b` is copied into the module when it is not the `b` of the last call: the
   * bytes of one `b` must not change between calls.
   */
  write(b: Uint8Array, from: number, to: number): boolean {
    if (b !== this.#loaded) this.#load(b);
    const k = this.#k;
    if (k && this.#loadedInWasm) {
      // The output, sorted in place past its end, takes at most twice the line.
      if (2 * (to - from) + 64 > this.#outCapacity) this.#growOut(2 * (to - from) + 64);
      const n = k.write(this.#input + from, this.#input + to);
      if (n >= 0) {
        this.taken++;
        this.buffer = this.#outBuffer;
        this.length = n;
        this.start = this.#start;
        this.end = this.#end;
        this.state = this.#state;
        return true;
      }
    }
    const js = this.#js;
    const taken = js.write(b, from, to);
    this.buffer = js.buffer;
    this.length = js.length;
    this.start = js.start;
    this.end = js.end;
    this.state = js.state;
    return taken;
  }

  #load(b: Uint8Array): void {
    this.#loaded = b;
    this.#loadedInWasm = false;
    if (!this.#k || b.length > MAX_INPUT) return;
    if (b.length > this.#inputCapacity) {
      // The output moves past the larger input; what it held is per line anyway.
      this.#inputCapacity = Math.max(b.length, 2 * this.#inputCapacity);
      this.#out = align(this.#input + this.#inputCapacity);
      this.#outCapacity = 0;
      this.#growOut(64 * 1024);
    }
    new Uint8Array(this.#k.memory.buffer, this.#input, b.length).set(b);
    this.#loadedInWasm = true;
  }

  #growOut(bytes: number): void {
    this.#outCapacity = Math.max(bytes, 2 * this.#outCapacity);
    this.#reserve(this.#out + this.#outCapacity);
    this.#k!.setup(this.#out, this.#members, MEMBER_STACK_INTS, RESERVED, this.#count, this.#found);
    this.#views();
  }

  /** Grows the module's memory to at least `bytes`, and remakes the views of it. */
  #reserve(bytes: number): void {
    const k = this.#k!;
    const have = k.memory.buffer.byteLength;
    if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.#views();
  }

  #views(): void {
    const memory = this.#k!.memory.buffer;
    this.#outBuffer = Buffer.from(memory, this.#out, this.#outCapacity);
    this.#start = new Int32Array(memory, this.#found, this.#count);
    this.#end = new Int32Array(memory, this.#found + this.#count * 4, this.#count);
    this.#state = new Int32Array(memory, this.#found + this.#count * 8, this.#count);
  }
}

function align(at: number): number {
  return Math.ceil(at / 16) * 16;
}
