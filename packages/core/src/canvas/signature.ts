import type { TaskMessage, TaskStep } from '../contracts/message.js';
import type { AsyncResult } from '../result/async-result.js';

/** What the canvas needs from the app that owns a task. */
export interface CanvasHost {
  newId(): string;
  /**
   * Creates a PENDING record for every message and pending step (refusing ids in use, before
   * anything is published), then starts the messages.
   */
  submit(start: TaskMessage[], pending: TaskStep[]): Promise<void>;
  result<R>(id: string): AsyncResult<R>;
  /** Keeps a group's member result ids under its id, so `app.groupResult(id)` can restore it. */
  saveGroup(groupId: string, memberIds: string[]): Promise<void>;
}

type StepTemplate = Omit<TaskStep, 'id' | 'passResult'>;

/**
 * A task call to make later (Celery's immutable signature, `si`): `handle.s(...args)`.
 * In a chain it ignores the previous result.
 */
export interface Signature<R> {
  readonly kind: 'signature';
  readonly template: StepTemplate;
  /** @internal */
  readonly host: CanvasHost;
  /** Phantom: the task's result type. */
  readonly __result?: R;
}

/**
 * A task call that gets the previous result as its first argument (Celery's `s` in a chain), or
 * the list of a group's results as a chord callback: `handle.partial(...restOfArgs)`.
 */
export interface PartialSignature<In, R> {
  readonly kind: 'partial';
  readonly template: StepTemplate;
  /** @internal */
  readonly host: CanvasHost;
  /** Phantom, contravariant: what it accepts as its first argument. */
  readonly __input?: (input: In) => void;
  readonly __result?: R;
}

export type AnySignature = Signature<unknown> | PartialSignature<never, unknown>;

export function toStep(signature: { template: StepTemplate }, id: string, passResult: boolean): TaskStep {
  return { id, ...signature.template, passResult };
}
