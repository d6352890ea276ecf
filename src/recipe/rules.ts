import {existsSync, statSync} from 'node:fs';
import {resolve} from 'node:path';
import type {Diagnostic} from '../core/diagnostic.js';
import type {PathSegment} from '../core/path-syntax.js';
import {diagnosticAt, type RecipeText} from './recipe-text.js';
import {findTemplateProblem} from './template-syntax.js';

type Data = Record<string, unknown>;
const isRecord = (v: unknown): v is Data =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks the schema cannot express. They run even when the schema found problems (guarding
 * each value's type, since it may be wrong), so one run reports everything.
 */
export function checkRules(source: RecipeText, data: unknown, dir: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  if (!isRecord(data)) return problems;
  const at = (path: PathSegment[], message: string) =>
    problems.push(diagnosticAt(source, 'recipe-rule', path, message, {at: 'key'}));

  if (isRecord(data.sources)) {
    for (const [name, s] of Object.entries(data.sources)) {
      if (!isRecord(s) || typeof s.path !== 'string' || s.path === '') continue;
      const file = resolve(dir, s.path);
      const problem = !existsSync(file)
        ? `no such file: ${s.path}`
        : !statSync(file).isFile()
          ? `not a file: ${s.path}`
          : undefined;
      if (problem) {
        problems.push(diagnosticAt(source, 'missing-file', ['sources', name, 'path'], problem));
      }
    }
  }

  if (Array.isArray(data.transforms)) {
    let splitIndex: number | undefined;
    data.transforms.forEach((step: unknown, i) => {
      if (!isRecord(step)) return;
      if (isRecord(step.split)) {
        if (splitIndex !== undefined) {
          at(
            ['transforms', i, 'split'],
            `only one split is allowed (first at transforms[${splitIndex}])`,
          );
        }
        splitIndex ??= i;
        const {validation = 0, test = 0} = step.split;
        if (typeof validation === 'number' && typeof test === 'number' && validation + test >= 1) {
          at(
            ['transforms', i, 'split'],
            `validation + test must leave examples for training (${validation} + ${test} >= 1)`,
          );
        }
      }
      if (isRecord(step.template)) {
        for (const [role, text] of Object.entries(step.template)) {
          const problem = typeof text === 'string' ? findTemplateProblem(text) : undefined;
          if (problem) {
            problems.push(
              diagnosticAt(source, 'recipe-rule', ['transforms', i, 'template', role], problem),
            );
          }
        }
      }
    });
  }

  if (data.backend !== undefined && data.targets !== undefined) {
    at(['targets'], 'use either a top-level backend (one target) or targets, not both');
  }
  if (data.hyperparameters !== undefined && data.targets !== undefined) {
    at(['hyperparameters'], 'with targets, set hyperparameters inside each target');
  }
  if (
    data.hyperparameters !== undefined &&
    data.backend === undefined &&
    data.targets === undefined
  ) {
    at(['hyperparameters'], 'hyperparameters need a backend');
  }
  if (data.eval !== undefined && data.backend === undefined && data.targets === undefined) {
    at(['eval'], 'eval needs a trained model: add a backend or targets');
  }
  const hyperparameterSets: [PathSegment[], unknown][] = [
    [['hyperparameters'], data.hyperparameters],
  ];
  if (isRecord(data.targets)) {
    for (const [name, t] of Object.entries(data.targets)) {
      if (isRecord(t))
        hyperparameterSets.push([['targets', name, 'hyperparameters'], t.hyperparameters]);
    }
  }
  for (const [path, h] of hyperparameterSets) {
    if (isRecord(h) && h.epochs !== undefined && h.n_epochs !== undefined) {
      at([...path, 'epochs'], 'epochs is an alias of n_epochs; set only one');
    }
  }
  return problems;
}
