import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { PNG } from 'pngjs';
import { HtmlReporter } from '../../harness/report/html.js';
import type { RunResult } from '../../harness/report/result.js';
import { editable, FIXTURES, loadFixture, REPO_ROOT } from '../unit/report/support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const SCREENSHOT = join(REPO_ROOT, 'docs', 'report-screenshot.png');

/** What the browser saw: problems it reported, every chart's size and ink, and a full-page screenshot. */
interface Look {
  readonly problems: string[];
  readonly charts: { id: string; kind: string; width: number; height: number; drawn: boolean; inkPixels: number }[];
  readonly screenshot: Buffer;
  /** The header and the first scenario: the picture docs/report-screenshot.png shows. */
  readonly top: Buffer;
}

async function look(context: BrowserContext, file: string): Promise<Look> {
  const page = await context.newPage();
  const problems: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()}`));
  // The report must need nothing but itself: every other request is refused and counted.
  await page.route('**/*', async (route) => {
    if (route.request().url() === url) return route.continue();
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.evaluate(() => {
    type ChartGlobal = { getChart(canvas: unknown): unknown };
    const global = globalThis as unknown as { Chart?: ChartGlobal; document: { querySelectorAll(s: string): ArrayLike<unknown> } };
    return Array.from(global.document.querySelectorAll('canvas'), (node) => {
      const canvas = node as { id: string; dataset: { chart?: string }; width: number; height: number;
        getBoundingClientRect(): { width: number; height: number };
        getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null };
      const box = canvas.getBoundingClientRect();
      const pixels = canvas.width > 0 && canvas.height > 0 ? canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data : undefined;
      let inkPixels = 0;
      // A canvas starts transparent: every pixel with some opacity is something a chart drew.
      if (pixels) for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) inkPixels += 1;
      return { id: canvas.id, kind: canvas.dataset.chart ?? '', width: box.width, height: box.height, drawn: global.Chart?.getChart(canvas) !== undefined, inkPixels };
    });
  });
  const screenshot = await page.screenshot({ fullPage: true });
  const top = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2250 } });
  await page.close();
  return { problems, charts, screenshot, top };
}

/** How much of a PNG is not its background colour, and how many colours it has. */
function inkOf(png: Buffer): { share: number; colours: number } {
  const image = PNG.sync.read(png);
  const background = image.data.readUInt32BE(0);
  const colours = new Set<number>();
  let ink = 0;
  for (let offset = 0; offset < image.data.length; offset += 4) {
    const pixel = image.data.readUInt32BE(offset);
    if (pixel !== background) ink += 1;
    if (colours.size < 5000) colours.add(pixel);
  }
  return { share: ink / (image.width * image.height), colours: colours.size };
}

describe('HTML report in headless Chromium', function () {
  this.timeout(120_000);
  let context: BrowserContext | undefined;
  let folder = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`\n  WARNING: ${CHROMIUM} is missing, so report.html is NOT checked in a browser. Install it: apt-get install -y chromium\n`);
      this.skip();
    }
    folder = await mkdtemp(join(tmpdir(), 'rebound-report-html-'));
    context = await chromium.launchPersistentContext(join(folder, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  after(async () => {
    await context?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function rendered(result: RunResult, name: string): Promise<string> {
    const reporter = new HtmlReporter(join(folder, name));
    await reporter.onRunEnd(result);
    return reporter.file;
  }

  it('draws an ERROR run (a scenario with no trial, a trial with no timeline) with no error', async () => {
    if (!context) throw new Error('no browser');
    const result = editable(await loadFixture(FIXTURES.allExamples));
    const [first, second] = result.scenarios;
    const trial = second?.trials[0];
    if (!first || !second || !trial) throw new Error('fixture changed');
    Object.assign(first, { verdict: 'ERROR', reason: 'steady state never reached', trials: [], stats: { recoveryTimeMs: null, disruptionMs: null, brokenTrials: 0 } });
    Object.assign(trial, { verdict: 'ERROR', t0: null, injectedAt: null, brokenAt: null, recoveredAt: null, recoveryTimeMs: null, disruptionMs: null, replacements: [],
      timeline: { samples: [], markers: [] }, evidence: { brokenAt: null, recoveredAt: null } });
    result.verdict = 'ERROR';
    const seen = await look(context, await rendered(result, 'error'));
    expect(seen.problems).to.deep.equal([]);
    const trials = result.scenarios.flatMap((s) => s.trials);
    expect(seen.charts).to.have.length(result.scenarios.length + trials.length + trials.filter((t) => t.replacements.length > 0).length);
    expect(seen.charts.every((chart) => chart.drawn && chart.width > 200)).to.equal(true);
  });

  for (const [name, file] of Object.entries(FIXTURES)) {
    it(`draws every chart of the ${name} run, with no error and no request`, async () => {
      if (!context) throw new Error('no browser');
      const result = await loadFixture(file);
      const seen = await look(context, await rendered(result, name));
      expect(seen.problems).to.deep.equal([]);
      const trials = result.scenarios.flatMap((s) => s.trials);
      // A recovery chart per scenario; per trial a timeline, a phases chart when pods were replaced, a load panel under load.
      const expected = result.scenarios.length + trials.length + trials.filter((t) => t.replacements.length > 0).length
        + trials.filter((t) => (t.load?.series.bins.length ?? 0) > 0).length;
      expect(seen.charts).to.have.length(expected);
      for (const chart of seen.charts) {
        expect(chart.drawn, `${chart.id} has no Chart.js chart`).to.equal(true);
        expect(chart.width, `${chart.id} width`).to.be.greaterThan(200);
        expect(chart.height, `${chart.id} height`).to.be.greaterThan(60);
        // Axes, grid and labels alone make a few thousand pixels; a chart with its data has many more.
        expect(chart.inkPixels, `${chart.id} looks empty`).to.be.greaterThan(chart.kind === 'timeline' ? 20_000 : 5_000);
      }
      const ink = inkOf(seen.screenshot);
      expect(ink.share, 'the screenshot is mostly blank').to.be.greaterThan(0.2);
      expect(ink.colours, 'the screenshot has hardly any colours').to.be.greaterThan(50);
      if (name === 'allExamples' && process.env.REBOUND_UPDATE_SCREENSHOT === '1') {
        await writeFile(SCREENSHOT, seen.top);
        console.log(`  wrote ${SCREENSHOT}`);
      }
    });
  }
});
