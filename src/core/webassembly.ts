import {existsSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/** The few WebAssembly JS API members ft uses (TypeScript's es2023 lib has no WebAssembly). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => {exports: object};
}
const wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly;

/**
 * Compiles the first of `candidates` (URLs of .wasm files: beside the loading file in dist/,
 * then in dist/ when running from src/) that exists; undefined when none does.
 */
export function compileWasm(candidates: readonly URL[]): object | undefined {
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return new wasm.Module(readFileSync(path));
  }
  return undefined;
}

/** A new instance of a compiled module; its exports as the caller types them. */
export function instantiateWasm<T>(module: object, imports: object = {}): T {
  return new wasm.Instance(module, imports).exports as T;
}
