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

/** The workflow fields of a Celeriac message that a Celery embed maps onto. */
export type EmbeddedWorkflow = Pick<TaskMessage, 'chain' | 'errbacks'>;

/**
 * A Celeriac message's workflow as Celery's embed: a chain of plain tasks as `embed.chain` (the
 * next link last, as Celery pops it) and error callbacks as `embed.errbacks`, so a Python worker
 * running the task continues the chain and calls the error callbacks, as Celery 5.2 does: with the
 * failed task's id as their first argument (Celeriac's own workers give `{ taskId, error }`).
 */
export function toCeleryEmbed(message: TaskMessage): CeleryEmbed {
  const errbacks = message.errbacks?.map((step): CelerySignature => ({
    task: step.task,
    args: step.args,
    kwargs: {},
    options: { task_id: step.id, queue: step.queue, priority: step.priority },
    subtask_type: null,
    // One without passResult has its arguments set already (a Celery link_error read back).
    immutable: !step.passResult,
    chord_size: null,
  }));
  return { callbacks: null, errbacks: errbacks ?? null, chain: toCelerySignatures(message.chain), chord: null };
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
 * Chords are refused. Ids a signature has no `task_id` for are derived from the task's id, so a
 * redelivered message names the same follow-ups.
 */
export function fromCeleryEmbed(id: string, task: string, embed: unknown): EmbeddedWorkflow {
  if (embed === null || embed === undefined) return {};
  if (!isObject(embed)) throw new MalformedMessageError('body: embed must be an object');
  if (!isEmpty(embed.chord)) throw new MalformedMessageError(`${task}: Celery chords are not run by Celeriac workers; use a Python worker for the chord's tasks`);
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
