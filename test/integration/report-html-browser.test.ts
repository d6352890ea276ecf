import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {type BrowserContext, chromium, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {renderHtml} from '../../src/report/html.js';
import type {BuildReport, ExampleReport} from '../../src/report/report-types.js';
import {sampleReport} from '../helpers/sample-report.js';

/**
 * report.html in real headless Chromium: it draws, filters and searches without errors, fetches
 * nothing, and runs none of the markup a model wrote. CI installs Chromium; where a developer has
 * none, this is skipped. Set FT_HTML_SCREENSHOTS=<folder> to keep screenshots of the page.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`report-html-browser: skipped, no Chromium at ${CHROMIUM}`);

const HOSTILE = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';

/** The sample report with 250 examples (more than one page of rows), one of them hostile. */
function report(): BuildReport {
  const base = sampleReport({examples: 250});
  const ev = base.eval!;
  const items: ExampleReport[] = ev.examples.items.map((x, i) =>
    i === 3
      ? {
          ...x,
          input: [{role: 'user', content: `hostile ${HOSTILE}`}],
          outputs: {...x.outputs, tuned: HOSTILE},
          failed: [...new Set([...x.failed, 'tuned'])],
        }
      : x,
  );
  return {...base, eval: {...ev, examples: {...ev.examples, items}}};
}

describe.skipIf(!hasChromium)('report.html in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const errors: string[] = [];
  const requests: string[] = [];
  const data = report();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-html-'));
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(data));
    url = pathToFileURL(file).href;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
      viewport: {width: 1280, height: 900},
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('#examples-table tbody tr');
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, {recursive: true, force: true, maxRetries: 3});
  });

  // Page code goes in as strings: the tests compile without the DOM's types.
  const ROWS = "document.querySelectorAll('#examples-table tbody tr')";
  const visibleIds = async () =>
    (await page.evaluate(`[...${ROWS}].map((r) => r.dataset.id)`)) as string[];
  // Polled from here: waitForFunction evaluates a string, which the page's CSP forbids.
  const rowsToBe = (n: number) =>
    expect.poll(() => page.locator('#examples-table tbody tr').count()).toBe(n);

  /** Clicks "show more" until every matching row is drawn. */
  async function showAll() {
    while (await page.isVisible('#show-more')) await page.click('#show-more');
  }

  it('draws the charts and the first page of the example table, fetching nothing', async () => {
    expect(await page.locator('#training svg.chart path.line').count()).toBe(2);
    expect(await page.locator('#eval svg.bars').count()).toBe(3);
    expect(await page.locator('#training svg .tick').count()).toBeGreaterThan(6);
    expect(await visibleIds()).toHaveLength(100);
    expect(await page.textContent('#example-count')).toContain('100 of 250');
    await showAll();
    expect(await visibleIds()).toHaveLength(250);
    expect(requests).toEqual([url]);
    if (process.env.FT_HTML_SCREENSHOTS) {
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({
        path: join(process.env.FT_HTML_SCREENSHOTS, 'top.png'),
        fullPage: false,
      });
      for (const section of ['training', 'eval'])
        await page
          .locator(`#${section}`)
          .screenshot({path: join(process.env.FT_HTML_SCREENSHOTS, `${section}.png`)});
    }
  });

  it('"failures only" shows exactly the failing examples', async () => {
    await page.check('#failures-only');
    await showAll();
    const failing = data.eval!.examples.items.filter((x) => x.failed.length > 0).map((x) => x.id);
    expect(failing.length).toBeGreaterThan(100);
    expect(failing.length).toBeLessThan(250);
    expect(await visibleIds()).toEqual(failing);
    if (process.env.FT_HTML_SCREENSHOTS) {
      await page.evaluate("document.getElementById('examples').scrollIntoView()");
      await page.screenshot({path: join(process.env.FT_HTML_SCREENSHOTS, 'failures.png')});
    }
    // One model's failures: the tuned model fails fewer than any model does.
    await page.selectOption('#failures-of', 'tuned');
    await showAll();
    const tunedFailing = data
      .eval!.examples.items.filter((x) => x.failed.includes('tuned'))
      .map((x) => x.id);
    expect(tunedFailing.length).toBeGreaterThan(10);
    expect(tunedFailing.length).toBeLessThan(failing.length);
    expect(await visibleIds()).toEqual(tunedFailing);
    await page.selectOption('#failures-of', '');
    await page.uncheck('#failures-only');
  });

  it('searches ids, inputs, references and outputs, ignoring case', async () => {
    await page.fill('#search', 'EX-0001');
    await rowsToBe(10);
    expect(await visibleIds()).toEqual(Array.from({length: 10}, (_, i) => `ex-0001${i}`));
    await page.fill('#search', 'ONERROR');
    await rowsToBe(1);
    expect(await visibleIds()).toEqual(['ex-00003']);
    await page.fill('#search', 'no such text anywhere');
    await rowsToBe(0);
    await page.fill('#search', '');
    await rowsToBe(100);
  });

  it('shows a hostile output as text and runs none of it', async () => {
    await page.fill('#search', 'ex-00003');
    await rowsToBe(1);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('#examples-table img, #examples-table script').count()).toBe(0);
    const row = page.locator('#examples-table tbody tr').first();
    expect(await row.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    // The word diff marks what the output has that the reference has not.
    expect(await row.locator('td.output ins').count()).toBeGreaterThan(0);
    await page.fill('#search', '');
  });

  it('a newly failing example links to its row', async () => {
    const first = data.eval!.baseline.available ? data.eval!.baseline.newly_failing[0]!.id : '';
    await page.click(`#eval button[data-search="${first}"]`);
    expect((await visibleIds())[0]).toBe(first);
    expect(await page.inputValue('#search')).toBe(first);
    await page.fill('#search', '');
    await rowsToBe(100);
  });

  it('shows the summary without JavaScript', async () => {
    const noJs = await chromium.launchPersistentContext(join(dir, 'profile-no-js'), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      javaScriptEnabled: false,
    });
    try {
      const p = noJs.pages()[0] ?? (await noJs.newPage());
      await p.goto(url);
      expect(await p.isVisible('#training svg.chart')).toBe(true);
      expect(await p.isVisible('#eval svg.bars')).toBe(true);
      expect(await p.isVisible('#stages table')).toBe(true);
      expect(await p.isVisible('#example-controls')).toBe(false);
      expect(await p.textContent('#examples')).toContain('needs JavaScript');
      if (process.env.FT_HTML_SCREENSHOTS) {
        await p.emulateMedia({colorScheme: 'dark'});
        await p
          .locator('#eval')
          .screenshot({path: join(process.env.FT_HTML_SCREENSHOTS, 'eval-dark-no-js.png')});
      }
    } finally {
      await noJs.close();
    }
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});
