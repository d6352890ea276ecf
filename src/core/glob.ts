import {readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';

/** True when a path has glob syntax: `*`, `?`, `[...]` or `{a,b}`. */
export function isGlob(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/**
 * Compiles a glob to a regular expression over '/'-separated relative paths: `**` matches any
 * number of folders, `*` any run of characters in one name, `?` one character, `[abc]` /
 * `[!abc]` a class, `{a,b}` alternatives. Names starting with '.' match only a pattern segment
 * that starts with '.', as in shells.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  let braces = 0;
  const atSegmentStart = () => i === 0 || pattern[i - 1] === '/';
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      out += slash ? '(?:(?!\\.)[^/]*/)*' : '(?:(?!\\.)[^/]*(?:/|$))*';
      i += slash ? 3 : 2;
      continue;
    }
    if (c === '*') out += atSegmentStart() ? '(?!\\.)[^/]*' : '[^/]*';
    else if (c === '?') out += atSegmentStart() ? '(?!\\.)[^/]' : '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replaceAll('\\', '\\\\')}]`;
        i = close;
      }
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\]/g, '\\$&');
    i++;
  }
  return new RegExp(`^${out}$`, 'u');
}

/**
 * Files under `dir` whose relative path matches `pattern`, sorted by path (UTF-16 order), so a
 * glob source reads the same files in the same order everywhere. Folders reached through
 * symbolic links are not entered (no cycles).
 */
export function globFiles(dir: string, pattern: string): string[] {
  const found: string[] = [];
  walkMatches(dir, pattern, (path) => {
    found.push(path);
    return true;
  });
  return found.sort();
}

/** Whether any file under `dir` matches `pattern`: globFiles(...).length > 0, stopping early. */
export function hasGlobMatch(dir: string, pattern: string): boolean {
  let any = false;
  walkMatches(dir, pattern, () => {
    any = true;
    return false;
  });
  return any;
}

/** Calls `onMatch` with each matching path, in no particular order, until it returns false. */
function walkMatches(dir: string, pattern: string, onMatch: (path: string) => boolean): void {
  const segments = pattern.split('/');
  const staticParts: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (isGlob(segment)) break;
    staticParts.push(segment);
  }
  const base = staticParts.join('/');
  const regex = globToRegExp(pattern);
  /** False once onMatch asked to stop. */
  const walk = (relative: string): boolean => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(join(dir, relative), {withFileTypes: true});
    } catch {
      return true;
    }
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!walk(path)) return false;
      } else if (entry.isFile() || (entry.isSymbolicLink() && isFile(join(dir, path)))) {
        if (regex.test(path) && !onMatch(path)) return false;
      }
    }
    return true;
  };
  walk(base);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
