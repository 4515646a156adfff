/** How big and how deep a JSON value may be. */
export interface JsonLimits {
  /** Containers (arrays, objects) nested inside each other, the outermost counting 1. */
  readonly maxDepth: number;
  /**
   * Characters of the value's JSON: string and key lengths plus structure. Escapes are not
   * counted and a character counts once whatever its UTF-8 length, so this is a lower bound
   * of the encoded size, cheap enough for every enqueue.
   */
  readonly maxSize: number;
}

/** What is wrong with a value, and where. `kind` tells the caller which error to throw. */
export interface JsonProblem {
  readonly kind: 'type' | 'depth' | 'size';
  /** e.g. `args[0].when is undefined (use null)` */
  readonly message: string;
}

/**
 * The depth `findNonJson` stops at when given no limits (a task's result): deep enough for any
 * real value, shallow enough that the walk's recursion cannot overflow the stack.
 */
export const DEFAULT_MAX_DEPTH = 1_000;
const TYPES_ONLY: JsonLimits = { maxDepth: DEFAULT_MAX_DEPTH, maxSize: Number.POSITIVE_INFINITY };

/**
 * Finds the first part of `value` that would not survive a JSON round trip unchanged, or undefined
 * if it all does. JSON.stringify alone is not enough: it silently turns functions into null, Maps
 * into {}, NaN into null and drops undefined, so a task would run with different arguments.
 * The answer names the part by its path from `path` (e.g. `args[0].when is undefined (use null)`).
 */
export function findNonJson(value: unknown, path = '$', limits: JsonLimits = TYPES_ONLY): string | undefined {
  return inspectJson(value, path, limits)?.message;
}

// The walk's state, module-wide rather than threaded through every call: the walk is synchronous,
// and this is the hot path of every delay().
let maxDepth = 0;
let sizeLeft = 0;
/** The objects on the way down, reused by every walk (each walk leaves it empty). */
const ancestors: object[] = [];
let limitHit: 'depth' | 'size' | undefined;

/**
 * Walks `value`, stopping at the first problem: a part JSON cannot carry, a container deeper than
 * `limits.maxDepth`, or more than `limits.maxSize` characters in all. The walk recurses once per
 * level and stops at `maxDepth` (at most a few hundred in practice, DEFAULT_MAX_DEPTH when
 * unlimited), so a value nested 100,000 levels deep gets an answer, not a stack overflow. A clean
 * value allocates nothing: paths are only built for the answer.
 */
export function inspectJson(value: unknown, path: string, limits: JsonLimits): JsonProblem | undefined {
  maxDepth = Math.min(limits.maxDepth, DEFAULT_MAX_DEPTH);
  sizeLeft = limits.maxSize;
  limitHit = undefined;
  const problem = problemIn(value, ancestors);
  if (problem === undefined) return undefined;
  if (limitHit === 'size') return { kind: 'size', message: `${path} is larger than ${limits.maxSize} characters of JSON` };
  return { kind: limitHit ?? 'type', message: path + problem };
}

/**
 * The problem in `value`, as its path relative to `value` then what is wrong; `ancestors` are the
 * objects on the way down (a cycle leads back to one of them, and their number is the depth).
 */
function problemIn(value: unknown, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      sizeLeft -= value.length + 2;
      return sizeLeft < 0 ? tooLarge() : undefined;
    case 'boolean':
      sizeLeft -= 4;
      return undefined;
    case 'number':
      sizeLeft -= 1; // a lower bound: digits are not worth counting on every enqueue
      return Number.isFinite(value) ? undefined : ` is ${value} (JSON has no NaN or Infinity)`;
    case 'undefined':
      return ' is undefined (use null)';
    case 'bigint':
      return ' is a bigint (pass it as a string)';
    case 'function':
    case 'symbol':
      return ` is a ${typeof value}`;
  }
  if (value === null) {
    sizeLeft -= 4;
    return undefined;
  }
  const object = value as object;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return undefined; // Date and friends choose their JSON form
  if (ancestors.includes(object)) return ' is a circular reference';
  if (ancestors.length >= maxDepth) {
    limitHit = 'depth';
    return ` is nested more than ${maxDepth} levels deep`;
  }
  sizeLeft -= 2;
  ancestors.push(object);
  try {
    if (Array.isArray(object)) {
      sizeLeft -= object.length > 0 ? object.length - 1 : 0; // the commas
      if (sizeLeft < 0) return tooLarge();
      for (let i = 0; i < object.length; i++) {
        const problem = problemIn(object[i], ancestors);
        if (problem !== undefined) return `[${i}]${problem}`;
      }
      return sizeLeft < 0 ? tooLarge() : undefined;
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      return ` is a ${object.constructor?.name ?? 'class'} instance (only plain objects, arrays and primitives travel as JSON)`;
    }
    let comma = 0;
    for (const key in object) {
      const child = (object as Record<string, unknown>)[key];
      if (child === undefined) continue; // an absent optional property: JSON drops it, and so does the reader
      sizeLeft -= key.length + 3 + comma; // "key": and the comma before it
      comma = 1;
      const problem = problemIn(child, ancestors);
      if (problem !== undefined) return `.${key}${problem}`;
    }
    return sizeLeft < 0 ? tooLarge() : undefined;
  } finally {
    ancestors.pop();
  }
}

function tooLarge(): string {
  limitHit = 'size';
  return '';
}
