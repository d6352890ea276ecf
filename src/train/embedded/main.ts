#!/usr/bin/env node
import {availableParallelism} from 'node:os';
import type {TrainerEvent} from '../protocol.js';
import {generate} from './generate.js';
import {checkGenerateSpec, checkTrainSpec, readSpec} from './spec.js';
import {train} from './train.js';
import {EMBEDDED_NUMERICS_VERSION} from './version.js';

/**
 * The embedded trainer's process entry: `main.js train|generate --spec <path>` or `main.js info`
 * (ft's trainer protocol v1). The one file of the trainer that prints: events, one JSON object
 * per line on stdout; an error becomes an error event and exit 1.
 */

const emit = (event: TrainerEvent) => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

/** FT_EMBEDDED_THREADS, else the machine's parallelism capped at 8; never changes results. */
function threadCount(): number {
  const env = process.env.FT_EMBEDDED_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new Error(`FT_EMBEDDED_THREADS must be a positive integer, not ${JSON.stringify(env)}`);
    return n;
  }
  return Math.min(availableParallelism(), 8);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'info' && argv.length === 1) {
    process.stdout.write(
      `${JSON.stringify({name: 'embedded', version: EMBEDDED_NUMERICS_VERSION, protocol: [1], capabilities: ['train', 'generate']})}\n`,
    );
    return;
  }
  if (
    argv.length === 3 &&
    argv[1] === '--spec' &&
    (argv[0] === 'train' || argv[0] === 'generate')
  ) {
    const spec = readSpec(argv[2]!);
    if (argv[0] === 'train') await train(checkTrainSpec(spec), threadCount(), emit);
    else generate(checkGenerateSpec(spec), emit);
    return;
  }
  throw new Error(
    `usage: main.js train|generate --spec <path> | info (got ${JSON.stringify(argv)})`,
  );
}

// Exit once stdout has taken every line (worker threads would otherwise keep the process up).
const exit = (code: number) => process.stdout.write('', () => process.exit(code));
main(process.argv.slice(2)).then(
  () => exit(0),
  (e: unknown) => {
    emit({type: 'error', message: e instanceof Error ? e.message : String(e)});
    exit(1);
  },
);
