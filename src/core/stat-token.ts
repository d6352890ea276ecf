import {type BigIntStats, statSync} from 'node:fs';

/** A file's size, mtime, ctime (ns) and inode as one comparable string: equal tokens, same file. */
export function statToken(path: string): string {
  return tokenOfStats(statSync(path, {bigint: true}));
}

/** statToken of stats already taken. */
export function tokenOfStats(st: BigIntStats): string {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}
