import { CommanderError } from 'commander';
import { outcome } from './context.js';
import { CliError, EXIT_CODES, type ExitCode } from './exit-codes.js';
import { Output } from './output.js';
import { buildProgram } from './program.js';

/** Runs `celeriac` with `argv` (as `process.argv`: node, script, then the arguments); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const program = buildProgram();
  const args = argv.slice(2);
  if (args.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_CODES.USAGE;
  }
  outcome.code = undefined;
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help / version, exit code 0).
      return error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
    }
    return new Output(args.includes('--json')).error(asCliError(error));
  }
  return outcome.code ?? EXIT_CODES.OK;
}

/** Core errors whose meaning the CLI knows, recognised by name (the app's copy of core may differ from ours). */
function asCliError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof CliError) return error;
  if (error.name === 'InvalidOptionError') return new CliError('usage', error.message);
  return error;
}
