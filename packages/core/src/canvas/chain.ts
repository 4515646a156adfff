import type { TaskStep } from '../contracts/message.js';
import type { AsyncResult } from '../result/async-result.js';
import { type WorkflowFailure, stepMessage } from './follow-ups.js';
import { type PartialSignature, type Signature, toStep } from './signature.js';

interface Link {
  readonly signature: Signature<unknown> | PartialSignature<never, unknown>;
}

/**
 * Tasks run one after another, each partial link getting the previous result as its first
 * argument. If a link fails, the links after it fail without running (ChainFailedError) and the
 * error callbacks run. `applyAsync()` resolves with the last link's result handle.
 */
export class Chain<R> {
  constructor(
    private readonly links: readonly Link[],
    private readonly errbacks: readonly PartialSignature<WorkflowFailure, unknown>[] = [],
  ) {}

  then<R2>(next: Signature<R2> | PartialSignature<R, R2>): Chain<R2> {
    return new Chain<R2>([...this.links, { signature: next as Signature<unknown> }], this.errbacks);
  }

  /** If any link fails, run `errback` with `{ taskId, error }` as its first argument: `onError(alert.partial('ops'))`. */
  onError(errback: PartialSignature<WorkflowFailure, unknown>): Chain<R> {
    return new Chain<R>(this.links, [...this.errbacks, errback]);
  }

  async applyAsync(): Promise<AsyncResult<R>> {
    const [first] = this.links;
    if (first === undefined) throw new TypeError('chain() needs at least one task');
    const host = first.signature.host;
    const steps: TaskStep[] = this.links.map((link, i) => toStep(link.signature, host.newId(), i > 0 && link.signature.kind === 'partial'));
    const errbacks = this.errbacks.map((e) => toStep(e, host.newId(), true));
    const [head, ...rest] = steps as [TaskStep, ...TaskStep[]];
    await host.submit([stepMessage(head, undefined, { chain: rest, errbacks })], rest);
    return host.result<R>((steps[steps.length - 1] as TaskStep).id);
  }
}

/** Start a chain: `chain(fetch.s(url)).then(parse.partial()).then(store.partial('db'))`. */
export function chain<R>(first: Signature<R>): Chain<R> {
  return new Chain<R>([{ signature: first }]);
}
