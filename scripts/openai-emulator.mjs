#!/usr/bin/env node
// Starts the OpenAI files + fine-tuning emulator (test/emulator/) for local development:
//
//   npm run emulator -- --port 8787 [--seed S] [--api-key K] [--steps-per-tick N]
//                       [--no-advance-on-retrieve] [--result-file-base64] [--org KEY=ORG ...]
//
// Point the SDK at http://127.0.0.1:8787/v1 (Azure: endpoint http://127.0.0.1:8787). The
// emulator is TypeScript run by Node's own type stripping (Node >= 22.18 / 24); the hook below
// lets its `./x.js` imports find the `./x.ts` sources, as vitest does.
import {registerHooks} from 'node:module';
import {parseArgs} from 'node:util';

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) {
        return next(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw err;
    }
  },
});

const {values} = parseArgs({
  options: {
    port: {type: 'string', default: '8787'},
    host: {type: 'string', default: '127.0.0.1'},
    seed: {type: 'string'},
    'api-key': {type: 'string'},
    'steps-per-tick': {type: 'string'},
    'no-advance-on-retrieve': {type: 'boolean', default: false},
    'result-file-base64': {type: 'boolean', default: false},
    org: {type: 'string', multiple: true},
  },
});
const organizations = Object.fromEntries(
  (values.org ?? []).map((pair) => [
    pair.slice(0, pair.indexOf('=')),
    pair.slice(pair.indexOf('=') + 1),
  ]),
);

const {startEmulator} = await import('../test/emulator/server.ts');
const emulator = await startEmulator({
  port: Number(values.port),
  host: values.host,
  ...(values.seed ? {seed: values.seed} : {}),
  ...(values['api-key'] ? {apiKey: values['api-key']} : {}),
  ...(values['steps-per-tick'] ? {stepsPerTick: Number(values['steps-per-tick'])} : {}),
  advanceOnRetrieve: !values['no-advance-on-retrieve'],
  resultFileBase64: values['result-file-base64'],
  organizations,
});
console.log(
  `OpenAI emulator listening on ${emulator.url} (OpenAI: ${emulator.url}/v1, Azure: ${emulator.url}/openai)`,
);
console.log(
  'Control API: POST/GET/DELETE /__emulator/faults, POST /__emulator/advance, GET /__emulator/state',
);
const stop = () => emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
