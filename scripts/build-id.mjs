#!/usr/bin/env node
// Writes dist/build-id.json: a hash of the compiled code and the schema. Caches of derived data
// (the validated-recipe cache) are keyed by it, so a rebuilt ft never trusts what an older one
// computed.
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const hash = createHash('sha256');
const files = [
  ...readdirSync(join(root, 'dist'), {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile() && (e.name.endsWith('.js') || e.name.endsWith('.wasm')))
    .map((e) => join(e.parentPath, e.name)),
  join(root, 'schemas/finetune.schema.json'),
].sort();
for (const file of files) {
  hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
writeFileSync(
  join(root, 'dist/build-id.json'),
  `${JSON.stringify({buildId: hash.digest('hex')})}\n`,
);
