import { randomUUID } from 'node:crypto';
import type { ChainStep, TaskStep } from '@celeriac/core/adapter';
import { MalformedMessageError } from '@celeriac/core';

/** Celery's default queue (`task_default_queue`), where a signature without a queue goes. */
export const CELERY_DEFAULT_QUEUE = 'celery';

/** A Celery signature as JSON (`celery.canvas.Signature` as a dict). */
export interface CelerySignature {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: { task_id?: string; queue?: string; priority?: number; [other: string]: unknown };
  subtask_type: string | null;
  immutable: boolean;
  chord_size?: number | null;
}

/**
 * The rest of a chain as Celery's `embed.chain` (the next link last, as Celery pops it), so a
 * Python worker finishing this task starts the next link with its result. Only a chain of plain
 * tasks has that form: with a group in it, `null` (Celeriac workers still follow `x_celeriac`).
 */
export function toCelerySignatures(chain: readonly ChainStep[] | undefined): CelerySignature[] | null {
  if (chain === undefined || chain.length === 0 || chain.some((step) => 'group' in step)) return null;
  return (chain as TaskStep[])
    .map((step) => ({
      task: step.task,
      args: step.args,
      kwargs: {},
      options: { task_id: step.id, queue: step.queue, priority: step.priority },
      subtask_type: null,
      immutable: !step.passResult,
      chord_size: null,
    }))
    .reverse();
}

/**
 * Celery's `embed.chain` (from Python's `chain(a.s(), b.s())`) as Celeriac chain steps; a
 * signature without a `task_id` gets `newId(its index in the list)`.
 */
export function fromCelerySignatures(task: string, chain: unknown, newId: (index: number) => string = () => randomUUID()): TaskStep[] | undefined {
  if (chain === null || chain === undefined) return undefined;
  if (!Array.isArray(chain)) throw new MalformedMessageError(`${task}: embed.chain must be a list of signatures`);
  return chain
    .map((raw, index): TaskStep => {
      const s = raw as Partial<CelerySignature> | null;
      if (typeof s !== 'object' || s === null || typeof s.task !== 'string' || !Array.isArray(s.args ?? [])) {
        throw new MalformedMessageError(`${task}: embed.chain holds something that is not a task signature`);
      }
      if (s.subtask_type !== null && s.subtask_type !== undefined) throw new MalformedMessageError(`${task}: a ${s.subtask_type} inside a Celery chain is not run by Celeriac workers`);
      if (s.kwargs !== undefined && Object.keys(s.kwargs).length > 0) throw new MalformedMessageError(`${task}: chain link ${s.task} has keyword arguments, which a chain link cannot map`);
      const options = s.options ?? {};
      return {
        id: typeof options.task_id === 'string' ? options.task_id : newId(index),
        task: s.task,
        args: s.args ?? [],
        queue: typeof options.queue === 'string' ? options.queue : CELERY_DEFAULT_QUEUE,
        priority: typeof options.priority === 'number' ? options.priority : 0,
        passResult: s.immutable !== true,
      };
    })
    .reverse();
}
