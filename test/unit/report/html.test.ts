import {describe, expect, it} from 'vitest';
import {renderHtml} from '../../../src/report/html.js';
import {downsample, formatTick, lossChart, niceScale} from '../../../src/report/html-charts.js';
import {jsonForScript} from '../../../src/report/html-escape.js';
import type {BuildReport} from '../../../src/report/report-types.js';
import {wordDiff} from '../../../src/report/word-diff.js';
import {sampleReport} from '../../helpers/sample-report.js';

const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script><!--';

/** The sample report with hostile text in every field a person or a model writes. */
function hostileReport(): BuildReport {
  const base = sampleReport({examples: 5});
  const ev = base.eval!;
  return {
    ...base,
    build: {...base.build, name: HOSTILE, recipe: `${HOSTILE}.yaml`},
    stages: base.stages.map((s) => ({...s, why: [HOSTILE]})),
    training: base.training.map((t) => ({...t, base_model: HOSTILE})),
    diagnostics: [{severity: 'error', message: HOSTILE}],
    eval: {
      ...ev,
      gates: ev.gates.map((g) => ({...g, name: HOSTILE, detail: HOSTILE})),
      examples: {
        ...ev.examples,
        items: ev.examples.items.map((x) => ({
          ...x,
          id: HOSTILE,
          reference: HOSTILE,
          input: [{role: 'user', content: `${HOSTILE}\u2028\u2029`}],
          outputs: {base: HOSTILE, tuned: '</script ><SCRIPT>alert(3)</SCRIPT>'},
        })),
      },
    },
  };
}

/** The page's elements of one tag, by a crude scan (enough to count script elements). */
const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;

describe('renderHtml', () => {
  it('is one document with the summary, the charts and the example data', () => {
    const html = renderHtml(sampleReport());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<h1>capitals');
    expect(html).toContain('2026-12-06T09-14-56-123Z-4242');
    expect(html).toContain('3883dd1f0a9c');
    expect(html).toContain('id="failures-only"');
    expect(html).toContain('id="search"');
    expect(html).toContain('<script type="application/json" id="examples-data">');
    // A loss chart with ticks and labels, and one bar chart per metric.
    expect(count(html, /<svg class="chart"/g)).toBe(1);
    expect(count(html, /<svg class="chart bars"/g)).toBe(3);
    expect(count(html, /class="tick"/g)).toBeGreaterThan(10);
    expect(html).toContain('>step</text>');
    expect(html).toContain('>loss (train)</text>');
    expect(html).toContain('>eval_loss (validation)</text>');
    // Scores with their intervals, the failed gate, the baseline.
    expect(html).toMatch(/<span class="badge bad">failed<\/span> tuned better than base/);
    expect(html).toContain('Compared with the merge base');
  });

  it('escapes hostile text everywhere, and no string can close the data element', () => {
    const html = renderHtml(hostileReport());
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script>alert/i);
    expect(html).not.toContain('<!--');
    // Only the two script elements of the page: the data and the code.
    expect(count(html, /<script/gi)).toBe(2);
    expect(count(html, /<\/script/gi)).toBe(2);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toMatch(/[\u2028\u2029]/);
    // The embedded examples read back unchanged.
    const json = html.match(/id="examples-data">([^<]*)<\/script>/)?.[1];
    const data = JSON.parse(json!) as {items: {reference: string; outputs: {tuned: string}}[]};
    expect(data.items[0]!.reference).toBe(HOSTILE);
    expect(data.items[0]!.outputs.tuned).toBe('</script ><SCRIPT>alert(3)</SCRIPT>');
  });

  it('says why a curve or a baseline is not available', () => {
    const base = sampleReport();
    const html = renderHtml({
      ...base,
      training: base.training.map((t) => ({
        ...t,
        curve: {available: false, reason: 'the provider reports no metrics for <this> job'},
      })),
      eval: {...base.eval!, baseline: {available: false, reason: 'first commit'}},
    });
    expect(html).toContain('not available: the provider reports no metrics for &#60;this&#62; job');
    expect(html).toContain('not available: first commit');
    expect(html).not.toContain('<svg class="chart" ');
  });

  it('renders a build without eval or training', () => {
    const html = renderHtml({...sampleReport(), training: [], eval: null});
    expect(html).toContain('No eval in this build.');
    expect(html).not.toContain('id="examples-data"');
  });

  it('references nothing on the network', () => {
    const html = renderHtml(sampleReport());
    expect(html).not.toMatch(/\b(?:src|href|action|srcset|poster)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain(
      'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;',
    );
    // The SVG namespace is an identifier, not a resource; nothing else names a URL.
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
  });

  it('keeps the page small for a long curve and many examples', () => {
    const html = renderHtml(sampleReport({examples: 100, curvePoints: 20_000}));
    const svg = html.match(/<svg class="chart" [\s\S]*?<\/svg>/)![0];
    expect(svg.length).toBeLessThan(100_000);
  });
});

describe('charts', () => {
  it('picks ticks at 1, 2 or 5 × 10^k', () => {
    expect(niceScale(0, 1)).toMatchObject({lo: 0, hi: 1, step: 0.2});
    expect(niceScale(0, 1).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceScale(0.31, 2.47).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceScale(1, 937).ticks).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceScale(0, 100).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceScale(5, 5).ticks).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
    expect(niceScale(0, Number.NaN).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    for (const [lo, hi] of [
      [0.0013, 0.0171],
      [3, 123456],
      [-2, 7],
    ] as const) {
      const s = niceScale(lo, hi);
      const mantissa = s.step / 10 ** Math.floor(Math.log10(s.step));
      expect([1, 2, 5]).toContain(Math.round(mantissa));
      expect(s.lo).toBeLessThanOrEqual(lo);
      expect(s.hi).toBeGreaterThanOrEqual(hi);
    }
  });

  it('labels ticks with the decimals the step needs', () => {
    expect(formatTick(0.4, 0.2)).toBe('0.4');
    expect(formatTick(1, 0.5)).toBe('1.0');
    expect(formatTick(0.005, 0.005)).toBe('0.005');
    expect(formatTick(200, 200)).toBe('200');
    expect(formatTick(20_000, 5000)).toBe('20k');
    expect(formatTick(1_500_000, 500_000)).toBe('1.5M');
  });

  it('draws at most four points per pixel column, keeping the extremes', () => {
    const points = Array.from({length: 10_000}, (_, i) => ({x: i, y: i % 7 === 0 ? 10 : 1}));
    const drawn = downsample(points, (v) => v / 100);
    expect(drawn.length).toBeLessThanOrEqual(400);
    expect(drawn.some((p) => p.y === 10)).toBe(true);
    expect(drawn[0]).toEqual({x: 0, y: 10});
    expect(drawn.at(-1)).toEqual({x: 9999, y: 1});
  });

  it('leaves out points that are not numbers', () => {
    const svg = lossChart(
      [
        {step: 1, loss: 2},
        {step: 2, loss: Number.NaN},
        {step: 3, loss: Number.POSITIVE_INFINITY},
        {step: 4, loss: 1},
      ],
      't',
    );
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});

describe('wordDiff', () => {
  it('marks words the output added and the reference had', () => {
    expect(wordDiff('the capital is Paris', 'the capital is London')).toEqual([
      {op: '=', text: 'the capital is '},
      {op: '-', text: 'Paris '},
      {op: '+', text: 'London'},
    ]);
    expect(wordDiff('a b c', 'a x b c')).toEqual([
      {op: '=', text: 'a '},
      {op: '+', text: 'x '},
      {op: '=', text: 'b c'},
    ]);
    expect(wordDiff('same  text\n', 'same text')).toEqual([{op: '=', text: 'same text'}]);
    expect(wordDiff('', 'new')).toEqual([{op: '+', text: 'new'}]);
  });

  it('gives up the alignment, not the answer, when the table would be too big', () => {
    const a = Array.from({length: 300}, (_, i) => `a${i}`).join(' ');
    const b = Array.from({length: 300}, (_, i) => `b${i}`).join(' ');
    const parts = wordDiff(a, b, 1000);
    expect(parts.map((p) => p.op)).toEqual(['-', '+']);
    expect(parts[1]!.text).toBe(b);
  });

  it('is self-contained, so the page can embed its source', () => {
    const embedded = new Function(`return (${wordDiff.toString()})`)() as typeof wordDiff;
    expect(embedded('a b c', 'a x c')).toEqual(wordDiff('a b c', 'a x c'));
  });
});

describe('jsonForScript', () => {
  it('writes no character that could end the element', () => {
    const text = jsonForScript({s: '</script><!-- \u2028 & >'});
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual({s: '</script><!-- \u2028 & >'});
  });
});
