// Standalone entry (out/debugAdapter.js): one session over stdio, or with --server=PORT a TCP
// server giving each connection its own session and runtime.
import * as net from 'node:net';
import { PythonAwareDebugSession as LambdaDebugSession } from './python/pythonDebugSession';
import { StandaloneRuntimeHost } from './runtimeHost';

const portArg = process.argv.slice(2).find((a) => a.startsWith('--server='));
const port = portArg ? Number(portArg.slice('--server='.length)) : undefined;

if (port !== undefined) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--server needs a port number between 0 and 65535 (got "${portArg}").`);
    process.exit(2);
  }
  const server = net.createServer((socket) => {
    // Events come in bursts (thread started, then stopped): without this the second waits for the client's delayed ACK.
    socket.setNoDelay(true);
    const session = new LambdaDebugSession(new StandaloneRuntimeHost());
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  server.listen(port, '127.0.0.1', () => {
    const address = server.address() as net.AddressInfo;
    console.error(`Lambda Lab debug adapter listening on 127.0.0.1:${address.port}`);
  });
} else {
  const host = new StandaloneRuntimeHost();
  const session = new LambdaDebugSession(host);
  process.on('SIGTERM', () => {
    void host.dispose().finally(() => process.exit(0));
  });
  session.start(process.stdin, process.stdout);
}
