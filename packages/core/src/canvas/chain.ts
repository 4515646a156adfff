import { type ChainStep, type TaskStep, flattenSteps, isGroupStep } from '../contracts/message.js';
import type { AsyncResult } from '../result/async-result.js';
import { type WorkflowFailure, linkMessages } from './follow-ups.js';
import type { Chord, Group } from './group.js';
import { type CanvasHost, type PartialSignature, type Signature, toStep } from './signature.js';

/** A link of a chain as built: a task call, or a group (a chord in a chain is a group, then its callback). */
export type ChainLink = { readonly signature: Signature<unknown> | PartialSignature<never, unknown> } | { readonly group: Group<unknown[]> };

/**
 * Tasks run one after another, each partial link getting the previous result as its first
 * argument. A link may be a group (its partial members get the previous result; the link after it
 * gets the list of their results) or a chord. If a link fails, the links after it fail without
 * running (ChainFailedError) and the error callbacks run. `applyAsync()` resolves with the last
 * link's result handle.
 */
export class Chain<R> {
  /** Phantom: the chain's result type. */
  declare readonly __result?: R;

  constructor(
    readonly links: readonly ChainLink[],
    private readonly errbacks: readonly PartialSignature<WorkflowFailure, unknown>[] = [],
  ) {}

  then<R2>(next: Signature<R2> | PartialSignature<R, R2>): Chain<R2>;
  /** A group as the next link: the link after it gets the list of its results (a chord). */
  then<T extends unknown[]>(next: Group<T>): Chain<T>;
  /** A chord as the next link: its header's partial members get this chain's result. */
  then<R2>(next: Chord<R2>): Chain<R2>;
  then(next: Signature<unknown> | PartialSignature<never, unknown> | Group<unknown[]> | Chord<unknown>): Chain<unknown> {
    if ('kind' in next) return new Chain([...this.links, { signature: next }], this.errbacks);
    if ('header' in next) return new Chain([...this.links, { group: next.header }, { signature: next.callback }], this.errbacks);
    return new Chain([...this.links, { group: next as Group<unknown[]> }], this.errbacks);
  }

  /** If any link fails, run `errback` with `{ taskId, error }` as its first argument: `onError(alert.partial('ops'))`. */
  onError(errback: PartialSignature<WorkflowFailure, unknown>): Chain<R> {
    return new Chain<R>(this.links, [...this.errbacks, errback]);
  }

  get host(): CanvasHost {
    const [first] = this.links;
    if (first === undefined) throw new TypeError('chain() needs at least one task');
    return 'signature' in first ? first.signature.host : first.group.host;
  }

  /** The chain's links as steps with fresh ids; the head gets the input only if `passInput` (a chain inside a chain's group). */
  steps(passInput: boolean): ChainStep[] {
    const host = this.host;
    return this.links.map((link, i) => {
      const input = i > 0 || passInput;
      if ('signature' in link) return toStep(link.signature, host.newId(), input && link.signature.kind === 'partial');
      return link.group.step(input);
    });
  }

  async applyAsync(): Promise<AsyncResult<R>> {
    const host = this.host;
    const steps = this.steps(false);
    const last = steps[steps.length - 1] as ChainStep;
    if (isGroupStep(last)) throw new TypeError('a chain cannot end with a group: add the task that takes its results, .then(task.partial())');
    const errbacks = this.errbacks.map((e) => toStep(e, host.newId(), true));
    const start = linkMessages(steps, undefined, { errbacks });
    const started = new Set(start.map((m) => m.id));
    const pending: TaskStep[] = flattenSteps(steps).filter((s) => !started.has(s.id));
    await host.submit(start, pending);
    return host.result<R>(last.id);
  }
}

/** Start a chain: `chain(fetch.s(url)).then(parse.partial()).then(store.partial('db'))`, or with a group: `chain(group(a.s(), b.s())).then(sum.partial())`. */
export function chain<R>(first: Signature<R>): Chain<R>;
export function chain<T extends unknown[]>(first: Group<T>): Chain<T>;
export function chain(first: Signature<unknown> | Group<unknown[]>): Chain<unknown> {
  return new Chain('kind' in first ? [{ signature: first }] : [{ group: first }]);
}
