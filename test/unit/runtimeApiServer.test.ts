// The Runtime API endpoint's answers to a runtime client over a real socket: the 202 for an
// invocation's response comes at once to a client that waits for it (AWS's clients), and before
// the next event to a client that polled behind its answer on the same connection; an answer
// that carries its poll (our bootstraps') is answered with the next event instead.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { THEN_NEXT_HEADER } from '../../src/runtime/bootstrap/bootstrapProtocol';
import { RuntimeApiServer, type RuntimeApiEvent, type RuntimeApiOutcome } from '../../src/runtime/environment/runtimeApiServer';

const API = '/2018-06-01/runtime';

function event(requestId: string): RuntimeApiEvent {
  return { requestId, payload: Buffer.from('{"n":1}'), deadlineMs: Date.now() + 3000, invokedFunctionArn: 'arn:x', traceId: 'Root=1-x' };
}

/** A raw connection that records what it receives, in order. */
function connect(endpoint: string): Promise<{ socket: net.Socket; received: () => string }> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(Number(port), host, () => resolve({ socket, received: () => text }));
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
  });
}

const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
};

describe('Runtime API server: acknowledging responses', () => {
  let server: RuntimeApiServer;
  let endpoint: string;
  const outcomes: RuntimeApiOutcome[] = [];

  beforeEach(async () => {
    outcomes.length = 0;
    server = new RuntimeApiServer({ onNext: () => undefined, onOutcome: (o) => outcomes.push(o), onInitError: () => undefined });
    endpoint = await server.listen();
  });
  afterEach(() => server.close());

  const post = (requestId: string, body: string) =>
    `POST ${API}/invocation/${requestId}/response HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const next = `GET ${API}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n`;

  it('answers 202 at once when the client waits for it before polling', async () => {
    const client = await connect(endpoint);
    client.socket.write(next);
    server.deliver(event('r1'));
    await until('the first event', () => statusLines(client.received()).length === 1);
    client.socket.write(post('r1', '"ok"'));
    await until('the 202', () => statusLines(client.received()).length === 2);
    assert.deepEqual(statusLines(client.received()), ['HTTP/1.1 200', 'HTTP/1.1 202']);
    assert.deepEqual(outcomes, [{ kind: 'response', requestId: 'r1', payload: Buffer.from('"ok"'), streamed: false }]);
    client.socket.destroy();
  });

  it('answers a client that polled behind its answer on the same connection in request order: 202, then the next event', async () => {
    const client = await connect(endpoint);
    client.socket.write(next);
    server.deliver(event('r1'));
    await until('the first event', () => statusLines(client.received()).length === 1);
    client.socket.write(post('r1', '"ok"') + next);
    await until('the outcome', () => outcomes.length === 1);
    await until('the poll', () => server.polling);

    server.deliver(event('r2'));
    await until('the 202 and the second event', () => statusLines(client.received()).length === 3);
    assert.deepEqual(statusLines(client.received()), ['HTTP/1.1 200', 'HTTP/1.1 202', 'HTTP/1.1 200']);
    assert.match(client.received(), /Lambda-Runtime-Aws-Request-Id: r2/i);
    client.socket.destroy();
  });

  const postPolling = (requestId: string, body: string) =>
    `POST ${API}/invocation/${requestId}/response HTTP/1.1\r\nHost: x\r\n${THEN_NEXT_HEADER}: 1\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  it('answers a response that carries its poll with the next event, no 202', async () => {
    const client = await connect(endpoint);
    client.socket.write(next);
    server.deliver(event('r1'));
    await until('the first event', () => statusLines(client.received()).length === 1);
    client.socket.write(postPolling('r1', '"ok"'));
    await until('the outcome', () => outcomes.length === 1);
    await until('the poll', () => server.polling);
    assert.deepEqual(outcomes, [{ kind: 'response', requestId: 'r1', payload: Buffer.from('"ok"'), streamed: false }]);

    server.deliver(event('r2'));
    await until('the second event', () => statusLines(client.received()).length === 2);
    assert.deepEqual(statusLines(client.received()), ['HTTP/1.1 200', 'HTTP/1.1 200']);
    assert.match(client.received(), /Lambda-Runtime-Aws-Request-Id: r2/i);
    client.socket.destroy();
  });

  it('takes the poll of an answer for an unknown request id (nothing waits for that answer)', async () => {
    const client = await connect(endpoint);
    client.socket.write(postPolling('never-sent', '"late"'));
    await until('the poll', () => server.polling);
    server.deliver(event('r1'));
    await until('the event', () => statusLines(client.received()).length === 1);
    assert.deepEqual(statusLines(client.received()), ['HTTP/1.1 200']);
    assert.deepEqual(outcomes, []);
    client.socket.destroy();
  });

  it('also answers on a Unix socket in a folder only its user can enter, removed when closed', async function () {
    if (process.platform === 'win32') this.skip();
    const local = new RuntimeApiServer({ onNext: () => undefined, onOutcome: () => undefined, onInitError: () => undefined });
    await local.listen({ localSocket: true });
    const socket = local.localSocket!;
    assert.ok(socket, 'a socket path');
    assert.equal(statSync(path.dirname(socket)).mode & 0o777, 0o700);
    const status = await new Promise<number>((resolve, reject) =>
      http.get({ socketPath: socket, path: '/not-a-route' }, (res) => resolve(res.statusCode!)).on('error', reject),
    );
    assert.equal(status, 404, 'the Runtime API answered on the socket');
    local.close();
    await until('the socket file to go', () => {
      try {
        statSync(socket);
        return false;
      } catch {
        return true;
      }
    });
  });
});
