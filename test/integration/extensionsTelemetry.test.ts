// The Telemetry API's subscription rules and buffering against real HTTP: a subscribe request
// over a socket, a destination server receiving the batches.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelemetryApi, type TelemetryEvent } from '../../src/runtime/environment/telemetryApi';

const EXTENSION_ID = 'ext-id';

describe('Telemetry API subscriptions and buffering (integration)', function () {
  this.timeout(20_000);
  let initializing: boolean;
  let api: TelemetryApi;
  let endpoint: http.Server;
  let destination: http.Server;
  let batches: TelemetryEvent[][];
  let port: number;

  beforeEach(async () => {
    initializing = true;
    batches = [];
    api = new TelemetryApi({ extensionName: (id) => (id === EXTENSION_ID ? 'probe-ext' : undefined), initializing: () => initializing });
    endpoint = http.createServer((req, res) => {
      if (!api.route(req, res)) res.writeHead(404).end();
    });
    destination = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        batches.push(JSON.parse(body));
        res.end();
      });
    });
    await Promise.all([listen(endpoint), listen(destination)]);
    port = (destination.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await api.close();
    endpoint.closeAllConnections();
    endpoint.close();
    destination.closeAllConnections();
    destination.close();
  });

  const subscribe = (body: object, id = EXTENSION_ID) =>
    request(endpoint, '/2022-07-01/telemetry', { 'Lambda-Extension-Identifier': id }, JSON.stringify(body));
  const valid = (buffering: object = {}) => ({
    schemaVersion: '2022-12-13',
    types: ['platform'],
    buffering,
    destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}/` },
  });

  it('refuses subscriptions Lambda refuses, naming the field', async () => {
    const tooShort = await subscribe(valid({ timeoutMs: 10 }));
    assert.equal(tooShort.status, 400);
    assert.match(JSON.parse(tooShort.body).errorMessage, /buffering.timeoutMs must be an integer from 25 to 30000/);
    const tcp = await subscribe({ ...valid(), destination: { protocol: 'TCP', URI: `http://sandbox.localdomain:${port}` } });
    assert.equal(tcp.status, 400);
    assert.match(JSON.parse(tcp.body).errorMessage, /destination.protocol "TCP" is not supported locally/);
    const remote = await subscribe({ ...valid(), destination: { protocol: 'HTTP', URI: 'http://example.com:80/' } });
    assert.equal(remote.status, 400);
    const badTypes = await subscribe({ ...valid(), types: ['platform', 'metrics'] });
    assert.equal(badTypes.status, 400);
    assert.equal((await subscribe(valid(), 'someone-else')).status, 403);
    initializing = false;
    const late = await subscribe(valid());
    assert.equal(late.status, 403);
    assert.equal(JSON.parse(late.body).errorType, 'Extension.SubscriptionClosed');
  });

  it('sends a batch when maxItems is reached, and the rest only on its timer or at shutdown', async () => {
    const ok = await subscribe(valid({ maxItems: 1000, timeoutMs: 30_000 }));
    assert.deepEqual(ok, { status: 200, body: 'OK' });
    initializing = false;
    // The subscription's own platform.telemetrySubscription is the first item.
    for (let i = 1; i < 1000; i++) api.emit('platform', 'platform.test', { i });
    await until(() => batches.length === 1);
    assert.equal(batches[0].length, 1000);
    assert.equal(batches[0][0].type, 'platform.telemetrySubscription');
    assert.deepEqual(batches[0][999].record, { i: 999 });
    for (let i = 0; i < 5; i++) api.emit('platform', 'platform.test', { i });
    api.emit('function', 'function', 'not subscribed');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(batches.length, 1, 'the 5 wait for their 30 s timer');
    await api.close();
    assert.equal(batches.length, 2);
    assert.deepEqual(
      batches[1].map((e) => e.record),
      [0, 1, 2, 3, 4].map((i) => ({ i })),
    );
  });

  it('holds batches while the environment is frozen and sends them once it is thawed', async () => {
    await subscribe(valid({ timeoutMs: 25 }));
    initializing = false;
    await until(() => batches.length === 1);
    api.pause();
    api.emit('platform', 'platform.report', { requestId: 'r1' });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(batches.length, 1, 'nothing is sent to a frozen subscriber');
    api.resume();
    await until(() => batches.length === 2);
    assert.deepEqual(batches[1][0].record, { requestId: 'r1' });
  });

  it('sends on timeoutMs, and replays init events to a subscriber that joins during init', async () => {
    api.emit('platform', 'platform.initStart', { phase: 'init' });
    await subscribe(valid({ timeoutMs: 25 }));
    await until(() => batches.length === 1);
    assert.deepEqual(
      batches[0].map((e) => e.type),
      ['platform.initStart', 'platform.telemetrySubscription'],
    );
  });
});

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function request(
  server: http.Server,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'PUT', headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), 'condition not met within 5 s');
}
