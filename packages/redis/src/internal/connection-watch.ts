import type { ConnectionListener } from '@celeriac/core/adapter';
import type { Cluster, Redis } from 'ioredis';

/**
 * Tells `listener` when the command connection is lost (after it had been ready) and when it is
 * ready again: ioredis reconnects by itself and commands wait in its queue meanwhile, so this is
 * how the app learns that the store is unreachable. Each outage is reported once, whatever the
 * number of failed reconnect attempts. Returns a function that stops watching.
 */
export function watchConnection(redis: Redis | Cluster, listener: ConnectionListener): () => void {
  let wasReady = redis.status === 'ready';
  let down = false;
  let lastError: string | undefined;
  const onError = (error: Error) => {
    lastError = error.message;
  };
  const onReady = () => {
    wasReady = true;
    if (!down) return;
    down = false;
    lastError = undefined;
    listener({ connected: true });
  };
  const onClose = () => {
    if (!wasReady || down) return;
    down = true;
    listener(lastError === undefined ? { connected: false } : { connected: false, error: lastError });
  };
  redis.on('error', onError);
  redis.on('ready', onReady);
  redis.on('close', onClose);
  return () => {
    redis.off('error', onError);
    redis.off('ready', onReady);
    redis.off('close', onClose);
  };
}
