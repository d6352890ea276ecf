#!/usr/bin/env node
import module from 'node:module';

// V8's code cache on disk: every start after the first skips compiling ft and its dependencies,
// which is most of a no-op build's time.
module.enableCompileCache?.();

// Before anything of ours loads: on an older Node, ft's dependencies fail in ways that read
// like a bug in ft (execa's `Set.prototype.union`), so say what is wrong instead.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `ft: error: ft needs Node.js 22.13 or newer; this is Node.js ${process.versions.node} (${process.execPath})\n`,
  );
  // Exit 1, as for the other problems of the machine rather than of the recipe.
  process.exit(1);
}

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
