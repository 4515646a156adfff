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

/** No limits beyond what a JSON round trip allows: for checks that only care about types. */
const UNLIMITED: JsonLimits = { maxDepth: Number.POSITIVE_INFINITY, maxSize: Number.POSITIVE_INFINITY };

/**
 * Finds the first part of `value` that would not survive a JSON round trip unchanged, or undefined
 * if it all does. JSON.stringify alone is not enough: it silently turns functions into null, Maps
 * into {}, NaN into null and drops undefined, so a task would run with different arguments.
 * The answer names the part by its path from `path` (e.g. `args[0].when is undefined (use null)`).
 */
export function findNonJson(value: unknown, path = '$', limits: JsonLimits = UNLIMITED): string | undefined {
  return inspectJson(value, path, limits)?.message;
}

/**
 * Walks `value` without recursion (a value nested 100,000 levels deep must get an answer, not a
 * stack overflow), stopping at the first problem: a part JSON cannot carry, a container deeper
 * than `limits.maxDepth`, or more than `limits.maxSize` characters in all. Checked on every
 * enqueue, so a clean value allocates only the walk's stack: paths are built for the answer.
 */
export function inspectJson(value: unknown, path: string, limits: JsonLimits): JsonProblem | undefined {
  const { maxDepth, maxSize } = limits;
  // The containers on the way down (a cycle leads back to one of them), with, for each, its keys
  // (objects only) and the index of the child being walked.
  const containers: object[] = [];
  const keyLists: (string[] | undefined)[] = [];
  const positions: number[] = [];
  // Past a few levels a cycle is looked up in a set, not by scanning the path: a deep value stays linear.
  let onPath: Set<object> | undefined;
  let size = 0;
  let current: unknown = value;
  for (;;) {
    // 1. Look at `current`: a leaf is counted, a container is entered.
    let problem: string | undefined;
    switch (typeof current) {
      case 'string':
        size += current.length + 2;
        break;
      case 'boolean':
        size += 4;
        break;
      case 'number':
        if (!Number.isFinite(current)) problem = ` is ${current} (JSON has no NaN or Infinity)`;
        else size += 1; // a lower bound: digits are not worth counting on every enqueue
        break;
      case 'undefined':
        problem = ' is undefined (use null)';
        break;
      case 'bigint':
        problem = ' is a bigint (pass it as a string)';
        break;
      case 'function':
      case 'symbol':
        problem = ` is a ${typeof current}`;
        break;
      default: {
        if (current === null) {
          size += 4;
          break;
        }
        const object = current as object;
        if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
          size += 2; // Date and friends choose their JSON form (a Date: its ISO string)
          break;
        }
        if (onPath === undefined ? containers.includes(object) : onPath.has(object)) {
          problem = ' is a circular reference';
          break;
        }
        let keys: string[] | undefined;
        if (!Array.isArray(object)) {
          const proto = Object.getPrototypeOf(object) as unknown;
          if (proto !== Object.prototype && proto !== null) {
            problem = ` is a ${object.constructor?.name ?? 'class'} instance (only plain objects, arrays and primitives travel as JSON)`;
            break;
          }
          keys = Object.keys(object);
        }
        if (containers.length >= maxDepth) {
          return { kind: 'depth', message: `${path}${pathOf(containers, keyLists, positions)} is nested more than ${maxDepth} levels deep` };
        }
        size += 2;
        containers.push(object);
        if (onPath !== undefined) onPath.add(object);
        else if (containers.length === 32) onPath = new Set(containers);
        keyLists.push(keys);
        positions.push(-1);
      }
    }
    if (problem !== undefined) return { kind: 'type', message: `${path}${pathOf(containers, keyLists, positions)}${problem}` };
    if (size > maxSize) return { kind: 'size', message: `${path} is larger than ${maxSize} characters of JSON` };

    // 2. Move to the next child of the innermost unfinished container; leave finished ones.
    for (;;) {
      const depth = containers.length - 1;
      if (depth < 0) return undefined;
      const container = containers[depth] as object;
      const keys = keyLists[depth];
      let at = (positions[depth] as number) + 1;
      if (keys === undefined) {
        const array = container as unknown[];
        if (at < array.length) {
          positions[depth] = at;
          if (at > 0) size += 1; // the comma
          current = array[at];
          break;
        }
      } else {
        // An absent optional property: JSON drops it, and so does the reader.
        while (at < keys.length && (container as Record<string, unknown>)[keys[at] as string] === undefined) at++;
        if (at < keys.length) {
          positions[depth] = at;
          const key = keys[at] as string;
          size += key.length + (at > 0 ? 4 : 3); // ,"key":
          current = (container as Record<string, unknown>)[key];
          break;
        }
      }
      const done = containers.pop() as object;
      onPath?.delete(done);
      keyLists.pop();
      positions.pop();
    }
  }
}

/** The path from the root to the child being walked of the innermost container. */
function pathOf(containers: object[], keyLists: (string[] | undefined)[], positions: number[]): string {
  let path = '';
  for (let depth = 0; depth < containers.length; depth++) {
    const keys = keyLists[depth];
    const at = positions[depth] as number;
    path += keys === undefined ? `[${at}]` : `.${keys[at] as string}`;
  }
  return path;
}
