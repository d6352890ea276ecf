import {error, UserError} from './diagnostic.js';

/**
 * Whether this run of ft may run the recipe's code and send requests to the hosts it names.
 * A recipe is code, like a Makefile: a `js` step runs inside ft's process (its environment, API
 * keys included, and every file ft can read), a `command` step runs a program, a URL source
 * makes a request (with the token of `auth_env`). That is fine for a team's own recipes; CI that
 * plans an outside contributor's change turns it all off with `--no-exec` or `FT_NO_EXEC=1`.
 *
 * The rule for every feature that runs recipe code or sends a request or a key (trainers and
 * their `info` call, eval endpoints): list it in recipe/exec-rules.ts, so that a command under
 * `--no-exec` refuses the recipe up front, each refusal at its place in the recipe, before
 * anything runs or is written; and call `requireExec` with the policy of the stage context right
 * before doing it, so nothing runs even where the first check was missed.
 */
export interface ExecPolicy {
  readonly allowed: boolean;
  /** What turned it off, as the user wrote it (`--no-exec`, `FT_NO_EXEC=1`), for messages. */
  readonly refusedBy?: string;
}

/** Recipe code runs: the default, as with make. */
export const ALLOW_EXEC: ExecPolicy = {allowed: true};

/** FT_NO_EXEC values that leave recipe code allowed; any other non-empty value refuses it. */
const OFF = new Set(['', '0', 'false', 'no', 'off']);

/**
 * The policy of one command: `--no-exec`, else FT_NO_EXEC (any value but empty, 0, false, no
 * and off turns recipe code off: a typo must not quietly allow it), else allowed.
 */
export function execPolicy(
  noExecFlag: boolean,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ExecPolicy {
  if (noExecFlag) return {allowed: false, refusedBy: '--no-exec'};
  const value = env.FT_NO_EXEC;
  if (value !== undefined && !OFF.has(value.trim().toLowerCase())) {
    return {allowed: false, refusedBy: `FT_NO_EXEC=${value}`};
  }
  return ALLOW_EXEC;
}

/** What a recipe's code does, in the words every refusal uses. */
export const execWhat = {
  js: (module: string) => `a js step runs ${module} inside ft's process`,
  command: (run: readonly string[]) => `a command step runs ${run.join(' ')}`,
  url: (shownUrl: string) => `a url source fetches ${shownUrl}`,
  trainer: (command: readonly string[]) => `a command trainer runs ${command.join(' ')}`,
  hfTrainer: (python: string) => `the hf trainer runs ${python} with ft's hf_trainer.py`,
  evalModel: (name: string, where: string) => `the eval model ${name} sends requests to ${where}`,
  judge: (name: string, where: string) => `the judge ${name} sends requests to ${where}`,
};

/** `<what> (refused by --no-exec)`. */
export function refusal(policy: ExecPolicy, what: string): string {
  return `${what} (refused by ${policy.refusedBy ?? '--no-exec'})`;
}

/**
 * The last check before running recipe code or sending a request: throws a UserError (exit 2)
 * when the policy refuses it. `where` prefixes the message (`transforms[2]`, `sources.r`).
 */
export function requireExec(policy: ExecPolicy, where: string, what: string): void {
  if (policy.allowed) return;
  throw new UserError([error('no-exec', `${where}: ${refusal(policy, what)}`)]);
}
