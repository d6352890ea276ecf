import type {BuildReport} from './report-types.js';

/**
 * junit.xml: the build in the shape CI test views read (GitHub, GitLab, Jenkins). One suite
 * `ft gates` with a test case per gate (a failed gate is a failure, its numbers the message),
 * and one suite `ft stages` with a test case per stage (failed: a failure; skipped, detached or
 * interrupted: skipped), so a failed training shows where people look for red.
 */
export function renderJunit(report: BuildReport): string {
  const name = report.build.name ?? report.build.recipe;
  const gates = report.eval?.gates ?? [];
  const gateCases = gates.map((g) => {
    const open = `    <testcase classname="ft.gates.${attr(g.kind)}" name="${attr(g.name)}" time="0"`;
    if (g.passed)
      return `${open}>\n      <system-out>${text(g.detail)}</system-out>\n    </testcase>`;
    return `${open}>\n      <failure type="gate" message="${attr(g.detail)}">${text(g.detail)}</failure>\n    </testcase>`;
  });
  const stageCases = report.stages.map((s) => {
    const open = `    <testcase classname="ft.stages.${attr(s.kind)}" name="${attr(s.id)}" time="${seconds(s.duration_ms)}"`;
    if (s.status === 'failed') {
      const message = s.error?.message ?? 'failed';
      return `${open}>\n      <failure type="${attr(s.error?.reason ?? 'failed')}" message="${attr(firstLine(message))}">${text(message)}</failure>\n    </testcase>`;
    }
    if (s.status === 'skipped' || s.status === 'interrupted' || s.status === 'detached') {
      return `${open}>\n      <skipped message="${attr(s.status)}"/>\n    </testcase>`;
    }
    return `${open}>\n      <system-out>${text(s.status)}</system-out>\n    </testcase>`;
  });
  const gateFailures = gates.filter((g) => !g.passed).length;
  const stageFailures = report.stages.filter((s) => s.status === 'failed').length;
  const skipped = report.stages.filter(
    (s) => s.status === 'skipped' || s.status === 'interrupted' || s.status === 'detached',
  ).length;
  const time = seconds(report.build.duration_ms);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ft build ${attr(name)}" tests="${gates.length + report.stages.length}" failures="${gateFailures + stageFailures}" errors="0" time="${time}">`,
    `  <testsuite name="ft gates" tests="${gates.length}" failures="${gateFailures}" errors="0" skipped="0" time="0" timestamp="${attr(report.build.started_at)}">`,
    ...gateCases,
    '  </testsuite>',
    `  <testsuite name="ft stages" tests="${report.stages.length}" failures="${stageFailures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${attr(report.build.started_at)}">`,
    ...stageCases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

const firstLine = (s: string) => s.split('\n')[0] ?? '';

/** XML 1.0 has no place for most control characters, even escaped: they go. */
function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
