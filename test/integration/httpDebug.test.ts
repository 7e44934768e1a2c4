// Debugging requests that come through an API route: the debug adapter shares the runtime the
// front doors invoke, so an HTTP client's request stops at a breakpoint, and the gateway's
// integration timeout does not fire while the function is paused.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LambdaDebugSession } from '../../src/debug/lambdaDebugSession';
import type { RuntimeHost } from '../../src/debug/runtimeHost';
import { HttpFrontDoors } from '../../src/runtime/http/frontDoors';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DebugHarness, ensureAdapterBuilt } from '../debug/debugHarness';
import { TEMPLATE } from '../fixtures/http/httpHarness';

describe('HTTP front doors: debugging a request from an HTTP client (integration)', function () {
  this.timeout(60_000);
  let stateDir: string;
  let runtime: LocalRuntime;
  let doors: HttpFrontDoors;
  let server: net.Server;
  let h: DebugHarness;

  before(async () => {
    ensureAdapterBuilt();
    stateDir = mkdtempSync(path.join(tmpdir(), 'lambda-lab-http-debug-'));
    runtime = new LocalRuntime({ stateDir, watchCode: false });
    await runtime.loadTemplate(TEMPLATE);
    doors = await HttpFrontDoors.start(runtime, { port: 0 });
    const host: RuntimeHost = { getRuntime: async () => runtime };
    server = net.createServer((socket) => {
      const session = new LambdaDebugSession(host);
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    h = await DebugHarness.start((server.address() as net.AddressInfo).port);
  });
  after(async () => {
    await h?.stop();
    server?.close();
    await doors?.close();
    await runtime?.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('stops at the breakpoint and answers after continue, past the 50 ms integration timeout', async () => {
    const handler = path.join(path.dirname(TEMPLATE), 'src/debuggable.js');
    await h.configure('attach', { functions: ['DebuggableFunction'] }, { [handler]: [3] });
    const api = doors.apiServers().find((s) => s.config.logicalId === 'HttpApi')!.url;
    const response = fetch(`${api}/debug/ada`);
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 3);
    // Paused four times the route's TimeoutInMillis: the gateway's timer has fired meanwhile.
    await new Promise((r) => setTimeout(r, 200));
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    const res = await response;
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello ada');
  });
});
