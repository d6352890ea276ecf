import {endianness} from 'node:os';

/**
 * A minimal safetensors writer and reader: 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}} (keys in the order given, padded with spaces to a
 * multiple of 8), then the tensors' little-endian bytes back to back in the same order.
 */

export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

// Typed arrays use the machine's byte order; every platform Node runs on is little-endian, but
// a file must never depend on that silently.
function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('the embedded trainer needs a little-endian machine');
}

const dtypeOf = (data: Float32Array | Float64Array) =>
  data instanceof Float32Array ? 'F32' : 'F64';

export function encodeSafetensors(tensors: readonly Tensor[]): Buffer {
  assertLittleEndian();
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) {
      throw new Error(
        `tensor ${t.name}: shape ${JSON.stringify(t.shape)} does not match ${t.data.length} values`,
      );
    }
    header[t.name] = {
      dtype: dtypeOf(t.data),
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

export interface DecodedTensor {
  readonly dtype: 'F32' | 'F64';
  readonly shape: number[];
  readonly data: Float32Array | Float64Array;
}

/** Reads a safetensors file's F32/F64 tensors; throws on anything malformed. */
export function decodeSafetensors(buf: Buffer, where: string): Map<string, DecodedTensor> {
  assertLittleEndian();
  const bad = (why: string) => new Error(`${where} is not a valid safetensors file: ${why}`);
  if (buf.length < 8) throw bad('too short');
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) throw bad('header length past the end');
  let header: Record<string, {dtype: string; shape: number[]; data_offsets: [number, number]}>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    throw bad('header is not JSON');
  }
  const base = 8 + n;
  const out = new Map<string, DecodedTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const width = info.dtype === 'F32' ? 4 : info.dtype === 'F64' ? 8 : 0;
    if (width === 0) throw bad(`tensor ${name} has dtype ${info.dtype}`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width || base + end > buf.length)
      throw bad(`tensor ${name} has wrong offsets`);
    // Copy: the file's bytes need not be aligned for a typed array view.
    const bytes = new Uint8Array(buf.subarray(base + begin, base + end));
    const data = width === 4 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
    out.set(name, {dtype: info.dtype as 'F32' | 'F64', shape: info.shape, data});
  }
  return out;
}
