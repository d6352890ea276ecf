// Runs every bench/*.bench.mjs in its own process, one after another (so they do not compete for the
// two cores), or only those named on the command line: `npm run bench -- tokens hashing`.
// Each bench measures ft against a baseline run side by side in the same run and prints ratios.
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.slice(0, -'.bench.mjs'.length))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [join(here, `${name}.bench.mjs`)], {stdio: 'inherit'});
  if (r.status !== 0) {
    failed++;
    console.log(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
