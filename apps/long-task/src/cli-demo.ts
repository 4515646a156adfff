/**
 * The seed's long task in a terminal: starts one on the in-memory broker with a worker in this
 * process and prints every progress report, then the result. `STEP_MS` sets the pause per step.
 */
import { Celeriac } from '@celeriac/core';
import { LongTasks } from './long-task.js';

const stepMs = Number(process.env.STEP_MS ?? 200);
const app = new Celeriac();
const { longTask } = app.register(new LongTasks({ stepMs, random: Math.random }));
const worker = app.worker({ concurrency: 4 });
await worker.start();

const result = await longTask.delay();
console.log(`started long_task ${result.id}`);
for await (const record of result.updates()) {
  const meta = record.meta as { current?: number; total?: number; status?: string } | undefined;
  if (record.state === 'PROGRESS' && meta !== undefined) {
    const { current = 0, total = 1, status = '' } = meta;
    const width = 30;
    const filled = Math.round(((current + 1) / total) * width);
    console.log(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(current + 1).padStart(2)}/${total} ${status}`);
  } else {
    console.log(record.state);
  }
}
console.log(`Result: ${JSON.stringify(await result.get())}`);
await app.close();
