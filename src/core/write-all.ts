import type {FileHandle} from 'node:fs/promises';

/**
 * Writes all of `bytes` at the file's current position. One write() may take fewer bytes than
 * asked (the call returns how many); the rest is written until none is left, so a short write
 * never silently loses data.
 */
export async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const {bytesWritten} = await file.write(bytes, done, bytes.length - done);
    if (bytesWritten <= 0) throw new Error(`could not write to the file (${bytesWritten} bytes)`);
    done += bytesWritten;
  }
}
