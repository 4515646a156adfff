import { createHash } from 'node:crypto';
import type { ChainStep, TaskMessage, TaskStep } from '@celeriac/core/adapter';
import { MalformedMessageError } from '@celeriac/core';
import { type CelerySignature, fromCelerySignatures, toCelerySignatures } from './signatures.js';

/** The third element of the body: the workflow as Celery's worker reads it. */
export interface CeleryEmbed {
  callbacks: CelerySignature[] | null;
  errbacks: CelerySignature[] | null;
  chain: CelerySignature[] | null;
  chord: CelerySignature | null;
}

/**
 * A member of a Celery chord (Celery's Redis result backend counts it): its group, its place in
 * the group (`group_index`, `null` when the producer gave none) and the chord's callback.
 */
export interface CeleryChordPart {
  group: string;
  index: number | null;
  callback: CelerySignature;
}

/**
 * A Celeriac chord member as a Celery chord member, when Celery's form can hold its chord: the
 * message reports to it itself (no chain after it) and the chord has no links or error callbacks
 * after its callback. `null` otherwise (Celeriac workers still follow `x_celeriac`). A message
 * decoded with its chord in Celery's form (DecodeOptions.chords) has it as `celery.chord`.
 */
export function celeryChordOf(message: TaskMessage): CeleryChordPart | null {
  const counted = celeryCall(message).chord;
  if (counted !== undefined) return counted; // read in Celery's form (a retry sends it on as it came)
  const chord = message.chord;
  if (chord === undefined || (message.chain?.length ?? 0) > 0 || chord.chain !== undefined || chord.errbacks !== undefined) return null;
  const index = chord.members.indexOf(message.id);
  return { group: chord.groupId, index: index < 0 ? null : index, callback: toSignature(chord.callback) };
}

function toSignature(step: TaskStep): CelerySignature {
  // One without passResult has its arguments set already (a Celery link_error read back).
  return { task: step.task, args: step.args, kwargs: {}, options: { task_id: step.id, queue: step.queue, priority: step.priority }, subtask_type: null, immutable: !step.passResult, chord_size: null };
}

/**
 * The arguments as a Python producer sent them, kept on a message decoded from Celery's format
 * (as its `celery` property, see withCeleryCall) for Celery's extended result fields `args` and `kwargs`: the
 * message's own `args` are the keywords mapped onto positions.
 */
export interface CeleryCall {
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** The Celery chord it is a member of, for the result backend to count (DecodeOptions.chords). */
  chord?: CeleryChordPart;
}

/** The call a decoded message was sent with: what the producer sent, else its positional arguments. */
export function celeryCall(message: TaskMessage): CeleryCall {
  const call = (message as TaskMessage & { celery?: CeleryCall }).celery;
  return call ?? { args: message.args, kwargs: {} };
}

/**
 * `message` with `call` as its `celery` property, not enumerable: the message compares and
 * serializes as any Celeriac message (a spread copy drops it; a broker requeueing a retry copies
 * it from the delivery's message).
 */
export function withCeleryCall<M extends TaskMessage>(message: M, call: CeleryCall | undefined): M {
  if (call !== undefined) Object.defineProperty(message, 'celery', { value: call, enumerable: false, configurable: true, writable: true });
  return message;
}

/** The workflow fields of a Celeriac message that a Celery embed maps onto. */
export type EmbeddedWorkflow = Pick<TaskMessage, 'chain' | 'errbacks'>;

/**
 * A Celeriac message's workflow as Celery's embed: a chain of plain tasks as `embed.chain` (the
 * next link last, as Celery pops it) and error callbacks as `embed.errbacks`, so a Python worker
 * running the task continues the chain and calls the error callbacks, as Celery 5.2 does: with the
 * failed task's id as their first argument (Celeriac's own workers give `{ taskId, error }`); a
 * chord's callback as `embed.chord` when Celery's form holds it (see celeryChordOf), so that a
 * Python worker counts the member on Celery's Redis result backend.
 */
export function toCeleryEmbed(message: TaskMessage): CeleryEmbed {
  const errbacks = message.errbacks?.map(toSignature) ?? null;
  return { callbacks: null, errbacks, chain: toCelerySignatures(message.chain), chord: celeryChordOf(message)?.callback ?? null };
}

/**
 * Celery's embed (from a Python producer) as the workflow a Celeriac worker runs, in Celery 5.2's
 * semantics (celery/app/trace.py, celery/backends/base.py):
 * - `chain`: the next link gets the result as its first argument;
 * - `callbacks` (`link=`): applied after success with the result first (unless immutable): as a
 *   chain link when the message has no chain (a callback of a chain's task and several callbacks
 *   are refused: a chain link would run them in turn, not side by side);
 * - `errbacks` (`link_error=`): applied after failure with the failed task's id first (unless
 *   immutable), as Celery applies new-style errbacks.
 * `chord` is read by the caller (see decodeCeleryTask). Ids a signature has no `task_id` for are derived from the task's id, so a
 * redelivered message names the same follow-ups.
 */
export function fromCeleryEmbed(id: string, task: string, embed: unknown): EmbeddedWorkflow {
  if (embed === null || embed === undefined) return {};
  if (!isObject(embed)) throw new MalformedMessageError('body: embed must be an object');
  const workflow: EmbeddedWorkflow = {};
  const chain = fromCelerySignatures(task, embed.chain, (i) => derivedId(id, 'chain', i));
  if (!isEmpty(embed.callbacks)) {
    if (chain !== undefined && chain.length > 0) throw new MalformedMessageError(`${task}: Celery link callbacks on a task of a chain are not run by Celeriac workers; add the callback to the chain`);
    const callbacks = fromCelerySignatures(task, embed.callbacks, (i) => derivedId(id, 'callback', i)) as TaskStep[];
    if (callbacks.length > 1) throw new MalformedMessageError(`${task}: several Celery link callbacks are not run by Celeriac workers; link one (a group, or a chain)`);
    workflow.chain = callbacks satisfies ChainStep[];
  } else if (chain !== undefined) workflow.chain = chain;
  if (!isEmpty(embed.errbacks)) {
    const errbacks = fromCelerySignatures(task, embed.errbacks, (i) => derivedId(id, 'errback', i)) as TaskStep[];
    workflow.errbacks = errbacks.reverse().map((step) => ({ ...step, args: step.passResult ? [id, ...step.args] : step.args, passResult: false }));
  }
  return workflow;
}

/**
 * The Celery chord a message is a member of (`embed.chord` with the `group` header), or undefined;
 * with `refuse`, a chord is refused (the store does not count Celery chords).
 */
export function readCeleryChord(task: string, headers: Record<string, unknown>, embed: unknown, refuse: boolean): CeleryChordPart | undefined {
  const callback = isObject(embed) ? embed.chord : undefined;
  if (isEmpty(callback)) return undefined;
  if (refuse) throw new MalformedMessageError(`${task}: Celery chords are counted on Celery's Redis result backend, which this store does not run; use the Celery Redis store, or a Python worker for the chord's tasks`);
  const s = callback as Partial<CelerySignature>;
  if (!isObject(callback) || typeof s.task !== 'string' || typeof headers.group !== 'string') throw new MalformedMessageError(`${task}: embed.chord must be a task signature, with the chord's group in the "group" header`);
  if (s.subtask_type !== null && s.subtask_type !== undefined) throw new MalformedMessageError(`${task}: a chord whose callback is a ${s.subtask_type} is not run by Celeriac workers`);
  return { group: headers.group, index: typeof headers.group_index === 'number' ? headers.group_index : null, callback: callback as unknown as CelerySignature };
}

/** A stable id for the `index`-th follow-up of `kind` of task `id`, in UUID form. */
function derivedId(id: string, kind: string, index: number): string {
  const hex = createHash('sha256').update(`${id}\0${kind}\0${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
