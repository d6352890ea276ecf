import {readFileSync} from 'node:fs';

/** ft's version, from its package.json (`ft --version`, reports). */
export function ftVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
