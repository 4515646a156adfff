/**
 * Finds the first part of `value` that would not survive a JSON round trip unchanged, or undefined
 * if it all does. JSON.stringify alone is not enough: it silently turns functions into null, Maps
 * into {}, NaN into null and drops undefined, so a task would run with different arguments.
 * The answer names the part by its path from `path` (e.g. `args[0].when is undefined (use null)`).
 */
export function findNonJson(value: unknown, path = '$'): string | undefined {
  const problem = problemIn(value, []);
  return problem === undefined ? undefined : path + problem;
}

/**
 * The problem in `value`, as its path relative to `value` then what is wrong; `ancestors` are the
 * objects on the way down (a cycle leads back to one of them). Checked on every enqueue, so a
 * clean value allocates nothing: paths are only built for the answer.
 */
function problemIn(value: unknown, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : ` is ${value} (JSON has no NaN or Infinity)`;
    case 'undefined':
      return ' is undefined (use null)';
    case 'bigint':
      return ' is a bigint (pass it as a string)';
    case 'function':
    case 'symbol':
      return ` is a ${typeof value}`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (ancestors.includes(object)) return ' is a circular reference';
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return undefined; // Date and friends choose their JSON form
  ancestors.push(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const problem = problemIn(object[i], ancestors);
        if (problem !== undefined) return `[${i}]${problem}`;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      return ` is a ${object.constructor?.name ?? 'class'} instance (only plain objects, arrays and primitives travel as JSON)`;
    }
    for (const key of Object.keys(object)) {
      const child = (object as Record<string, unknown>)[key];
      if (child === undefined) continue; // an absent optional property: JSON drops it, and so does the reader
      const problem = problemIn(child, ancestors);
      if (problem !== undefined) return `.${key}${problem}`;
    }
    return undefined;
  } finally {
    ancestors.pop();
  }
}
