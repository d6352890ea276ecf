import {appendFileSync, mkdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {writeFileAtomic} from '../run/store/atomic-file.js';
import {renderHtml} from './html.js';
import {renderJunit} from './junit.js';
import {renderMarkdown} from './markdown.js';
import type {BuildReport} from './report-types.js';

/** The files of a report folder, in the order people open them. */
export const REPORT_FILES = ['report.md', 'report.json', 'junit.xml', 'report.html'] as const;

/** GitHub's cap on one step's summary. */
const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** report.json as written: stable key order is the model's, two-space indent. */
export function reportJson(report: BuildReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Writes a build's report: every format into `dir` (each file whole or not at all), report.json
 * also to `keep` (beside the build's record in .ft/builds, for `ft report --build`), and the
 * Markdown appended to `$GITHUB_STEP_SUMMARY` when that is set and has room. Returns the paths
 * written in `dir`.
 */
export async function writeReports(
  report: BuildReport,
  dir: string,
  keep: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  mkdirSync(dir, {recursive: true});
  const markdown = renderMarkdown(report);
  const json = reportJson(report);
  const contents: Record<(typeof REPORT_FILES)[number], string> = {
    'report.md': markdown,
    'report.json': json,
    'junit.xml': renderJunit(report),
    'report.html': renderHtml(report),
  };
  const paths: string[] = [];
  for (const name of REPORT_FILES) {
    const path = join(dir, name);
    await writeFileAtomic(path, contents[name]);
    paths.push(path);
  }
  if (keep !== undefined) await writeFileAtomic(keep, json);
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary) appendStepSummary(summary, markdown);
  return paths;
}

/** Appends to the step summary, or a one-line note where the report would pass GitHub's cap. */
function appendStepSummary(path: string, markdown: string): void {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // not there yet: the runner creates it on the first write
  }
  const bytes = Buffer.byteLength(markdown);
  appendFileSync(
    path,
    size + bytes < STEP_SUMMARY_LIMIT
      ? `${markdown}\n`
      : '\nft: the report does not fit in what is left of this step summary; see ft-report/report.md\n',
  );
}
