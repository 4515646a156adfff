import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { pumpUpdates } from '../src/internal/sse.js';
import { type TestApp, createTestApp, parseSse } from './helpers.js';

let t: TestApp | undefined;
/** Fastify's own logger with logging off: what pumpUpdates gets from a request. */
const log = Fastify({ logger: false }).log;

afterEach(async () => {
  t?.longTaskGate.open();
  await t?.app.close();
});

/** A client that takes `delayMs` per frame, buffering at most one (highWaterMark 1: every write while one is in progress reports "full"). */
function slowClient(delayMs: number) {
  const frames: string[] = [];
  let mostBuffered = 0;
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      frames.push(chunk.toString());
      setTimeout(done, delayMs);
    },
  });
  const track = out.write.bind(out);
  out.write = ((chunk: string) => {
    const ok = track(chunk);
    mostBuffered = Math.max(mostBuffered, out.writableLength);
    return ok;
  }) as typeof out.write;
  const finished = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  return { out, frames, finished, mostBuffered: () => mostBuffered };
}

/** Streams the updates of a long task of `steps` progress reports to `out`, from enqueue to its end. */
async function streamLongTask(steps: number, out: Writable) {
  t = createTestApp();
  const run = await t.handles.longTask.delay(steps);
  const pumping = pumpUpdates(run, out, new AbortController().signal, 0, log);
  await t.app.worker().start();
  t.longTaskGate.open();
  await run.wait({ timeout: 10_000 });
  await pumping;
  return run;
}

describe('the event stream behind a slow client', () => {
  it('keeps only the newest update waiting, in seq order, and always ends with the terminal one', async () => {
    const steps = 300;
    const client = slowClient(15);
    const run = await streamLongTask(steps, client.out);
    await client.finished;

    const events = client.frames.filter((f) => f.startsWith('id:')).map((f) => parseSse(f)[0] as { id: string; data: { seq: number; state: string } });
    const seqs = events.map((e) => e.data.seq);
    // The task reported far faster than the client read: most progress frames were replaced, not queued.
    expect(events.length).toBeLessThan(steps / 3);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.at(-1)?.data.state).toBe('SUCCESS');
    expect(events.at(-1)?.data.seq).toBe(run.record?.seq);
    // Never more than the frame being written and one waiting: no backlog grew.
    const frameSize = Math.max(...client.frames.map((f) => f.length));
    expect(client.mostBuffered()).toBeLessThanOrEqual(2 * frameSize);
  });

  it('writes every update when the client keeps up', async () => {
    const frames: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        frames.push(chunk.toString());
        done();
      },
    });
    const run = await streamLongTask(20, out);
    const seqs = frames.map((f) => (parseSse(f)[0] as { data: { seq: number } }).data.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i)); // consecutive: nothing skipped
    expect(seqs.at(-1)).toBe(run.record?.seq);
  });
});
