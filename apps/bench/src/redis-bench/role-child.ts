/**
 * One role of a multi-process scenario in a process of its own (see roles/role.ts), driven by the
 * parent over IPC: `node role-child.js <peer> <role> <params as JSON>`, the Redis target in
 * BENCH_TARGET. Messages to the parent: `ready`, `started` (with `at`), `result` (with `value`);
 * from the parent: `start`, `stop`.
 */
import type { PeerName, RedisTarget } from './peer.js';
import { beeQueueRoles } from './roles/bee-queue.js';
import { bullmqRoles } from './roles/bullmq.js';
import { celeriacRoles } from './roles/celeriac.js';
import { type Roles, type TaskKind, epochMs } from './roles/role.js';
import type { PayloadKind } from './payload.js';

export type RoleName = 'worker' | 'steady' | 'sequential' | 'follow';
export interface RoleParams {
  concurrency?: number;
  kind?: TaskKind;
  rate?: number;
  count?: number;
}
export type ChildMessage = { type: 'ready' } | { type: 'started'; at: number } | { type: 'result'; value: unknown };
export type ParentMessage = { type: 'start' } | { type: 'stop' };

const ROLES: Record<PeerName, (target: RedisTarget) => Roles> = { celeriac: celeriacRoles, bullmq: bullmqRoles, 'bee-queue': beeQueueRoles };

/** Sends a message to the parent; resolves once it is handed over (a disconnect right after could drop it). */
function tell(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) return resolve();
    process.send(message, undefined, {}, (error) => (error === null ? resolve() : reject(error)));
  });
}

function nextMessage(type: ParentMessage['type']): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage) => {
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

async function main(): Promise<void> {
  const [peer, role, raw] = process.argv.slice(2) as [PeerName, RoleName, string];
  const params = JSON.parse(raw) as RoleParams;
  const roles = ROLES[peer](JSON.parse(process.env.BENCH_TARGET ?? '') as RedisTarget);
  const count = params.count ?? 0;
  switch (role) {
    case 'worker': {
      const worker = await roles.worker(params.concurrency ?? 1, params.kind ?? 'noop');
      await tell({ type: 'ready' });
      await nextMessage('start');
      const at = epochMs();
      await worker.start();
      await tell({ type: 'started', at });
      await nextMessage('stop');
      await worker.close();
      break;
    }
    case 'steady':
      await tell({ type: 'result', value: await roles.steady(params.rate ?? 1, count, (params.kind ?? 'noop') as PayloadKind) });
      break;
    case 'sequential':
      await tell({ type: 'result', value: await roles.sequential(count) });
      break;
    case 'follow': {
      const { ready, done } = await roles.follow(count);
      await ready;
      await tell({ type: 'ready' });
      await tell({ type: 'result', value: await done });
      break;
    }
  }
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
