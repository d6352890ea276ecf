import {Listr} from 'listr2';
import {formatDiagnostic} from './diagnostic-printer.js';
import {type BuildEvent, diagnosticOf} from './events.js';
import {formatWhy} from './format-why.js';
import {reportLines, seconds} from './plain.js';
import {ProgressLines} from './progress-line.js';
import type {Reporter} from './reporter.js';
import {stageDetails} from './stage-details.js';

interface Pending {
  resolve: (end: Extract<BuildEvent, {event: 'stage-end'}>) => void;
  output: (text: string) => void;
  title: (text: string) => void;
}

/**
 * A live task list on a terminal (listr2 as a renderer only: the executor drives, the tasks
 * just wait for their stage's events). Diagnostics are held until the list is drawn for the
 * last time, so they do not tear the display.
 */
export function ttyReporter(
  stageIds: readonly string[],
  err: (line: string) => void,
  options: {color: boolean},
): Reporter {
  const waiting = new Map<string, Pending>();
  const early = new Map<string, Extract<BuildEvent, {event: 'stage-end'}>>();
  const held: string[] = [];
  const list = new Listr(
    stageIds.map((id) => ({
      title: id,
      // The funnel and checks stay under the stage once it is done.
      rendererOptions: {persistentOutput: true, outputBar: Number.POSITIVE_INFINITY},
      task: async (_: unknown, task: {title: string; output: string; skip(m?: string): void}) => {
        const end =
          early.get(id) ??
          (await new Promise<Extract<BuildEvent, {event: 'stage-end'}>>((resolve) =>
            waiting.set(id, {
              resolve,
              output: (text) => {
                task.output = text;
              },
              title: (text) => {
                task.title = text;
              },
            }),
          ));
        switch (end.status) {
          case 'fresh':
          case 'cached':
            task.skip(`${id}: ${end.status}`);
            return;
          case 'ran':
            task.title = `${id}: ran in ${seconds(end.duration_ms)}`;
            task.output = stageDetails(end.kind, end.summary, undefined).join('\n');
            return;
          case 'skipped':
            task.skip(`${id}: skipped`);
            return;
          default:
            throw new Error(`${id}: ${end.status}${end.error ? ` (${end.error.message})` : ''}`);
        }
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: {collapseSkips: false, showSkipMessage: true, collapseErrors: false},
    },
  );
  const done = list.run().catch(() => undefined);
  const progress = new ProgressLines();

  const emit = (e: BuildEvent) => {
    switch (e.event) {
      case 'stage-start': {
        progress.start(e.id);
        const w = waiting.get(e.id);
        w?.title(`${e.id}: running`);
        w?.output(
          [...e.why.map(formatWhy), ...stageDetails(e.kind, undefined, e.checks)].join('\n'),
        );
        break;
      }
      case 'progress':
        waiting.get(e.id)?.output(progress.line(e));
        break;
      case 'stage-end': {
        const w = waiting.get(e.id);
        if (w) w.resolve(e);
        else early.set(e.id, e);
        break;
      }
      case 'diagnostic':
        held.push(formatDiagnostic(diagnosticOf(e), options));
        break;
      case 'gate':
        // The report's summary that follows lists every gate, this one included.
        break;
      case 'latency':
        // The report's summary that follows has every latency, this one included.
        break;
      case 'report':
        held.push(...reportLines(e));
        break;
      case 'summary':
        held.push(`${e.ok ? 'ok' : 'failed'} (exit ${e.exit_code})`);
        break;
    }
  };
  return {
    emit,
    async close() {
      // Stages that never reported (not selected after all) must not keep the list open.
      for (const [id, w] of waiting) {
        w.resolve({
          event: 'stage-end',
          id,
          kind: '',
          key: null,
          status: 'skipped',
          why: [],
          duration_ms: 0,
        });
      }
      await done;
      for (const line of held) err(`${line}\n`);
    },
  };
}
