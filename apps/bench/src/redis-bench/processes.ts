import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerName, RedisTarget } from './peer.js';
import type { ChildMessage, ParentMessage, RoleName, RoleParams } from './role-child.js';

const CHILD = fileURLToPath(new URL('./role-child.js', import.meta.url));

/** A role running in its own process (role-child.ts): wait for its messages, send it commands. */
export class RoleProcess {
  readonly #child: ChildProcess;
  readonly #inbox: ChildMessage[] = [];
  #waiting: { type: ChildMessage['type']; resolve: (m: ChildMessage) => void; reject: (e: Error) => void } | undefined;
  #failure: Error | undefined;
  readonly exited: Promise<void>;

  constructor(peer: PeerName, role: RoleName, params: RoleParams, target: RedisTarget) {
    this.#child = fork(CHILD, [peer, role, JSON.stringify(params)], { env: { ...process.env, BENCH_TARGET: JSON.stringify(target) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message: ChildMessage) => {
      if (this.#waiting?.type === message.type) {
        const { resolve } = this.#waiting;
        this.#waiting = undefined;
        resolve(message);
      } else this.#inbox.push(message);
    });
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes after the IPC channel has delivered everything sent.
      this.#child.on('close', (code, signal) => {
        // Whatever the exit code, nothing more will come: a waiter for a message not sent fails.
        this.#failure = new Error(`${peer} ${role} process exited with ${code ?? signal}${code === 0 ? ' before sending what was awaited' : ''}`);
        this.#waiting?.reject(this.#failure);
        resolve();
      });
    });
  }

  /** The next message of this type (one that already arrived included). */
  next<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    const index = this.#inbox.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0] as Extract<ChildMessage, { type: T }>);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { type, resolve: resolve as (m: ChildMessage) => void, reject };
    });
  }

  async result<R>(): Promise<R> {
    return (await this.next('result')).value as R;
  }

  send(message: ParentMessage): void {
    this.#child.send(message);
  }

  /** Asks a worker to close gracefully and waits for the process to end. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.connected) this.send({ type: 'stop' });
    await this.exited;
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

/**
 * Runs `body` with a worker of `peer` at `concurrency` in a process of its own, consuming from
 * the start; always stops the worker after.
 */
export async function withWorker<T>(peer: PeerName, target: RedisTarget, concurrency: number, body: (worker: RoleProcess) => Promise<T>): Promise<T> {
  const worker = new RoleProcess(peer, 'worker', { concurrency }, target);
  try {
    await worker.next('ready');
    return await body(worker);
  } catch (error) {
    worker.kill();
    throw error;
  } finally {
    await worker.stop();
  }
}
