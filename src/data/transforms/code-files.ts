import {existsSync, readFileSync, statSync} from 'node:fs';
import {dirname, relative, resolve} from 'node:path';
import {sha256} from '../../core/hash.js';

// What the dataset's key takes from user code: kept apart from the js and command steps
// themselves, so that computing a key loads neither (a no-op build stays fast).

/**
 * The module and every local file it imports (relative specifiers in `import`, `export ... from`,
 * `import()` and `require()`), recursively, with their content hashes, relative to the recipe.
 * These are part of the dataset's key, so editing a helper the transform imports reruns it.
 * Packages (bare specifiers) are not: pin them with your package manager.
 */
export function moduleFiles(dir: string, module: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (absolute: string) => {
    const key = relative(dir, absolute).replaceAll('\\', '/');
    if (key in files) return;
    const text = readFileSync(absolute);
    files[key] = sha256(text);
    const source = text.toString('utf8');
    const specifiers = source.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g,
    );
    for (const m of specifiers) {
      const target = resolve(dirname(absolute), m[2]!);
      // A specifier in a comment or a string that names no file is not an import.
      if (existsSync(target)) visit(target);
    }
  };
  visit(resolve(dir, module));
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Arguments that name files (relative to the recipe): their content is part of the key. */
export function commandFiles(dir: string, run: readonly string[]): string[] {
  return run.filter((arg) => {
    const path = resolve(dir, arg);
    return !arg.startsWith('-') && existsSync(path) && statSync(path).isFile();
  });
}
