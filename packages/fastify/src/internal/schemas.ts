import { TASK_ID_PATTERN } from '@celeriac/core';
import { MAX_PRIORITY } from '@celeriac/core/adapter';
import type { FastifySchema } from 'fastify';
import type { JsonSchema } from '../options.js';

// JSON schemas of every route: Fastify validates requests with them and @fastify/swagger documents them.

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string', description: 'The HTTP reason phrase' },
    message: { type: 'string' },
    code: { type: 'string', description: 'A stable code to match on' },
  },
} as const;

export const errorResponse = (description: string) => ({ description, ...ERROR_SCHEMA });

/** Documents what an auth hook may answer; loose, since the hook writes its own body. */
const AUTH_RESPONSES = {
  401: { description: 'Refused by the auth hook', type: 'object', additionalProperties: true },
  403: { description: 'Refused by the auth hook', type: 'object', additionalProperties: true },
} as const;

export const withAuthResponses = <T extends object>(responses: T, hasAuth: boolean) => (hasAuth ? { ...responses, ...AUTH_RESPONSES } : responses);

export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: TASK_ID_PATTERN.source, description: 'A task id, as returned by POST /tasks/{name}' },
  },
} as const;

export const NAME_PARAMS = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', description: 'The name of an exposed task' } },
} as const;

export const ACCEPTED_SCHEMA = {
  type: 'object',
  required: ['id', 'state'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, state: { type: 'string' } },
} as const;

const STATUS_PROPERTIES = {
  state: { type: 'string', description: 'PENDING, STARTED, PROGRESS (or another user state), RETRY, SUCCESS, FAILURE or REVOKED' },
  current: { type: 'number' },
  total: { type: 'number' },
  status: { type: 'string', description: 'Human-readable progress; "<Type>: <message>" on FAILURE' },
  result: { description: 'The task result, on SUCCESS only' },
  error: {
    type: 'object',
    description: 'On FAILURE only',
    required: ['type', 'message'],
    additionalProperties: false,
    properties: { type: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
  },
} as const;

export const STATUS_SCHEMA = {
  type: 'object',
  required: ['state', 'current', 'total', 'status'],
  additionalProperties: false,
  properties: STATUS_PROPERTIES,
} as const;

/** One SSE event's data: documented in the stream route's description, not validated. */
export const STATUS_EVENT_SCHEMA = {
  ...STATUS_SCHEMA,
  required: [...STATUS_SCHEMA.required, 'seq'],
  properties: { ...STATUS_PROPERTIES, seq: { type: 'integer' } },
} as const;

export const APPLY_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'How to run the task; any left out take the route defaults',
  properties: {
    countdown: { type: 'number', minimum: 0, description: 'Run no earlier than this many ms from now (not with eta)' },
    eta: { type: ['number', 'string'], format: 'date-time', description: 'Run no earlier than this: ms since the epoch, or an RFC 3339 date-time' },
    expires: {
      type: ['number', 'string'],
      exclusiveMinimum: 0,
      format: 'date-time',
      description: 'Do not run after this: ms from now, or an RFC 3339 date-time',
    },
    priority: { type: 'integer', minimum: 0, maximum: MAX_PRIORITY, description: `0 to ${MAX_PRIORITY}, higher first` },
  },
} as const;

/** The body of one exposed task's route: its own argument schema inside the common envelope. */
export function enqueueBodySchema(argsSchema: JsonSchema) {
  return {
    type: 'object',
    required: ['args'],
    additionalProperties: false,
    properties: { args: argsSchema, options: APPLY_OPTIONS_SCHEMA },
  } as const;
}

/** The envelope alone, for the route that catches names without a route of their own. */
export const ANY_ENQUEUE_BODY_SCHEMA = enqueueBodySchema({ type: 'array' });

/** What @fastify/swagger reads besides the schemas; Fastify's own type knows only the schemas. */
interface OpenApiAnnotations {
  summary?: string;
  description?: string;
  tags?: readonly string[];
  /** Left out of the documentation. */
  hide?: boolean;
}

/** A route schema with its documentation, typed without making @fastify/swagger a dependency. */
export const documented = (schema: FastifySchema & OpenApiAnnotations): FastifySchema => schema;
