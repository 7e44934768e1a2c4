// The endpoint the durable execution SDK inside handler processes reaches (their
// AWS_ENDPOINT_URL_LAMBDA): the checkpoint and state operations on a loopback port of the
// runtime's own, so durable functions run under `lambda-lab invoke`, the debugger and the
// extension as well as under `serve`. Handler processes sign with whatever credentials they
// have, and a signature proves nothing locally, so none is required; the Host and Origin checks
// of the Lambda API still apply.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DurableService } from '../durable/durableService';
import { durableSdkRoutes } from './durableRoutes';
import { handle } from './lambdaApiServer';
import { createRequestGuard, type RequestGuard } from './requestGuards';

export interface DurableEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function startDurableEndpoint(durable: DurableService): Promise<DurableEndpoint> {
  const routes = durableSdkRoutes(durable);
  let guard: RequestGuard = () => undefined;
  const server = createServer({ keepAlive: true }, (req, res) => void handle(routes, guard, req, res).catch(() => res.destroy()));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  guard = createRequestGuard({ host: '127.0.0.1', port, allowUnsigned: true });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
