// One loopback HTTP listener for a front door, closed gently (in-flight requests get a moment).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const CLOSE_GRACE_MS = 1000;

export interface Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  host: string,
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Listener> {
  const server: Server = createServer({ keepAlive: true }, handle);
  // Streamed responses may run for 15 minutes; idle keep-alive sockets outlive the clients'.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}
