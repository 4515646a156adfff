import { type WorkflowFailure, chain, chord, group } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

/** An app on a fresh prefix whose generated ids are recorded in order (a chain's links first, a chord's members last). */
function app(label: string) {
  const prefix = uniquePrefix(label);
  const ids: string[] = [];
  const node = redisApp({ connection: server.url, prefix }, { generateId: () => ids[ids.push(`${label}-${ids.length + 1}`) - 1] as string });
  const step = node.app.task({ name: 'rv.step' }, (n: number) => n);
  const plus = node.app.task({ name: 'rv.plus' }, (a: number, b: number) => a + b);
  const alert = node.app.task({ name: 'rv.alert' }, (failure: WorkflowFailure) => failure.taskId);
  const member = node.app.task({ name: 'rv.member' }, (n: number) => n);
  const total = node.app.task({ name: 'rv.total' }, (values: number[]) => values.length);
  cleanups.push(async () => {
    await node.close();
    await deleteKeys(admin, prefix);
  });
  return { ...node, prefix, ids, tasks: { step, plus, alert, member, total } };
}

/** Runs the `revokeCrash` producer on `id`: it revokes it and is killed before ending its workflow. */
async function revokeAndDie(prefix: string, id: string): Promise<void> {
  const producer = await startWorkerProcess({ url: server.url, prefix, name: `revoker-${id}`, fixture: 'revokeCrash', revokeId: id });
  cleanups.unshift(() => stopWorkerProcess(producer));
  expect(await producer.exited).toMatchObject({ signal: 'SIGKILL' });
}

describe('a producer killed between store.revoke and ending the workflow, on Redis', () => {
  it('a worker in another process ends the workflow: the chain fails, its error callback runs once, the chord callback fails, round after round', { timeout: 90_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const node = app(`rvcrash${round}`);
      const { step, plus, alert, member, total } = node.tasks;
      const last = await chain(step.s(1)).then(plus.partial(2)).then(plus.partial(3)).onError(alert.partial()).applyAsync();
      const head = node.ids[0] as string;
      const callback = await chord(group(member.s(1), member.s(2), member.s(3)), total.partial()).applyAsync();
      const revokedMember = node.ids.at(-2) as string;

      await revokeAndDie(node.prefix, head);
      await revokeAndDie(node.prefix, revokedMember);
      // The crash came before the follow-ups: only the revoked tasks say so.
      expect((await node.app.result(head).refresh()).state).toBe('REVOKED');
      expect((await node.app.result(revokedMember).refresh()).state).toBe('REVOKED');
      expect((await last.refresh()).state).toBe('PENDING');
      expect((await callback.refresh()).state).toBe('PENDING');
      expect(await node.store.size('default')).toBe(4); // the kept head and member, the other two members

      let worker: WorkerProcess | undefined = await startWorkerProcess({ url: server.url, prefix: node.prefix, name: `worker-${round}`, fixture: 'revokeCrash' });
      cleanups.unshift(async () => {
        if (worker !== undefined) await stopWorkerProcess(worker);
      });
      await expect(last.get({ timeout: 10_000 })).rejects.toThrow(new RegExp(`step rv.step \\(${head}\\) failed: TaskRevokedError`));
      expect((await last.refresh()).record).toMatchObject({ state: 'FAILURE', error: { type: 'ChainFailedError' } });
      await expect(callback.get({ timeout: 10_000 })).rejects.toThrow(new RegExp(`chord member ${revokedMember} did not succeed: REVOKED`));
      const errback = node.ids[3] as string;
      expect(await node.app.result(errback).get({ timeout: 10_000 })).toBe(head);
      expect(await admin.hgetall(`{${node.prefix}}:test:alerts`)).toEqual({ [head]: '1' });
      expect(await node.store.size('default')).toBe(0);
      await stopWorkerProcess(worker);
      worker = undefined;
    }
  });
});
