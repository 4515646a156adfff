import { MAX_PRIORITY, show } from '@celeriac/core/adapter';
import type { Ajv } from 'ajv';
import type { ExposedTask, ExposedTaskDefaults, JsonSchema } from '../options.js';
import type { ValidateFunction } from './ajv.js';

/** An exposed task, checked: its argument schema compiled, its defaults valid. */
export interface ResolvedExposedTask {
  readonly name: string;
  readonly argsSchema: JsonSchema;
  readonly validateArgs: ValidateFunction;
  readonly defaults: ExposedTaskDefaults;
  readonly description: string | undefined;
}

type Fail = (option: string, problem: string) => never;

const KNOWN = new Set(['task', 'args', 'defaults', 'description']);
const KNOWN_DEFAULTS = new Set(['countdown', 'expires', 'priority', 'queue']);
// Core's task-name rule: names become route paths, so they must stay within it.
const NAME_PATTERN = /^[A-Za-z_][\w.:-]{0,199}$/;
/** `args: 'any'`: any JSON array. */
const ANY_ARGS: JsonSchema = { type: 'array' };

export function resolveExposedTasks(value: unknown, ajv: Ajv, fail: Fail): Map<string, ResolvedExposedTask> {
  if (!Array.isArray(value)) fail('tasks', `must be an array of { task, args } entries, got ${show(value)}`);
  const tasks = new Map<string, ResolvedExposedTask>();
  (value as unknown[]).forEach((entry, i) => {
    const at = `tasks[${i}]`;
    if (typeof entry !== 'object' || entry === null) fail(at, `must be an object { task, args }, got ${show(entry)}`);
    for (const key of Object.keys(entry as object)) {
      if (!KNOWN.has(key)) fail(`${at}.${key}`, `is not a known option (known: ${[...KNOWN].join(', ')})`);
    }
    const exposed = entry as ExposedTask;
    const name = taskName(exposed.task, `${at}.task`, fail);
    if (tasks.has(name)) fail(`${at}.task`, `exposes "${name}" a second time: list each task once`);
    const argsSchema = argsSchemaOf(exposed.args, `${at}.args`, fail);
    let validateArgs: ValidateFunction;
    try {
      validateArgs = ajv.compile(argsSchema);
    } catch (error) {
      return fail(`${at}.args`, `is not a valid JSON schema: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (exposed.description !== undefined && typeof exposed.description !== 'string') {
      fail(`${at}.description`, `must be a string, got ${show(exposed.description)}`);
    }
    tasks.set(name, {
      name,
      argsSchema,
      validateArgs,
      defaults: checkDefaults(exposed.defaults, `${at}.defaults`, fail),
      description: exposed.description,
    });
  });
  return tasks;
}

function taskName(task: unknown, option: string, fail: Fail): string {
  const name = typeof task === 'object' && task !== null ? (task as { name?: unknown }).name : task;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    fail(option, `must be a task handle or a task name (letters, digits and _ . : -), got ${show(name)}`);
  }
  return name as string;
}

function argsSchemaOf(args: unknown, option: string, fail: Fail): JsonSchema {
  if (args === 'any') return ANY_ARGS;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    fail(option, `is required: give a JSON schema of the argument array, or 'any' to accept any array; got ${show(args)}`);
  }
  if ((args as JsonSchema).type !== 'array') {
    fail(option, `must describe the argument array: its root needs type: 'array', got ${show(args)}`);
  }
  return args as JsonSchema;
}

function checkDefaults(value: unknown, option: string, fail: Fail): ExposedTaskDefaults {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) fail(option, `must be an object, got ${show(value)}`);
  const d = value as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!KNOWN_DEFAULTS.has(key)) fail(`${option}.${key}`, `is not a known option (known: ${[...KNOWN_DEFAULTS].join(', ')})`);
  }
  const { countdown, expires, priority, queue } = d;
  if (countdown !== undefined && (typeof countdown !== 'number' || !Number.isFinite(countdown) || countdown < 0)) {
    fail(`${option}.countdown`, `must be a non-negative number of ms, got ${show(countdown)}`);
  }
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0)) {
    fail(`${option}.expires`, `must be a positive number of ms, got ${show(expires)}`);
  }
  if (priority !== undefined && (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > MAX_PRIORITY)) {
    fail(`${option}.priority`, `must be an integer from 0 to ${MAX_PRIORITY}, got ${show(priority)}`);
  }
  if (queue !== undefined && (typeof queue !== 'string' || !NAME_PATTERN.test(queue))) {
    fail(`${option}.queue`, `must be a queue name (letters, digits and _ . : -), got ${show(queue)}`);
  }
  return { ...d } as ExposedTaskDefaults;
}
