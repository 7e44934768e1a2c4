// One loopback HTTP listener for a front door, closed gently (in-flight requests get a moment).
// Web pages are legitimate callers of an API (that is what CORS is for), so Origin is not checked;
// the Host is, so a page on a DNS-rebound name cannot reach the loopback server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const CLOSE_GRACE_MS = 1000;

export interface Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(host: string, port: number, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listener> {
  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    if (hostAllowed(req.headers.host, host)) return handle(req, res);
    req.resume();
    const text = `Lambda Lab answers requests addressed to localhost or ${host} only, not to ${req.headers.host}. Bind with --host to serve other names.`;
    res.writeHead(403, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
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

/** Loopback names (and the bound address) always; any name when the user bound every interface. */
function hostAllowed(hostHeader: string | undefined, bindHost: string): boolean {
  if (hostHeader === undefined || bindHost === '0.0.0.0' || bindHost === '::') return true;
  const name = hostHeader
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '::1' || name === bindHost.toLowerCase();
}
