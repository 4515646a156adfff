import { CeleriacError } from './celeriac-error.js';

/** The task was revoked (or expired) and will not run, or was aborted while running. */
export class TaskRevokedError extends CeleriacError {
  readonly code = 'REVOKED' as const;

  constructor(readonly taskId: string, readonly reason: string = 'revoked') {
    super(`Task ${taskId} was ${reason === 'expired' ? 'not run: it expired' : 'revoked'}`);
  }
}
