import { InvalidOptionError } from '../errors/invalid-option-error.js';

/**
 * What a method decorator was applied to, whichever decorator world called it. TypeScript's
 * legacy decorators (`experimentalDecorators`, NestJS's default) call `(target, key, descriptor)`;
 * standard TC39 decorators (TypeScript 5+'s default) call `(value, context)`. The two are told
 * apart by the second argument: a key (string or symbol) or a context object with a `kind`.
 */
export interface DecoratedMethod {
  /** The method function: metadata is stored on it, so both worlds read it the same way. */
  readonly method: (...args: unknown[]) => unknown;
  readonly key: string;
  /**
   * `ClassName.method` when the class is known at decoration time (legacy), otherwise the bare
   * method name (TC39 gives no class to a method decorator; the name is resolved at register time).
   */
  readonly label: string;
}

interface Tc39Context {
  kind: string;
  name: string | symbol;
  static?: boolean;
  private?: boolean;
}

const isTc39Context = (value: unknown): value is Tc39Context =>
  typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string' && 'name' in value;

/** Normalizes a decorator call or throws an `InvalidOptionError` naming the real misuse. */
export function decoratedMethod(decorator: string, args: readonly unknown[]): DecoratedMethod {
  const [first, second, third] = args;
  if (isTc39Context(second)) {
    const key = String(second.name);
    const where = `${decorator} on ${key}`;
    if (second.kind !== 'method') {
      throw new InvalidOptionError(where, 'target', `is a ${second.kind}, not a method (getters, setters, fields and classes cannot be tasks)`);
    }
    if (second.static === true) {
      throw new InvalidOptionError(where, 'target', 'is a static method: decorate an instance method, or use app.task(options, fn) for plain functions');
    }
    if (second.private === true) {
      throw new InvalidOptionError(where, 'target', 'is a #private method: the registry cannot reach it, use an ordinary method');
    }
    return { method: first as (...args: unknown[]) => unknown, key, label: key };
  }
  if ((typeof second === 'string' || typeof second === 'symbol') && (typeof first === 'object' || typeof first === 'function') && first !== null) {
    const className = typeof first === 'function' ? first.name : (first as object).constructor.name;
    const key = String(second);
    const label = `${className}.${key}`;
    const where = `${decorator} on ${label}`;
    if (typeof first === 'function') {
      throw new InvalidOptionError(where, 'target', 'is a static method: decorate an instance method, or use app.task(options, fn) for plain functions');
    }
    const value = (third as PropertyDescriptor | undefined)?.value;
    if (typeof value !== 'function') {
      throw new InvalidOptionError(where, 'target', 'is not a method (getters, setters and fields cannot be tasks)');
    }
    return { method: value as (...args: unknown[]) => unknown, key, label };
  }
  throw new InvalidOptionError(
    decorator,
    'target',
    `was called with (${args.map((a) => typeof a).join(', ')}), which is neither a legacy (target, key, descriptor) nor a standard (value, context) method decorator call: apply it to a class method as ${decorator.replace('()', '(…)')}`,
  );
}

/**
 * The decorator misused as `@task` instead of `@task()`: the first argument is then the class or
 * method, not options. Caught here so the error says so rather than "unknown option".
 */
export function assertCalledWithParentheses(decorator: string, options: unknown, extra: number): void {
  if (typeof options === 'function' || extra > 0) {
    throw new InvalidOptionError(decorator, 'options', `was given a ${typeof options === 'function' ? 'function' : 'class member'}: write ${decorator} with parentheses`);
  }
}
