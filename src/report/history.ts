import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {REPORT_SUFFIX} from '../run/store/local-store.js';
import type {BuildReport} from './report-types.js';

/** One kept report, as `ft report --list` names it. */
export interface KeptReport {
  readonly id: string;
  readonly path: string;
  readonly report: BuildReport;
}

/**
 * The reports kept in .ft/builds for one recipe (by its file name), newest first. A report that
 * cannot be read (a damaged file) is left out: it is history, not a result.
 */
export function keptReports(buildsDir: string, recipe: string): KeptReport[] {
  let names: string[];
  try {
    names = readdirSync(buildsDir).filter((n) => n.endsWith(REPORT_SUFFIX));
  } catch {
    return [];
  }
  const kept: KeptReport[] = [];
  for (const name of names.sort().reverse()) {
    const path = join(buildsDir, name);
    try {
      const report = JSON.parse(readFileSync(path, 'utf8')) as BuildReport;
      if (report.report_version !== 1 || report.build?.recipe !== recipe) continue;
      kept.push({id: name.slice(0, -REPORT_SUFFIX.length), path, report});
    } catch {
      // damaged: skipped
    }
  }
  return kept;
}
