import { CliError, EXIT_CODES, type ExitCode } from './exit-codes.js';

/**
 * Where a command's output goes. Results go to stdout: text for people by default, one JSON
 * document with `--json` (so `celeriac status <id> --json | jq .state` works). Errors, warnings and
 * progress go to stderr, so stdout stays parseable.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** The command's result: `human()` as text, or `data` as JSON. */
  result(data: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
  }

  /** One line of a stream of results (the worker's ready line): a JSON line with `--json`. */
  line(data: unknown, human: string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${human}\n`);
  }

  /** A line for scripts only (`--json`): nothing for people, who read the logs instead. */
  script(data: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(data)}\n`);
  }

  /** A note for people on stderr (never part of the result). */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** Prints an error as people or scripts read it, and returns the exit code it stands for. */
  error(error: unknown): ExitCode {
    if (error instanceof CliError) {
      this.stderr.write(this.json ? `${JSON.stringify({ error: { reason: error.reason, message: error.message, ...error.details } })}\n` : `celeriac: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    if (this.json) {
      this.stderr.write(`${JSON.stringify({ error: { reason: 'error', message, ...(typeof code === 'string' ? { code } : {}) } })}\n`);
    } else {
      this.stderr.write(`celeriac: ${message}\n`);
      if (error instanceof Error && error.stack !== undefined && process.env.CELERIAC_DEBUG === '1') this.stderr.write(`${error.stack}\n`);
    }
    return EXIT_CODES.ERROR;
  }
}

/** JSON for people: compact when short, indented when long. */
export function showJson(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) return String(value);
  return compact.length <= 80 ? compact : JSON.stringify(value, null, 2);
}

/** A table of rows under a header, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
