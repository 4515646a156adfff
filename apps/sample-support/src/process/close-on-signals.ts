/** Anything the app must close on the way out: the HTTP server, Celeriac, the stores, the database. */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * On SIGINT or SIGTERM, closes `resources` one after another in the order given, so list the
 * outermost first (no new requests, then running tasks finish, then the stores they use). A second
 * signal while they close exits at once with code 1; a failure to close sets the exit code to 1.
 */
export function closeOnSignals(resources: readonly Closable[]): void {
  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) {
      // A second Ctrl-C while work drains: the user does not want to wait.
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: shutting down (again to force)`);
    try {
      for (const resource of resources) await resource.close();
    } catch (error) {
      console.error('shutdown failed:', error);
      process.exitCode = 1;
    }
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
