import type { GroupStep, TaskMessage, TaskStep } from '../contracts/message.js';
import { type AsyncResult, type WaitOptions } from '../result/async-result.js';
import type { Chain } from './chain.js';
import { groupMessages } from './follow-ups.js';
import { type CanvasHost, type PartialSignature, type Signature, toStep } from './signature.js';

/** A member of a group: a task call, a partial call (in a chain, it gets the previous result) or a chain. */
export type GroupItem = Signature<unknown> | PartialSignature<never, unknown> | Chain<unknown>;

/** The results of a group's members, in order: a chain member's is its last link's. */
export type ResultsOf<S extends readonly GroupItem[]> = {
  -readonly [K in keyof S]: S[K] extends Signature<infer R> ? R : S[K] extends PartialSignature<never, infer R> ? R : S[K] extends Chain<infer R> ? R : never;
};

/** The results of a group, in the order of its tasks. Restore one by id with `app.groupResult(id)`. */
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

/** Tasks (and chains) that run in parallel: `group(resize.s(a), chain(fetch.s(b)).then(resize.partial()))`. */
export class Group<T extends unknown[]> {
  /** Phantom: the results' types. */
  declare readonly __results?: T;

  constructor(readonly items: readonly GroupItem[]) {
    if (items.length === 0) throw new TypeError('group() needs at least one task');
  }

  get host(): CanvasHost {
    const first = this.items[0] as GroupItem;
    return 'kind' in first ? first.host : first.host;
  }

  /**
   * The group as a chain link with fresh ids: each member as its chain of steps. A partial member
   * (or a chain member starting with one) gets the previous link's result only if `passInput`.
   */
  step(passInput: boolean): GroupStep {
    if (!passInput && this.items.some(needsInput)) {
      throw new TypeError('a partial task in a group needs a previous result: use the group in a chain, or give it all its arguments with .s()');
    }
    const host = this.host;
    const members = this.items.map((item): TaskStep[] => {
      if ('kind' in item) return [toStep(item, host.newId(), passInput && item.kind === 'partial')];
      const steps = item.steps(passInput);
      if (steps.some((s) => !('task' in s))) throw new TypeError('a chain inside a group may hold tasks only, not groups');
      return steps as TaskStep[];
    });
    return { group: host.newId(), members };
  }

  /** Messages to start and steps to create PENDING, of this group as its own workflow. */
  plan(link: (step: GroupStep) => TaskMessage['chord']): { step: GroupStep; start: TaskMessage[]; pending: TaskStep[] } {
    const step = this.step(false);
    const start = groupMessages(step, undefined, link(step));
    const pending = step.members.flatMap((m) => m.slice(1));
    return { step, start, pending };
  }

  async applyAsync(): Promise<GroupResult<T>> {
    const host = this.host;
    const { step, start, pending } = this.plan(() => undefined);
    const ids = step.members.map((m) => (m[m.length - 1] as TaskStep).id);
    await host.submit(start, pending);
    await host.saveGroup(step.group, ids);
    return new GroupResult<T>(step.group, ids.map((id) => host.result(id)));
  }
}

/** Whether a member starts with a partial call, which needs the previous link's result. */
function needsInput(item: GroupItem): boolean {
  if ('kind' in item) return item.kind === 'partial';
  const [head] = item.links;
  return head !== undefined && 'signature' in head && head.signature.kind === 'partial';
}

export function group<const S extends readonly GroupItem[]>(...items: S): Group<ResultsOf<S>> {
  return new Group<ResultsOf<S>>(items);
}

/**
 * A group and a callback that runs once, with the list of all results, when every member has
 * succeeded — exactly once even when the last members finish at the same moment on different
 * workers, or one dies in between. If a member fails, the callback fails (ChordFailedError)
 * without running. Members may be chains; a chord may be a link of a chain.
 */
export class Chord<R> {
  constructor(
    readonly header: Group<unknown[]>,
    readonly callback: PartialSignature<never, R>,
  ) {}

  async applyAsync(): Promise<AsyncResult<R>> {
    const host = this.header.host;
    const callback = toStep(this.callback, host.newId(), true);
    const { start, pending } = this.header.plan((step) => ({ groupId: step.group, members: step.members.map((m) => (m[m.length - 1] as TaskStep).id), callback }));
    await host.submit(start, [callback, ...pending]);
    return host.result<R>(callback.id);
  }
}

export function chord<T extends unknown[], R>(header: Group<T>, callback: PartialSignature<T, R>): Chord<R> {
  return new Chord<R>(header as unknown as Group<unknown[]>, callback as unknown as PartialSignature<never, R>);
}
