import { createServer } from 'node:net';

/** Tries to listen on host:port; resolves the port actually bound (port 0 picks a free one). */
function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return listenOnce('127.0.0.1', 0);
}

/** True when something already listens on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  try {
    await listenOnce('127.0.0.1', port);
    return false;
  } catch {
    return true;
  }
}
