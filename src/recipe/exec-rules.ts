import type {Diagnostic} from '../core/diagnostic.js';
import {type ExecPolicy, execWhat, refusal} from '../core/exec-policy.js';
import {withoutCredentials} from '../core/url-secrets.js';
import {diagnosticAt, type RecipeText} from './recipe-text.js';

type Data = Record<string, unknown>;
const isRecord = (v: unknown): v is Data =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a recipe check under `--no-exec` needs besides the recipe. */
export interface ExecCheck {
  readonly policy: ExecPolicy;
  /**
   * Whether the bytes of a URL source's pin (`sha256:<hex>`) are in the store already. Such a
   * source is allowed: the source stage takes the bytes from the store and sends nothing (no
   * request, no token), and a recipe that changes the URL but keeps the pin gets those same
   * bytes, while one that changes the pin is refused. CI that restores `.ft/` from a cache can
   * so plan a recipe with URL sources without reaching any host.
   */
  readonly isFetched: (pin: string) => boolean;
}

/**
 * Under `--no-exec`: every place of the recipe that would run code or send a request, as an
 * error at that place (js and command steps, URL sources whose bytes are not in the store). The
 * whole recipe is checked, whichever stages a command names, so `ft validate --no-exec` gives the
 * answer plan, build, explain, data head and export give. Like checkRules it works on the data as
 * written (each value's type guarded), so it runs even when the schema found problems.
 *
 * A feature that runs code or sends a key (trainers, eval endpoints) adds its case here.
 */
export function checkExec(source: RecipeText, data: unknown, check: ExecCheck): Diagnostic[] {
  if (check.policy.allowed || !isRecord(data)) return [];
  const problems: Diagnostic[] = [];
  const refuse = (path: (string | number)[], what: string, hint?: string) =>
    problems.push(
      diagnosticAt(source, 'no-exec', path, refusal(check.policy, what), {
        at: 'key',
        ...(hint ? {hint} : {}),
      }),
    );
  if (isRecord(data.sources)) {
    for (const [name, s] of Object.entries(data.sources)) {
      if (!isRecord(s) || typeof s.url !== 'string') continue;
      const pin = typeof s.sha256 === 'string' ? s.sha256.replace(/^(sha256:)?/, 'sha256:') : '';
      if (pin !== '' && check.isFetched(pin)) continue;
      let shown = s.url;
      try {
        shown = withoutCredentials(s.url);
      } catch {
        // not a URL: checkRules says so; the refusal still stands
      }
      refuse(
        ['sources', name, 'url'],
        execWhat.url(shown),
        `nothing is fetched once the pinned bytes are in .ft/; fetch them where the recipe is trusted (ft build source:${name})`,
      );
    }
  }
  if (Array.isArray(data.transforms)) {
    data.transforms.forEach((step: unknown, i) => {
      if (!isRecord(step)) return;
      if (isRecord(step.js)) {
        const module = typeof step.js.module === 'string' ? step.js.module : '(no module)';
        refuse(['transforms', i, 'js'], execWhat.js(module));
      }
      if (isRecord(step.command)) {
        const run = Array.isArray(step.command.run) ? step.command.run.map(String) : [];
        refuse(['transforms', i, 'command'], execWhat.command(run));
      }
    });
  }
  // A local command trainer runs code as soon as a plan asks it `info`, and in every build.
  const backends: [(string | number)[], unknown][] = [[['backend'], data.backend]];
  if (isRecord(data.targets)) {
    for (const [name, t] of Object.entries(data.targets)) {
      if (isRecord(t)) backends.push([['targets', name, 'backend'], t.backend]);
    }
  }
  for (const [path, b] of backends) {
    if (isRecord(b) && b.type === 'local' && b.trainer === 'command' && Array.isArray(b.command)) {
      refuse([...path, 'command'], execWhat.trainer(b.command.map(String)));
    }
    if (isRecord(b) && b.type === 'local' && b.trainer === 'hf') {
      refuse([...path, 'trainer'], execWhat.hfTrainer(String(b.python ?? 'python3')));
    }
  }
  // An eval model behind an API gets requests (and a key) from every build that asks it.
  if (isRecord(data.eval) && Array.isArray(data.eval.models)) {
    data.eval.models.forEach((m: unknown, i) => {
      if (typeof m === 'string' && /^(base|tuned)(:|$)/.test(m)) return;
      const where = isRecord(m) && typeof m.base_url === 'string' ? m.base_url : 'the OpenAI API';
      const name = isRecord(m) ? String(m.name ?? m.model) : String(m);
      refuse(['eval', 'models', i], execWhat.evalModel(name, where));
    });
  }
  // So does an llm_judge's judge that is not one of those models (nor a target's).
  if (isRecord(data.eval) && Array.isArray(data.eval.metrics)) {
    const listed = new Set(
      (Array.isArray(data.eval.models) ? data.eval.models : []).map((m: unknown) =>
        isRecord(m) ? m.name : m,
      ),
    );
    data.eval.metrics.forEach((m: unknown, i) => {
      if (!isRecord(m) || m.type !== 'llm_judge' || !isRecord(m.options)) return;
      const judge = m.options.judge;
      if (typeof judge === 'string' && (listed.has(judge) || /^(base|tuned)(:|$)/.test(judge))) {
        return;
      }
      if (!(typeof judge === 'string' || isRecord(judge))) return;
      const where =
        isRecord(judge) && typeof judge.base_url === 'string' ? judge.base_url : 'the OpenAI API';
      const name = isRecord(judge) ? String(judge.name ?? judge.model) : judge;
      refuse(['eval', 'metrics', i, 'options', 'judge'], execWhat.judge(name, where));
    });
  }
  return problems;
}
