/**
 * The exit codes of `celeriac`, one per kind of outcome, so a script can tell them apart. They are
 * part of the public API: never renumber one.
 */
export const EXIT_CODES = {
  /** The command did what was asked. */
  OK: 0,
  /** Something unexpected failed (the store is unreachable, a bug): the message says what. */
  ERROR: 1,
  /** Unknown command or option, a bad option value, malformed JSON arguments. */
  USAGE: 2,
  /** The app could not be loaded: no `--app` or config, module missing, no Celeriac app exported, it threw on import. */
  APP: 3,
  /** What was named does not exist: a task id never enqueued (or expired), a dead letter, a task name. */
  NOT_FOUND: 4,
  /** `call --wait`: the task ended in FAILURE. */
  TASK_FAILED: 5,
  /** `call --wait`: the task was revoked (or expired) before it finished. */
  TASK_REVOKED: 6,
  /** `call --wait --timeout`: the task had not finished in time (it goes on running). */
  TIMEOUT: 7,
  /** `call`: no live worker serves the task, so nothing was enqueued. */
  NO_WORKER: 8,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
export type ExitReason = Lowercase<keyof typeof EXIT_CODES>;

/** An error the CLI expects and explains: printed without a stack, the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    readonly reason: Exclude<ExitReason, 'ok'>,
    message: string,
    /** Extra data for `--json` output (e.g. the task id). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CliError';
  }

  get exitCode(): ExitCode {
    return EXIT_CODES[this.reason.toUpperCase() as keyof typeof EXIT_CODES];
  }
}
