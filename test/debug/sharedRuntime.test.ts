// The adapter sharing a runtime with other invokers, as the extension runs it inline: invokes
// from outside the session stop at breakpoints; detaching leaves environments running without
// the debugger; terminating a launch ends its environments.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { LambdaDebugSession } from '../../src/debug/lambdaDebugSession';
import type { RuntimeHost } from '../../src/debug/runtimeHost';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: sharing a runtime', function () {
  this.timeout(60_000);
  let runtime: LocalRuntime;
  let server: net.Server;
  // The adapter runs in this process, over a runtime the test invokes directly.
  const { dir, h } = useDebugFixture('js', {
    copyPerTest: true,
    serve: async (d) => {
      runtime = new LocalRuntime();
      await runtime.loadTemplate(path.join(d, 'template.yaml'));
      const host: RuntimeHost = { getRuntime: async () => runtime };
      server = net.createServer((socket) => {
        const session = new LambdaDebugSession(host);
        session.setRunAsServer(true);
        session.start(socket, socket);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    },
    cleanup: async () => {
      server.close();
      await runtime.dispose();
    },
  });
  const app = path.join(dir, 'src/app.js');

  it('stops invokes made outside the session, and detaching leaves the environment serving undebugged', async () => {
    await h.configure('attach', { functions: ['Hello'] }, { [app]: [7] });
    const invoke = runtime.invoke('Hello', JSON.stringify({ name: 'outside' }));
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 7);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    const first = await invoke;
    await h.dc.disconnectRequest({});

    const after = await runtime.invoke('Hello', '{}'); // would wait at the breakpoint if still debugged
    assert.equal(after.environmentId, first.environmentId, 'the same environment goes on serving');
    assert.equal(JSON.parse(after.payload.toString()).invocations, 2);
  });

  it('terminating a launch ends the environments it started', async () => {
    await h.configure('launch', { function: 'Hello', invocations: 0 });
    await runtime.invoke('Hello', '{}');
    assert.equal(runtime.environments('Hello').length, 1);
    await h.dc.terminateRequest({});
    await h.next('terminated');
    assert.deepEqual(
      runtime.environments('Hello').filter((e) => e.state !== 'stopped'),
      [],
    );
  });
});
