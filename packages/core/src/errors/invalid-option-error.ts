import { CeleriacError } from './celeriac-error.js';

/** An option that is missing, of the wrong type or out of range. Thrown at start-up, naming where and which. */
export class InvalidOptionError extends CeleriacError {
  readonly code = 'INVALID_OPTION' as const;

  constructor(
    readonly where: string,
    readonly option: string,
    problem: string,
  ) {
    super(`${where}: option "${option}" ${problem}`);
  }
}
