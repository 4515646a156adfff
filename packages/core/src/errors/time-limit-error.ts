import { CeleriacError } from './celeriac-error.js';

/** A task ran past its time limit (`timeLimit` fails it; `softTimeLimit` only aborts its signal). */
export class TimeLimitExceededError extends CeleriacError {
  readonly code = 'TIME_LIMIT_EXCEEDED' as const;

  constructor(readonly limitMs: number, readonly kind: 'hard' | 'soft' = 'hard') {
    super(`Task exceeded its ${kind} time limit of ${limitMs} ms`);
  }
}
