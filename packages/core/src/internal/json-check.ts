/**
 * Finds the first part of `value` that would not survive a JSON round trip unchanged, or undefined
 * if it all does. JSON.stringify alone is not enough: it silently turns functions into null, Maps
 * into {}, NaN into null and drops undefined, so a task would run with different arguments.
 */
export function findNonJson(value: unknown, path = '$', seen: Set<object> = new Set()): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value} (JSON has no NaN or Infinity)`;
    case 'undefined':
      return `${path} is undefined (use null)`;
    case 'bigint':
      return `${path} is a bigint (pass it as a string)`;
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value}`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return `${path} is a circular reference`;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return undefined; // Date and friends choose their JSON form
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const problem = findNonJson(object[i], `${path}[${i}]`, seen);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      return `${path} is a ${object.constructor?.name ?? 'class'} instance (only plain objects, arrays and primitives travel as JSON)`;
    }
    for (const key of Object.keys(object)) {
      const child = (object as Record<string, unknown>)[key];
      if (child === undefined) continue; // an absent optional property: JSON drops it, and so does the reader
      const problem = findNonJson(child, `${path}.${key}`, seen);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    seen.delete(object);
  }
}
