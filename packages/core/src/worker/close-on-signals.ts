import type { Logger } from '../context/logger.js';
import { serializeError } from '../errors/serialize-error.js';

/**
 * On the first of `signals`: `close()` (the worker, gracefully), then `closeAll()` (the app and its
 * store), so nothing keeps the process alive and it exits. A second signal exits at once. Returns
 * a function that removes the handlers.
 */
export function closeOnSignals(signals: NodeJS.Signals[], logger: Logger, close: () => Promise<void>, closeAll: (() => Promise<void>) | undefined): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (++received > 1) {
      logger.warn(`received ${signal} again: exiting without waiting for running tasks`);
      process.exit(1);
    }
    logger.info(`received ${signal}: closing worker`);
    void close()
      .then(() => closeAll?.())
      .catch((error: unknown) => {
        logger.error('closing after a signal failed', { error: serializeError(error).message });
        process.exitCode = 1;
      });
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
