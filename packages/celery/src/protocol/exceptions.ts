import type { SerializedError } from '@celeriac/core';

/** An exception as Celery's JSON result backend stores it. */
export interface CeleryException {
  exc_type: string;
  /** The exception's `args`: Python rebuilds it as `cls(*exc_message)`. */
  exc_message: unknown[];
  exc_module: string;
}

/**
 * A Celeriac error as Python reads it. The module is `builtins`, so a Node error named like a
 * Python built-in (`TypeError`, `ValueError`, `KeyError`…) is that class in Python and
 * `except ValueError` catches it; any other name becomes a class of that name Celery creates.
 * JavaScript's plain `Error` is Python's `Exception`.
 */
export function toCeleryException(error: SerializedError): CeleryException {
  return { exc_type: error.type === 'Error' ? 'Exception' : error.type, exc_message: [error.message], exc_module: 'builtins' };
}

/** A Python exception from a Celery result (`result` and `traceback`) as a Celeriac error. */
export function fromCeleryException(value: unknown, traceback: unknown): SerializedError {
  const exc = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof CeleryException, unknown>>;
  const type = typeof exc.exc_type === 'string' ? exc.exc_type : 'Exception';
  const error: SerializedError = { type, message: exceptionMessage(exc.exc_message ?? value) };
  if (typeof exc.exc_module === 'string' && exc.exc_module !== 'builtins') error.code = `${exc.exc_module}.${type}`;
  if (typeof traceback === 'string') error.stack = traceback;
  return error;
}

/** `str(exc)` as Python gives it: the one argument itself, else the tuple of them. */
function exceptionMessage(args: unknown): string {
  if (typeof args === 'string') return args;
  if (Array.isArray(args) && args.length === 1) return typeof args[0] === 'string' ? args[0] : String(JSON.stringify(args[0]));
  if (Array.isArray(args) && args.length === 0) return '';
  return String(JSON.stringify(args));
}
