import type { TaskMessage } from '../contracts/message.js';
import { type AsyncResult, type WaitOptions } from '../result/async-result.js';
import { stepMessage } from './follow-ups.js';
import { type CanvasHost, type PartialSignature, type Signature, toStep } from './signature.js';

export type ResultsOf<S extends readonly Signature<unknown>[]> = { -readonly [K in keyof S]: S[K] extends Signature<infer R> ? R : never };

/** The results of a group, in the order of its tasks. */
export class GroupResult<T extends unknown[]> {
  constructor(
    readonly id: string,
    readonly results: AsyncResult<unknown>[],
  ) {}

  /** All results in order; rejects with the first failure. */
  wait(options?: WaitOptions): Promise<T> {
    return Promise.all(this.results.map((r) => r.wait(options))) as Promise<T>;
  }

  /** Re-reads every member; then `completedCount()` and `ready()` reflect the store. */
  async refresh(): Promise<this> {
    await Promise.all(this.results.map((r) => r.refresh()));
    return this;
  }

  completedCount(): number {
    return this.results.filter((r) => r.successful()).length;
  }

  ready(): boolean {
    return this.results.every((r) => r.ready());
  }
}

/** Tasks that run in parallel: `group(resize.s(a), resize.s(b))`. */
export class Group<T extends unknown[]> {
  constructor(readonly signatures: readonly Signature<unknown>[]) {
    if (signatures.length === 0) throw new TypeError('group() needs at least one task');
  }

  get host(): CanvasHost {
    return (this.signatures[0] as Signature<unknown>).host;
  }

  /** The members as messages of group `groupId`, with fresh ids. */
  messages(groupId: string): TaskMessage[] {
    return this.signatures.map((s) => ({ ...stepMessage(toStep(s, this.host.newId(), false), undefined, {}), groupId }));
  }

  async applyAsync(): Promise<GroupResult<T>> {
    const groupId = this.host.newId();
    const messages = this.messages(groupId);
    await this.host.submit(messages, []);
    return new GroupResult<T>(groupId, messages.map((m) => this.host.result(m.id)));
  }
}

export function group<const S extends readonly Signature<unknown>[]>(...signatures: S): Group<ResultsOf<S>> {
  return new Group<ResultsOf<S>>(signatures);
}

/**
 * A group and a callback that runs once, with the list of all results, when every member has
 * succeeded — exactly once even when the last members finish at the same moment on different
 * workers. If a member fails, the callback fails (ChordFailedError) without running.
 */
export class Chord<R> {
  constructor(
    private readonly header: Group<unknown[]>,
    private readonly callback: PartialSignature<never, R>,
  ) {}

  async applyAsync(): Promise<AsyncResult<R>> {
    const host = this.header.host;
    const groupId = host.newId();
    const callback = toStep(this.callback, host.newId(), true);
    const members = this.header.messages(groupId);
    const link = { groupId, members: members.map((m) => m.id), callback };
    await host.submit(members.map((m) => ({ ...m, chord: link })), [callback]);
    return host.result<R>(callback.id);
  }
}

export function chord<T extends unknown[], R>(header: Group<T>, callback: PartialSignature<T, R>): Chord<R> {
  return new Chord<R>(header as unknown as Group<unknown[]>, callback as unknown as PartialSignature<never, R>);
}
