import type { TaskState } from '@celeriac/core';

/** Body of `POST <prefix>/tasks/:name`. */
export interface EnqueueRequest {
  /** The task's arguments, checked against the exposed task's schema. */
  args: unknown[];
  options?: {
    /** Run no earlier than this many ms from now. Not with `eta`. */
    countdown?: number;
    /** Run no earlier than this time: ms since the epoch, or an RFC 3339 date-time string. */
    eta?: number | string;
    /** Do not run after this: ms from now (number), or an RFC 3339 date-time string. */
    expires?: number | string;
    /** 0 to 9, higher first. */
    priority?: number;
  };
}

/** Body of the `202` answering an enqueue or a revoke. */
export interface TaskAccepted {
  id: string;
  state: TaskState;
}

/** An error stored on a FAILURE, without its stack. */
export interface TaskStatusError {
  type: string;
  message: string;
  /** A Celeriac error's stable code, or a Node error's `code`, when there is one. */
  code?: string;
}

/** Body of `GET <prefix>/status/:id`: the seed's shape. */
export interface TaskStatus {
  state: TaskState;
  current: number;
  total: number;
  status: string;
  /** Present on SUCCESS only (`null` if the task returned nothing). */
  result?: unknown;
  /** Present on FAILURE only. */
  error?: TaskStatusError;
}

/** The data of one Server-Sent Event of `GET <prefix>/status/:id/events`. */
export interface TaskStatusEvent extends TaskStatus {
  /** The record's sequence number: also the event's SSE `id`. */
  seq: number;
}

/** Body of every 4xx the plugin sends. */
export interface ErrorResponse {
  statusCode: number;
  /** The HTTP reason phrase, e.g. `Bad Request`. */
  error: string;
  message: string;
  /** A stable code to match on, e.g. `CELERIAC_TASK_NOT_FOUND` or `FST_ERR_VALIDATION`. */
  code?: string;
}
