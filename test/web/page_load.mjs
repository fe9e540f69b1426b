// Page-load timing of the alarms page in headless Chromium, for
// tools/bench/ui-page-load. Environment: CSHIELD_URL, CSHIELD_TOKEN,
// RUNS (default 7). For each scenario: a fresh navigation (token already in
// sessionStorage) until the first page of alarms and the summary strip are
// drawn, measured in the page (performance.now(), from navigation start).
// Prints one line per scenario: median and worst, in ms, and the median of
// the part spent on the API requests (first request sent to last answer in;
// the rest is the browser: process start, parsing, modules, layout).
import {chromium} from 'playwright-core';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const base = process.env.CSHIELD_URL, token = process.env.CSHIELD_TOKEN;
const runs = Number(process.env.RUNS || 7);
// A day about four weeks back, as the From/To fields spell it (local time).
const local = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const dayBack = Date.now() - 28 * 86400000;
const scenarios = [
  ['newest alarms, summary of 24 h', '#/alarms'],
  ['type filter', '#/alarms?type=malicious_program'],
  ['type + status filter', '#/alarms?type=file_escape&status=ignored'],
  ['severity filter', '#/alarms?severity=low'],
  ['status filter', '#/alarms?status=ignored'],
  ['container filter', '#/alarms?container=bench-42'],
  ['image filter', '#/alarms?image=bench%2Fimage%3A7'],
  ['summary of 7 days', '#/alarms?period=7d'],
  ['summary of all time', '#/alarms?period=all'],
  ['time range: a day 4 weeks back', `#/alarms?since=${local(dayBack)}&until=${local(dayBack + 86400000)}`],
];

const profile = mkdtempSync(join(tmpdir(), 'cshield-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: {width: 1280, height: 900},
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
await context.addInitScript((t) => sessionStorage.setItem('cshield.token', t), token);
const page = context.pages()[0] || await context.newPage();
const drawn = () => {
  const rows = document.querySelectorAll('table.alarms tbody tr').length > 0;
  const chips = document.querySelector('.summary .chip.unhandled');
  return rows && chips ? performance.now() : 0;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let worstMedian = 0;
try {
  for (const [name, hash] of scenarios) {
    const times = [], apiTimes = [];
    for (let i = 0; i < runs + 1; ++i) {
      await page.goto('about:blank');
      await page.goto(base + '/' + hash);
      const t = await (await page.waitForFunction(drawn, null, {polling: 'raf', timeout: 30000})).jsonValue();
      const api = await page.evaluate(() => {
        const e = performance.getEntriesByType('resource').filter((x) => x.name.includes('/api/'));
        return e.length ? Math.max(...e.map((x) => x.responseEnd)) - Math.min(...e.map((x) => x.startTime)) : 0;
      });
      if (i > 0) { times.push(t); apiTimes.push(api); }  // the first run warms the caches
    }
    const m = median(times);
    worstMedian = Math.max(worstMedian, m);
    console.log(`${name.padEnd(34)} median ${m.toFixed(0).padStart(5)} ms   worst ${Math.max(...times).toFixed(0).padStart(5)} ms` +
                `   API ${median(apiTimes).toFixed(0).padStart(4)} ms`);
  }
  // The older page: from the click to the next page drawn.
  const times = [];
  for (let i = 0; i < runs; ++i) {
    await page.goto('about:blank');
    await page.goto(base + '/#/alarms');
    await page.waitForFunction(drawn, null, {polling: 'raf'});
    const first = await page.locator('table.alarms tbody tr').first().getAttribute('data-id');
    const t0 = await page.evaluate(() => performance.now());
    await page.getByRole('button', {name: 'Older →'}).click();
    const t1 = await (await page.waitForFunction((id) => {
      const r = document.querySelector('table.alarms tbody tr');
      return r && r.getAttribute('data-id') !== id ? performance.now() : 0;
    }, first, {polling: 'raf'})).jsonValue();
    times.push(t1 - t0);
  }
  console.log(`${'older page (cursor), click to drawn'.padEnd(34)} median ${median(times).toFixed(0).padStart(5)} ms   worst ${Math.max(...times).toFixed(0).padStart(5)} ms`);
  // The containers view (inventory with alarm counts by type).
  const ctimes = [];
  for (let i = 0; i < runs + 1; ++i) {
    await page.goto('about:blank');
    await page.goto(base + '/#/containers');
    const t = await (await page.waitForFunction(
      () => document.querySelectorAll('table.containers tbody tr[data-container]').length > 0 ? performance.now() : 0,
      null, {polling: 'raf', timeout: 30000})).jsonValue();
    if (i > 0) ctimes.push(t);
  }
  worstMedian = Math.max(worstMedian, median(ctimes));
  console.log(`${'containers view'.padEnd(34)} median ${median(ctimes).toFixed(0).padStart(5)} ms   worst ${Math.max(...ctimes).toFixed(0).padStart(5)} ms`);
  console.log(`worst median page load: ${worstMedian.toFixed(0)} ms (target: under 300 ms)`);
} finally {
  await context.close();
  rmSync(profile, {recursive: true, force: true});
}
