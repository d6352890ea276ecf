import {fileURLToPath} from 'node:url';
import {EMBEDDED_NUMERICS_VERSION} from '../embedded/version.js';

/** The embedded trainer's entry (protocol v1), run by the Node that runs ft. */
export const EMBEDDED_TRAINER_MAIN = fileURLToPath(new URL('../embedded/main.js', import.meta.url));

/** Variables the embedded trainer reads: how many threads (which never changes its results). */
export const EMBEDDED_ENV = ['FT_EMBEDDED_THREADS'];

/** Its command line: this Node and the trainer's entry. */
export function embeddedTrainerArgv(): string[] {
  return [process.execPath, EMBEDDED_TRAINER_MAIN];
}

/**
 * What identifies the embedded trainer in a train stage's key: its numerics version, not ft's
 * package version or its files, so an ft release that does not change the results does not
 * retrain (EMBEDDED_NUMERICS_VERSION is bumped whenever the same spec would give other bytes).
 * It runs no recipe code, so `--no-exec` does not refuse it and no `info` call is needed.
 */
export function embeddedTrainerIdentity(): {trainer: 'embedded'; numerics: string} {
  return {trainer: 'embedded', numerics: EMBEDDED_NUMERICS_VERSION};
}
