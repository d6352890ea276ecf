import {statSync} from 'node:fs';

/** A file's size, mtime (ns) and inode, as one comparable string: equal tokens, same file state. */
export function statToken(path: string): string {
  const st = statSync(path, {bigint: true});
  return `${st.size}:${st.mtimeNs}:${st.ino}`;
}
