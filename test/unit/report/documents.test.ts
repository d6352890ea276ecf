import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {Ajv2020} from 'ajv/dist/2020.js';
import {describe, expect, it} from 'vitest';
import {renderHtml} from '../../../src/report/html.js';
import {renderJunit} from '../../../src/report/junit.js';
import {PR_COMMENT_LIMIT, renderMarkdown} from '../../../src/report/markdown.js';
import type {BuildReport} from '../../../src/report/report-types.js';
import {summaryLines} from '../../../src/report/terminal.js';
import {reportJson} from '../../../src/report/write-reports.js';
import {sampleReport} from '../../helpers/sample-report.js';

const ajv = new Ajv2020({allErrors: true, strict: true});
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && s.includes('T'));
const validate = ajv.compile(
  JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')),
);

/** A report whose texts try to break every format: markup, table pipes, XML, control bytes. */
function hostile(): BuildReport {
  const r = sampleReport({examples: 3});
  const e = r.eval!;
  const evil = '<img src=x onerror=alert(1)> | *bold* `code` ]]> & "q" \u0001 line\nbreak';
  return {
    ...r,
    eval: {
      ...e,
      gates: e.gates.map((g) => ({...g, name: `${g.name} ${evil}`, detail: evil})),
      examples: {
        ...e.examples,
        items: e.examples.items.map((x) => ({
          ...x,
          reference: evil,
          outputs: Object.fromEntries(Object.keys(x.outputs).map((m) => [m, evil])),
        })),
      },
    },
  };
}

/** The rows of the examples table (after the newly failing ones, which are rows too). */
function exampleRows(md: string): string[] {
  const from = md.indexOf('<summary>Examples');
  return md
    .slice(from)
    .split('\n')
    .filter((l) => /^\| ex-/.test(l));
}

describe('report.json', () => {
  it('follows its JSON Schema, and the schema rejects what the model does not allow', () => {
    const report = JSON.parse(reportJson(sampleReport({examples: 50})));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({...report, eval: {...report.eval, n: -1}})).toBe(false);
    expect(validate({...report, stages: [{...report.stages[0], status: 'done'}]})).toBe(false);
    expect(validate({...report, extra: 1})).toBe(false);
  });
});

describe('report.md', () => {
  it('with 10,000 examples stays under the pull-request comment cap, trimming examples and saying so', () => {
    const report = sampleReport({examples: 10_000});
    const md = renderMarkdown(report);
    expect(md.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT);
    expect(md.length).toBeGreaterThan(PR_COMMENT_LIMIT - 2_000);
    // Scores, gates and stages are all there; per-example rows are what gave way.
    expect(md).toContain('### Eval: 10,000 test examples');
    expect(md).toContain('### Gates:');
    expect(md).toContain('<summary>Stages</summary>');
    const shown = Number(
      /<summary>Examples: (\d+) of 10000, failures first<\/summary>/.exec(md)?.[1],
    );
    expect(shown).toBeGreaterThan(50);
    expect(md).toContain(`${10_000 - shown} more in report.json and report.html`);
    // Every row shown is whole: the table did not end mid-row.
    const rows = exampleRows(md);
    expect(rows.length).toBe(shown);
    for (const row of rows) expect(row.endsWith(' |')).toBe(true);
    // A smaller cap trims more, never the fixed parts.
    const small = renderMarkdown(report, 20_000);
    expect(small.length).toBeLessThanOrEqual(20_000);
    expect(small).toContain('### Gates:');
  });

  it('shows every example when they fit, the failing ones first', () => {
    const report = sampleReport({examples: 20});
    const md = renderMarkdown(report);
    expect(md).toContain('<summary>Examples: all 20, failures first</summary>');
    const rows = exampleRows(md);
    expect(rows).toHaveLength(20);
    const failing = rows.map((r) => r.includes('❌'));
    expect(failing.indexOf(false)).toBeGreaterThan(0);
    expect(failing.slice(failing.indexOf(false)).includes(true)).toBe(false);
  });

  it('escapes what models wrote: no markup, no broken table', () => {
    const md = renderMarkdown(hostile());
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt; \\| \\*bold\\* \\`code\\`');
    // The pipe in the text is escaped, so each row keeps its table's column count.
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    const rows = exampleRows(md);
    expect(rows).toHaveLength(3);
    const header = md.split('\n').find((l) => l.startsWith('| example | input |'))!;
    for (const row of rows) expect(cells(row)).toBe(cells(header));
    const gates = md.split('\n').filter((l) => l.startsWith('| ✅') || l.startsWith('| ❌'));
    expect(gates.length).toBeGreaterThan(0);
    for (const row of gates) expect(cells(row)).toBe(cells('| | gate | result |'));
  });
});

describe('junit.xml', () => {
  it('has a test case per gate and per stage, failures where they failed', () => {
    const report = sampleReport();
    const xml = renderJunit(report);
    const gates = report.eval!.gates;
    expect(xml.match(/<testcase classname="ft\.gates\./g)).toHaveLength(gates.length);
    expect(xml.match(/<testcase classname="ft\.stages\./g)).toHaveLength(report.stages.length);
    expect(xml.match(/<failure type="gate"/g)).toHaveLength(gates.filter((g) => !g.passed).length);
    expect(xml).toContain(
      `<testsuite name="ft gates" tests="${gates.length}" failures="${gates.filter((g) => !g.passed).length}"`,
    );
  });

  it.skipIf(!existsSync('/usr/bin/python3'))(
    'is well-formed XML even when the texts are hostile (parsed by Python)',
    () => {
      const xml = renderJunit(hostile());
      const parsed = execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.buffer.read()); print(len(r.findall(".//testcase")), len(r.findall(".//failure")), r.find(".//failure").get("message"))',
        ],
        {input: xml},
      ).toString();
      const report = hostile();
      const failures =
        report.eval!.gates.filter((g) => !g.passed).length +
        report.stages.filter((s) => s.status === 'failed').length;
      expect(parsed.trim()).toBe(
        `${report.eval!.gates.length + report.stages.length} ${failures} <img src=x onerror=alert(1)> | *bold* \`code\` ]]> & "q"  line\nbreak`,
      );
    },
  );
});

describe('latency in every format', () => {
  it('is shown apart from the scores, with its statistic, or why it is not available', () => {
    const report = sampleReport();
    const html = renderHtml(report);
    expect(html).toContain('<h3>Latency</h3>');
    expect(html).toContain('41 ms <span class="muted">[38, 45]</span>');
    expect(html).toContain('not available: latency of base: not available (its answers came');
    const md = renderMarkdown(report);
    expect(md).toContain('| latency of tuned | median | 41 [38, 45] |');
    expect(summaryLines(report)).toContain(
      'latency: latency of base: not available (its answers came from a local trainer in one batch)',
    );
  });
});

describe('the terminal summary', () => {
  it('lines up models as columns, with intervals and deltas, then every gate', () => {
    const report = sampleReport();
    const lines = summaryLines(report);
    const header = lines.find((l) => l.trimStart().startsWith('metric'))!;
    expect(header).toMatch(/^ {2}metric +base +tuned$/);
    const em = lines.find((l) => l.trimStart().startsWith('exact_match (0-1)'))!;
    expect(em.indexOf('[')).toBeGreaterThan(header.indexOf('base') - 1);
    expect(
      lines.filter((l) => /^(regression |latency )?gate (passed|FAILED): /.test(l)),
    ).toHaveLength(report.eval!.gates.length);
  });
});
