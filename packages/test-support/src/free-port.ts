import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. The OS picks it (port 0), so parallel test
 * files do not collide; a process could still grab it before we bind, which callers retry on.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe server'));
      });
    });
  });
}
