import { CeleriacError } from './celeriac-error.js';

/** A state change the state machine forbids, e.g. SUCCESS → STARTED. */
export class InvalidTransitionError extends CeleriacError {
  readonly code = 'INVALID_TRANSITION' as const;

  constructor(
    readonly from: string | null,
    readonly to: string,
    detail?: string,
  ) {
    super(detail ?? `Invalid task state transition ${from ?? '(none)'} → ${to}`);
  }
}
