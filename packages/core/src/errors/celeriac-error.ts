/** Base of every error Celeriac throws or stores. `code` is stable across releases: match on it, not on messages. */
export abstract class CeleriacError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
