#!/usr/bin/env node
import {EXIT} from '../run/exit-code.js';
import {processIo} from './io.js';
import {main} from './main.js';

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
process.exitCode = controller.signal.aborted && code !== EXIT.usage ? EXIT.interrupted : code;
