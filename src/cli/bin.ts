#!/usr/bin/env node
import module from 'node:module';

// V8's code cache on disk: every start after the first skips compiling ft and its dependencies,
// which is most of a no-op build's time.
module.enableCompileCache?.();

const {EXIT} = await import('../run/exit-code.js');
const {processIo} = await import('./io.js');
const {main} = await import('./main.js');

const controller = new AbortController();
let interrupts = 0;
// `on`, not `once`: a second Ctrl-C must still reach us, to force the exit.
const onSignal = () => {
  interrupts++;
  if (interrupts > 1) process.exit(EXIT.interrupted);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const code = await main(process.argv.slice(2), processIo(controller.signal));
// An interrupt outranks every other outcome (130 > 2 > 1 > 3).
process.exitCode = controller.signal.aborted ? EXIT.interrupted : code;
