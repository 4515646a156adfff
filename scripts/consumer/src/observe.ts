// Metrics and tracing as a consumer installs them: @celeriac/prometheus and @celeriac/opentelemetry
// (no OpenTelemetry SDK registered, so tracing is a no-op), on the in-memory store.
import { Celeriac } from '@celeriac/core';
import { openTelemetry } from '@celeriac/opentelemetry';
import { celeriacMetrics } from '@celeriac/prometheus';

async function main(): Promise<void> {
  const app = new Celeriac({ tracing: openTelemetry() });
  const metrics = celeriacMetrics(app);
  const double = app.task({ name: 'observe.double' }, (n: number) => n * 2);
  const worker = app.worker();
  await worker.start();
  const result = await (await double.delay(21)).wait();
  const text = await metrics.metrics();
  const line = text.split('\n').find((l) => l.startsWith('celeriac_tasks_total{task="observe.double",state="SUCCESS"}'));
  if (result !== 42 || line === undefined || !line.endsWith(' 1')) throw new Error(`observe: result ${String(result)}, metric line ${String(line)}`);
  console.log('observe: metrics and tracing installed, one task counted');
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
