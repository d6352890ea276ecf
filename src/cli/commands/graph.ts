import {error, UserError} from '../../core/diagnostic.js';
import {buildGraph, type StageNode} from '../../plan/graph.js';
import {EXIT} from '../../run/exit-code.js';
import {parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {loadOrThrow} from '../load-or-report.js';

export const GRAPH_HELP = `Usage: ft graph [--format mermaid|dot|json] [options]

Prints the stage graph of the recipe (no stage is computed).

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --format <f>        mermaid (default), dot or json
  -h, --help
`;

export async function graphCommand(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('graph', args, {
    ...RECIPE_OPTIONS,
    format: {type: 'string', default: 'mermaid'},
  });
  if (values.help) {
    io.out(GRAPH_HELP);
    return EXIT.ok;
  }
  const format = values.json ? 'json' : values.format;
  if (format !== 'mermaid' && format !== 'dot' && format !== 'json') {
    throw new UserError([
      error('usage', `unknown graph format '${format}' (use mermaid, dot or json)`),
    ]);
  }
  const nodes = buildGraph((await loadOrThrow(io, values.file)).normalized);
  io.out(renderGraph(nodes, format));
  return EXIT.ok;
}

export function renderGraph(
  nodes: readonly StageNode[],
  format: 'mermaid' | 'dot' | 'json',
): string {
  const edges = nodes.flatMap((n) => n.needs.map((need) => [need, n.id] as const));
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        {
          stages: nodes.map((n) => ({id: n.id, kind: n.kind, needs: n.needs})),
          edges: edges.map(([from, to]) => ({from, to})),
        },
        null,
        2,
      )}\n`;
    case 'dot':
      return [
        'digraph ft {',
        '  rankdir=LR;',
        ...nodes.map((n) => `  ${JSON.stringify(n.id)} [shape=${shapes[n.kind]}];`),
        ...edges.map(([from, to]) => `  ${JSON.stringify(from)} -> ${JSON.stringify(to)};`),
        '}',
        '',
      ].join('\n');
    case 'mermaid': {
      const ids = new Map(nodes.map((n, i) => [n.id, `s${i}`]));
      return [
        'flowchart LR',
        ...nodes.map((n) => `  ${ids.get(n.id)}["${n.id}"]`),
        ...edges.map(([from, to]) => `  ${ids.get(from)} --> ${ids.get(to)}`),
        '',
      ].join('\n');
    }
  }
}

const shapes: Record<StageNode['kind'], string> = {
  source: 'folder',
  dataset: 'cylinder',
  train: 'box3d',
  generate: 'component',
  judge: 'hexagon',
  eval: 'diamond',
};
