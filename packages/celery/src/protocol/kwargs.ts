import { MalformedMessageError } from '@celeriac/core';

/** Parameter names per task name, in order: how keyword arguments from Python map onto positions. */
export type ParameterNames = Readonly<Record<string, readonly string[]>>;

/**
 * Positional arguments from Celery's `args` and `kwargs`. JavaScript parameters are positional,
 * so each keyword must name a declared parameter after the positional ones, with none skipped:
 * anything else is refused, never guessed.
 */
export function mapKwargs(task: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, parameters: ParameterNames | undefined): unknown[] {
  const keys = Object.keys(kwargs);
  if (keys.length === 0) return [...args];
  const names = parameters !== undefined && Object.hasOwn(parameters, task) ? parameters[task] : undefined;
  if (names === undefined) {
    throw new MalformedMessageError(`${task} was sent keyword arguments (${keys.join(', ')}) but declares no parameter names: add it to the "parameters" option, e.g. { ${JSON.stringify(task)}: ['a', 'b'] }`);
  }
  const out = [...args];
  for (const key of keys) {
    const index = names.indexOf(key);
    if (index < 0) throw new MalformedMessageError(`${task} has no parameter "${key}" (declared: ${names.join(', ') || 'none'})`);
    if (index < args.length) throw new MalformedMessageError(`${task} got "${key}" both by position and by keyword`);
    out[index] = kwargs[key];
  }
  for (let i = args.length; i < out.length; i++) {
    if (!(i in out)) throw new MalformedMessageError(`${task} got keywords after "${names[i]}" but not "${names[i]}" itself: JavaScript parameters are positional`);
  }
  return out;
}
