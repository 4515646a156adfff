import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startDeployment } from './browser-setup.js';

// The dashboard in Debian's headless Chromium (playwright-core), on a real Redis with real workers.
describe('the dashboard in a real browser', { timeout: 90_000 }, () => {
  let d: Awaited<ReturnType<typeof startDeployment>>;
  beforeAll(async () => {
    d = await startDeployment();
  });
  afterAll(async () => {
    await d?.close();
  });
  const poll = { timeout: 30_000, interval: 100 };

  it('the overview updates live while tasks run, with no request from the page after it loaded', async () => {
    const { page, errors } = await d.page();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname + new URL(request.url()).search));
    await page.goto(d.url);
    await expect.poll(() => page.locator('.live').textContent(), poll).toBe('Live');
    await expect.poll(() => page.locator('.worker-chips li').count(), poll).toBe(2);
    const loaded = requests.length;

    // 40 tasks of three progress steps each on 6 worker slots: queued, then run, then counted.
    const runs = await d.producer.slow.bulk(Array.from({ length: 40 }, () => [3, 60]));
    const stat = (label: string) => page.locator('.stat', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('.stat-value');
    const seenRunning = new Set<string>();
    const seenWaiting = new Set<string>();
    await expect
      .poll(async () => {
        seenRunning.add((await stat('Running').textContent()) ?? '');
        seenWaiting.add((await page.locator('tr[data-queue="default"] [data-count="waiting"]').textContent()) ?? '');
        return page.locator('.chart figcaption').textContent();
      }, poll)
      .toMatch(/: 40 succeeded, 0 failed;/);
    await Promise.all(runs.map((run) => run.wait({ timeout: 30_000 })));
    // The page saw tasks waiting and running as they went, pushed by the server.
    expect([...seenWaiting].some((n) => Number(n) > 0)).toBe(true);
    expect([...seenRunning].some((n) => Number(n) > 0)).toBe(true);
    await expect.poll(() => stat('Succeeded').textContent(), poll).toBe('40');
    // The chart's canvas is drawn, with both series in its legend.
    expect(await page.locator('.u-legend .u-series').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Succeeded'), expect.stringContaining('Failed')]));
    // No polling: every update came over the one event stream opened at load.
    expect(requests.slice(loaded)).toEqual([]);
    expect(requests.filter((r) => r.includes('/api/live'))).toHaveLength(1);
    await screenshot(page, 'overview-light');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a running task\'s progress bar live', async () => {
    const { page, errors } = await d.page();
    const run = await d.producer.slow.delay(8, 250);
    await page.goto(`${d.url}#/tasks/${run.id}`);
    // Sample the bar until the task ends: it moves through several values, never backwards.
    const seen: number[] = [];
    await expect
      .poll(async () => {
        const percent = Number((await page.locator('.progress').getAttribute('data-percent', { timeout: 50 }).catch(() => null)) ?? -1);
        if (percent > 0 && seen.at(-1) !== percent) seen.push(percent);
        if (seen.length === 3 && percent === seen[2]) await screenshot(page, 'task-running');
        return page.locator('h1 .badge').textContent();
      }, { ...poll, interval: 50 })
      .toBe('SUCCESS');
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await expect.poll(() => page.locator('pre[aria-label="Result"]').textContent(), poll).toContain('"steps": 8');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a failed task\'s page shows its error with the stack, and Retry makes it succeed', async () => {
    const { page, errors } = await d.page();
    const run = await d.producer.flaky.delay(21);
    await expect(run.wait({ timeout: 30_000 })).rejects.toThrow(/first attempt of 21 fails on purpose/);
    await page.goto(`${d.url}#/tasks?state=FAILURE`);
    await page.getByRole('link', { name: run.id }).click();
    await expect.poll(() => page.locator('h1').textContent(), poll).toContain('demo.flaky');
    expect(await page.locator('.error-line').textContent()).toBe('TypeError: first attempt of 21 fails on purpose');
    expect(await page.getByLabel('Stack trace').textContent()).toMatch(/^TypeError: first attempt of 21 fails on purpose\n\s+at .*demo-tasks/);
    expect(await page.locator('pre[aria-label="Arguments"]').textContent()).toBe('[\n  21\n]');
    const timeline = page.locator('#timeline-heading + table tbody tr');
    expect(await timeline.count()).toBe(3);
    expect(await timeline.nth(1).locator('td').nth(4).textContent()).toMatch(/^celeriac@/);
    await screenshot(page, 'task-failed');

    await page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.locator('h1 .badge').textContent(), poll).toBe('SUCCESS');
    await expect.poll(() => page.locator('pre[aria-label="Result"]').textContent(), poll).toBe('42');
    // A fresh handle: `run` has seen the FAILURE, and a finished state is final for a handle.
    expect(await d.server.result(run.id).wait({ timeout: 30_000 })).toBe(42);
    await expect.poll(() => timeline.count(), poll).toBe(6);
    expect(await page.locator('.notice').first().textContent()).toContain(`Task ${run.id} will run again`);
    await screenshot(page, 'task-retried');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Pause stops a queue while other queues run, Resume runs its tasks; Purge asks first', async () => {
    const { page, errors } = await d.page();
    await d.producer.mail.delay('warm-up'); // the queue exists once a task was sent to it
    await page.goto(`${d.url}#/queues/mail`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('h1 .badge').textContent(), poll).toBe('Paused');
    const held = await Promise.all(['ada', 'bob', 'cy'].map((to) => d.producer.mail.delay(to)));
    // PENDING in another queue too: the queue's page lists its own tasks only.
    const elsewhere = await d.producer.add.applyAsync([1, 1], { countdown: 600_000 });
    const stat = (label: string) => page.locator('.stat', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('.stat-value');
    await expect.poll(() => stat('Waiting').textContent(), poll).toBe('3');
    // The workers are busy elsewhere meanwhile: a task of another queue runs, the paused ones do not.
    expect(await (await d.producer.add.delay(2, 3)).wait({ timeout: 30_000 })).toBe(5);
    expect(await Promise.all(held.map(async (r) => (await r.refresh()).state))).toEqual(['PENDING', 'PENDING', 'PENDING']);
    await page.getByRole('button', { name: /PENDING/ }).click();
    const rows = page.locator('table.tasks tbody tr[data-task-id]');
    await expect.poll(() => rows.count(), poll).toBe(3);
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task-id')))).sort()).toEqual(held.map((r) => r.id).sort());
    expect(await page.locator('table.tasks caption').textContent()).toContain('in queue mail');
    await screenshot(page, 'queue-paused');
    await page.goto(`${d.url}#/queues/default?state=PENDING`);
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task-id'))), poll).toEqual([elsewhere.id]);
    await d.server.revoke(elsewhere.id);
    await page.goto(`${d.url}#/queues/mail?state=PENDING`);
    await expect.poll(() => rows.count(), poll).toBe(3);

    // Purge by keyboard: the dialog opens on Cancel; Escape leaves everything as it was.
    await page.getByRole('button', { name: 'Purge' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('dialog[open]').count(), poll).toBe(1);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await screenshot(page, 'queue-purge-confirm');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count(), poll).toBe(0);
    expect((await d.server.queues.get('mail'))?.waiting).toBe(3);

    await page.getByRole('button', { name: 'Resume' }).click();
    expect(await Promise.all(held.map((r) => r.wait({ timeout: 30_000 })))).toEqual(['sent to ada', 'sent to bob', 'sent to cy']);
    await expect.poll(() => stat('Waiting').textContent(), poll).toBe('0');
    await expect.poll(() => page.locator('h1 .badge').textContent(), poll).toBe('Active');

    // Purge for real once confirmed.
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('h1 .badge').textContent(), poll).toBe('Paused');
    const purged = await d.producer.mail.delay('dan');
    await expect.poll(() => stat('Waiting').textContent(), poll).toBe('1');
    await page.getByRole('button', { name: 'Purge' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Purge' }).click();
    await expect.poll(() => stat('Waiting').textContent(), poll).toBe('0');
    expect((await purged.refresh()).state).toBe('REVOKED');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('h1 .badge').textContent(), poll).toBe('Active');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a dead letter requeued from the page runs', async () => {
    const { page, errors } = await d.page();
    const run = await d.producer.letter.delay(5);
    await expect.poll(async () => (await d.server.deadLetters.get(run.id)) !== null, poll).toBe(true);
    await page.goto(`${d.url}#/dead-letters`);
    const row = page.locator(`tr[data-letter="${run.id}"]`);
    await expect.poll(() => row.locator('.reason').textContent(), poll).toContain('first attempt of 5 goes to the dead letters');
    await row.getByText('Show message').click();
    expect(await row.locator('pre').textContent()).toContain('"task": "demo.letter"');
    await screenshot(page, 'dead-letters');
    await row.getByRole('button', { name: 'Requeue' }).click();
    // Once the server said so: until then the record is still the FAILURE that dead-lettered it.
    await expect.poll(() => page.locator('.notice').first().textContent(), poll).toContain(`Requeued ${run.id}`);
    expect(await run.wait({ timeout: 30_000 })).toBe(6);
    await expect.poll(() => row.count(), poll).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the workers and the schedules, pauses a schedule, and reads well in dark mode', async () => {
    await d.server.scheduler({ tick: 250 }).start();
    const { page, errors } = await d.page('dark');
    const busy = await d.producer.slow.bulk(Array.from({ length: 4 }, () => [6, 300]));
    await page.goto(`${d.url}#/workers`);
    const rows = page.locator('tr[data-worker]');
    await expect.poll(() => rows.count(), poll).toBe(2);
    // The tasks each worker runs, as its heartbeat says, each a link to its page.
    await expect.poll(() => rows.getByRole('link', { name: 'demo.slow' }).count(), poll).toBeGreaterThan(0);
    const workers = await d.server.workers.list();
    for (const w of workers) {
      const cells = rows.filter({ has: page.getByText(w.id, { exact: true }) }).locator('td');
      expect(await cells.nth(0).textContent()).toBe('inline');
      expect(await cells.nth(1).textContent()).toContain(`/ ${w.concurrency}`);
    }
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).not.toBe('rgb(255, 255, 255)');
    await screenshot(page, 'workers-dark');
    await Promise.all(busy.map((run) => run.wait({ timeout: 30_000 })));

    await page.getByRole('link', { name: 'Schedules' }).click();
    const schedule = page.locator('tr[data-schedule="hourly-add"]');
    await expect.poll(() => schedule.locator('td').nth(2).textContent(), poll).toMatch(/^in \d/);
    // The scheduler has run the two-second schedule: its last run shows.
    await expect.poll(() => page.locator('tr[data-schedule="tick-every-2s"] td').nth(3).textContent(), poll).toMatch(/ago$/);
    await schedule.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => schedule.locator('.badge').textContent(), poll).toBe('Paused');
    expect((await d.server.schedules.list())[0]?.paused).toBe(true);
    await screenshot(page, 'schedules-dark');
    await schedule.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => schedule.locator('.badge').textContent(), poll).toBe('Active');

    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => page.locator('.chart figcaption').textContent(), poll).toMatch(/succeeded/);
    await screenshot(page, 'overview-dark');
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: /SUCCESS/ }).click();
    await expect.poll(() => page.locator('table.tasks tbody tr[data-task-id]').count(), poll).toBe(25);
    await screenshot(page, 'tasks-dark');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches theme with the toggle, and keeps the choice', async () => {
    const { page } = await d.page('light');
    await page.goto(d.url);
    const toggle = page.getByRole('button', { name: 'Dark mode' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), poll).toBe('dark');
    expect(await page.getByRole('button', { name: 'Dark mode' }).getAttribute('aria-pressed')).toBe('true');
    await page.close();
  });

  it('finds a task by id, filters by name, and in read-only mode shows no action', async () => {
    const { page, errors } = await d.page();
    const run = await d.producer.add.delay(20, 22);
    await run.wait({ timeout: 30_000 });
    await page.goto(`${d.url}#/tasks`);
    await page.getByLabel('Find by id').fill(run.id);
    await page.getByLabel('Find by id').press('Enter');
    await expect.poll(() => page.locator('pre[aria-label="Result"]').textContent(), poll).toBe('42');

    await page.goto(`${d.url}#/tasks?state=SUCCESS`);
    await page.getByLabel('Task name').fill('demo.flaky');
    await page.getByLabel('Task name').press('Enter');
    await expect.poll(() => page.locator('table.tasks tbody tr[data-task-id]').count(), poll).toBe(1);
    expect(await page.locator('table.tasks tbody td').nth(1).textContent()).toBe('demo.flaky');

    await page.goto(`${d.readOnlyUrl}#/queues/mail`);
    await expect.poll(() => page.locator('.top .badge').textContent(), poll).toBe('Read-only');
    await expect.poll(() => page.locator('.stat-value').first().textContent(), poll).toBe('0');
    expect(await page.getByRole('button', { name: /Pause|Resume|Purge/ }).count()).toBe(0);
    await screenshot(page, 'queue-read-only');
    expect(errors).toEqual([]);
    await page.close();
  });
});
