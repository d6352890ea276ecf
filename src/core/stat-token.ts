import {statSync} from 'node:fs';

/** A file's size, mtime, ctime (ns) and inode as one comparable string: equal tokens, same file. */
export function statToken(path: string): string {
  const st = statSync(path, {bigint: true});
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}
