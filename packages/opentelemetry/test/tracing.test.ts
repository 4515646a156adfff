import { readFileSync } from 'node:fs';
import { Celeriac, type Logger, type TaskStore, chain, chord, group } from '@celeriac/core';
import { type TaskMessage, decodeTaskMessage, encodeTaskMessage } from '@celeriac/core/adapter';
import { MemoryStore } from '@celeriac/memory';
import { createRedisStore } from '@celeriac/redis';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTelemetry } from '../src/index.js';
import { VERSION } from '../src/version.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const stores: [string, () => TaskStore][] = [
  ['memory', () => new MemoryStore()],
  ['redis', () => createRedisStore({ connection: redis.url, prefix: `otel-${Math.random().toString(16).slice(2)}` })],
];

describe.each(stores)('openTelemetry() on the %s store', (_name, makeStore) => {
  it('links each run (CONSUMER) to the send (PRODUCER) that enqueued it, with messaging attributes; errors on the span', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const store = makeStore();
    const app = new Celeriac({ store, logger: quiet, tracing: openTelemetry({ tracerProvider }) });
    const add = app.task({ name: 't.add', queue: 'math' }, (a: number, b: number) => a + b);
    let flaky = 0;
    const retried = app.task({ name: 't.flaky', retries: 1, backoff: { type: 'fixed', delay: 10 } }, () => {
      if (++flaky === 1) throw new Error('flaky the first time');
      return 'ok';
    });
    const broken = app.task({ name: 't.broken' }, () => {
      throw new TypeError('broken for good');
    });
    try {
      await app.worker({ pollInterval: 10, heartbeatInterval: 50 }).start();
      const sum = await add.delay(2, 3);
      const [bulkA, bulkB] = await add.bulk([[1, 1], [2, 2]]);
      const flakyRun = await retried.delay();
      const brokenRun = await broken.delay();
      expect(await sum.wait({ timeout: 5_000 })).toBe(5);
      await Promise.allSettled([bulkA, bulkB, flakyRun, brokenRun].map((r) => r?.wait({ timeout: 5_000 })));
      // 5 sends; runs: 3 adds, 2 flaky attempts, 1 broken.
      await until(() => exporter.getFinishedSpans().length === 11, 'every span to end');
      const spans = exporter.getFinishedSpans();
      const of = (id: string, kind: SpanKind) => spans.filter((s) => s.attributes['messaging.message.id'] === id && s.kind === kind);

      const [send] = of(sum.id, SpanKind.PRODUCER) as [ReadableSpan];
      const [run] = of(sum.id, SpanKind.CONSUMER) as [ReadableSpan];
      expect(send.name).toBe('send math');
      expect(send.attributes).toEqual({
        'messaging.system': 'celeriac',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': 'math',
        'messaging.message.id': sum.id,
        'celeriac.task.name': 't.add',
        'celeriac.task.attempt': 1,
      });
      expect(send.instrumentationScope).toMatchObject({ name: '@celeriac/opentelemetry', version: VERSION });
      expect(run.name).toBe('process math');
      expect(run.attributes).toMatchObject({ 'messaging.system': 'celeriac', 'messaging.operation.type': 'process', 'messaging.destination.name': 'math', 'messaging.message.id': sum.id, 'celeriac.task.name': 't.add', 'celeriac.task.attempt': 1, 'celeriac.task.state': 'SUCCESS' });
      expect(run.spanContext().traceId).toBe(send.spanContext().traceId);
      expect(run.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(run.parentSpanContext?.isRemote).toBe(true);
      expect(run.status.code).not.toBe(SpanStatusCode.ERROR);

      for (const member of [bulkA, bulkB]) {
        const [memberSend] = of(member?.id as string, SpanKind.PRODUCER) as [ReadableSpan];
        const [memberRun] = of(member?.id as string, SpanKind.CONSUMER) as [ReadableSpan];
        expect(memberSend.attributes['messaging.batch.message_count']).toBe(2);
        expect(memberRun.parentSpanContext?.spanId).toBe(memberSend.spanContext().spanId);
      }

      // Both attempts of a retried task continue the trace of its one send.
      const [flakySend] = of(flakyRun.id, SpanKind.PRODUCER) as [ReadableSpan];
      const flakyRuns = of(flakyRun.id, SpanKind.CONSUMER).sort((a, b) => Number(a.attributes['celeriac.task.attempt']) - Number(b.attributes['celeriac.task.attempt']));
      expect(flakyRuns.map((s) => [s.attributes['celeriac.task.attempt'], s.attributes['celeriac.task.state'], s.parentSpanContext?.spanId])).toEqual([
        [1, 'RETRY', flakySend.spanContext().spanId],
        [2, 'SUCCESS', flakySend.spanContext().spanId],
      ]);
      expect(flakyRuns[0]?.events.map((e) => e.attributes?.['exception.message'])).toEqual(['flaky the first time']);

      const [brokenSpan] = of(brokenRun.id, SpanKind.CONSUMER) as [ReadableSpan];
      expect(brokenSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broken for good' });
      expect(brokenSpan.events[0]?.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'broken for good', 'exception.stacktrace': expect.stringContaining('broken for good') });
    } finally {
      await app.close();
      await store.close();
      await tracerProvider.shutdown();
    }
  });
  it('carries one trace through a workflow: each step is sent from inside the run before it, a chord callback from a member', async () => {
    // An SDK registers a context manager, so a run's follow-ups see its span as active.
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const store = makeStore();
    const app = new Celeriac({ store, logger: quiet, tracing: openTelemetry({ tracerProvider }) });
    const num = app.task({ name: 'w.num' }, (n: number) => n);
    const add = app.task({ name: 'w.add' }, (a: number, b: number) => a + b);
    const sum = app.task({ name: 'w.sum' }, (values: number[]) => values.reduce((a, b) => a + b, 0));
    try {
      await app.worker({ pollInterval: 10 }).start();
      const linked = await chain(num.s(1)).then(add.partial(10)).then(add.partial(100)).applyAsync();
      expect(await linked.get({ timeout: 5_000 })).toBe(111);
      const joined = await chord(group(num.s(1), num.s(2)), sum.partial()).applyAsync();
      expect(await joined.get({ timeout: 5_000 })).toBe(3);
      // chain: 3 sends + 3 runs; chord: 3 sends (2 members, the callback) + 3 runs.
      await until(() => exporter.getFinishedSpans().length === 12, 'every span to end');
      const spans = exporter.getFinishedSpans();
      const byTask = (name: string, kind: SpanKind) => spans.filter((s) => s.attributes['celeriac.task.name'] === name && s.kind === kind);
      const parentOf = (span: ReadableSpan) => spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);

      const chainTrace = byTask('w.add', SpanKind.CONSUMER)[0]?.spanContext().traceId;
      const chainRuns = spans.filter((s) => s.kind === SpanKind.CONSUMER && s.spanContext().traceId === chainTrace);
      expect(chainRuns).toHaveLength(3);
      // Walk the links: the first run's send has no parent; each later run's send is a child of
      // the run before it (its process span), so the walk visits every run in order.
      const sendOf = (run: ReadableSpan) => parentOf(run) as ReadableSpan;
      let current = chainRuns.find((run) => sendOf(run).parentSpanContext === undefined);
      const walked: ReadableSpan[] = [];
      while (current !== undefined) {
        walked.push(current);
        const previous: ReadableSpan = current;
        current = chainRuns.find((run) => sendOf(run).parentSpanContext?.spanId === previous.spanContext().spanId);
      }
      expect(walked.map((s) => s.attributes['celeriac.task.name'])).toEqual(['w.num', 'w.add', 'w.add']);
      for (const run of walked) expect(sendOf(run).kind).toBe(SpanKind.PRODUCER);

      const [callback] = byTask('w.sum', SpanKind.CONSUMER) as [ReadableSpan];
      const callbackSend = parentOf(callback) as ReadableSpan;
      // Each member has its own send, so its own trace; the callback continues the last one to finish.
      const members = byTask('w.num', SpanKind.CONSUMER).filter((s) => s.spanContext().traceId !== chainTrace);
      expect(members).toHaveLength(2);
      expect(callbackSend.kind).toBe(SpanKind.PRODUCER);
      expect(members.map((m) => m.spanContext().spanId)).toContain(callbackSend.parentSpanContext?.spanId);
    } finally {
      await app.close();
      await store.close();
      await tracerProvider.shutdown();
      context.disable();
      trace.disable();
    }
  });
});

describe('the message trace context', () => {
  it('survives the codec, is optional, and a malformed one is refused naming the field', () => {
    const message = { id: 'a', task: 't', args: [], queue: 'q', priority: 0, attempt: 1, createdAt: 1, trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' } };
    expect(decodeTaskMessage(encodeTaskMessage(message))).toEqual(message);
    const { trace: _, ...bare } = message;
    expect(decodeTaskMessage(encodeTaskMessage(bare)).trace).toBeUndefined();
    expect(() => decodeTaskMessage(JSON.stringify({ ...message, trace: { traceparent: 42 } }))).toThrow(/field "trace"/);
    expect(() => decodeTaskMessage(JSON.stringify({ ...message, trace: { traceparent: 'x'.repeat(600) } }))).toThrow(/field "trace"/);
  });

  it('without an SDK nothing is added to messages and tasks run as before', async () => {
    const seen: unknown[] = [];
    const store = new (class extends MemoryStore {
      override enqueue(messages: readonly TaskMessage[]) {
        seen.push(...messages.map((m) => m.trace));
        return super.enqueue(messages);
      }
    })();
    const app = new Celeriac({ store, logger: quiet, tracing: openTelemetry() });
    const add = app.task({ name: 't.plain' }, (a: number, b: number) => a + b);
    try {
      await app.worker({ pollInterval: 10 }).start();
      expect(await (await add.delay(1, 2)).wait({ timeout: 5_000 })).toBe(3);
      expect(seen).toEqual([undefined]);
    } finally {
      await app.close();
    }
  });

  it('starts no span while no SDK is registered, and traces from the next task once one is', () => {
    const tracing = openTelemetry();
    const message = (id: string): TaskMessage => ({ id, task: 't', args: [], queue: 'q', priority: 0, attempt: 1, createdAt: 1 });
    const before = message('before');
    tracing.send(before, 1)();
    expect(before.trace).toBeUndefined();
    expect(tracing.process(before, 'w').within(() => trace.getActiveSpan())).toBeUndefined();

    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(tracerProvider);
    try {
      const after = message('after');
      tracing.send(after, 1)();
      expect(after.trace?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['send q']);
    } finally {
      trace.disable();
    }
  });

  it('VERSION is the package version', () => {
    expect(VERSION).toBe((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version);
  });
});
