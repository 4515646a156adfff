import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from './support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

describe('the demo page in a real browser', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run scripts/setup.sh --test (apt-get install chromium) or set CHROMIUM_PATH`);
    demo = await startDemo(80);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('starts two tasks whose progress bars advance live and which both end with Result: 42', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(demo.url);
    await page.click('#start');
    await page.click('#start');
    const rows = page.locator('.task');
    await expect.poll(() => rows.count()).toBe(2);

    // Both bars move: sample each row's percent until both have gone up at least twice.
    const history: number[][] = [[], []];
    for (let i = 0; i < 200 && history.some((h) => new Set(h).size < 3); i++) {
      for (const [index, row] of [0, 1].entries()) {
        const percent = Number((await rows.nth(row).locator('.bar').getAttribute('data-percent')) ?? 0);
        if (history[index]?.at(-1) !== percent) history[index]?.push(percent);
      }
      await page.waitForTimeout(40);
    }
    for (const h of history) {
      expect(new Set(h).size).toBeGreaterThanOrEqual(3);
      expect(h).toEqual([...h].sort((a, b) => a - b)); // never goes backwards
    }
    await expect.poll(async () => (await rows.nth(0).locator('.status').textContent()) ?? '', { timeout: 10_000 }).toMatch(/\.\.\.$|Task completed!/);

    await expect.poll(() => page.locator('.task .result', { hasText: 'Result: 42' }).count(), { timeout: 15_000 }).toBe(2);
    expect([await rows.nth(0).getAttribute('data-state'), await rows.nth(1).getAttribute('data-state')]).toEqual(['SUCCESS', 'SUCCESS']);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}long-task-demo.png`, fullPage: true });
    expect(errors).toEqual([]);
  });
});
