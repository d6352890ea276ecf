import {error, UserError} from '../../core/diagnostic.js';
import {execPolicy} from '../../core/exec-policy.js';
import {StageFailure} from '../../core/stage-failure.js';
import {cancelStageJobs} from '../../openai/cancel.js';
import {EXIT} from '../../run/exit-code.js';
import {storeFor} from '../../run/session.js';
import {EXEC_OPTIONS, parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {resolveRecipe} from '../load-or-report.js';
import {planSession} from './plan.js';

export const CANCEL_HELP = `Usage: ft cancel <stage> [options]

Cancels the OpenAI job of a train stage (train:<target>): every unfinished job the account
lists under the stage's key. ft never cancels a paid job on its own (Ctrl-C only detaches);
after a cancel, the next ft build reports it, and ft build --retry starts a new job.

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
  -h, --help
`;

export async function cancelCommand(args: readonly string[], io: Io): Promise<number> {
  const {values, positionals} = parse('cancel', args, {...RECIPE_OPTIONS, ...EXEC_OPTIONS}, true);
  if (values.help) {
    io.out(CANCEL_HELP);
    return EXIT.ok;
  }
  const id = positionals[0];
  if (positionals.length !== 1 || !id?.startsWith('train:')) {
    throw new UserError([
      error('usage', 'ft cancel takes one train stage, e.g. ft cancel train:default'),
    ]);
  }
  const loaded = await resolveRecipe(io, values.file, [], execPolicy(values['no-exec']));
  const target = loaded.normalized.targets.find((t) => `train:${t.name}` === id);
  if (!target) throw new UserError([error('usage', `no stage '${id}' in this recipe`)]);
  if (target.backend.type !== 'openai') {
    throw new UserError([error('usage', `${id} trains locally; there is no remote job to cancel`)]);
  }
  const planned = await planSession(io, {...values, set: []}, [id]);
  const key = planned.outcomes.get(id as never)?.key;
  if (!key) {
    io.err(`${id}: its key is not known yet (the stages before it have not been built)\n`);
    return EXIT.buildFailed;
  }
  try {
    const done = await cancelStageJobs(
      target.backend,
      key,
      storeFor(loaded).workDir(key),
      io.signal,
    );
    for (const job of done.cancelled) io.out(`${id}: cancelled ${job}\n`);
    for (const job of done.left) io.out(`${id}: ${job.id} is ${job.status}; left as it is\n`);
    if (done.cancelled.length === 0 && done.left.length === 0) {
      io.out(`${id}: no OpenAI job has this stage's key\n`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof StageFailure) {
      io.err(`${id}: ${e.message}\n`);
      return EXIT.buildFailed;
    }
    throw e;
  }
}
