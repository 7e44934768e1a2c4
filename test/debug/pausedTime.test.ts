// Time a debugged invoke spends stopped is part of its Duration, as in Lambda; the invoke's result
// says how much of it, so an editor can show it at once. The adapter runs in this process over a
// runtime the test invokes directly, as the extension runs it inline.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LambdaDebugSession } from '../../src/debug/lambdaDebugSession';
import type { RuntimeHost } from '../../src/debug/runtimeHost';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { useDebugFixture } from './debugFixture';

/** Long enough to tell a counted stop from an uncounted one whatever the machine's load. */
const HOLD_MS = 400;

describe('debug adapter: paused time in invoke results', function () {
  this.timeout(60_000);
  let runtime: LocalRuntime;
  let server: net.Server;
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

  /** Waits at the next stop for HOLD_MS (measured from the stop's event), runs `go`, and answers how long it held. */
  async function holdAt(line: number, go: (threadId: number) => Promise<unknown>): Promise<number> {
    const stop = await h.stopped();
    const threadId = stop.body.threadId!;
    const from = performance.now();
    assert.equal((await h.location(threadId)).line, line);
    await sleep(HOLD_MS);
    const held = performance.now() - from;
    await go(threadId);
    return held;
  }

  it('counts every stop within the invoke (breakpoints and steps) and carries it on the result', async () => {
    await h.configure('attach', { functions: ['Hello'] }, { [app]: [9] });
    const invoke = runtime.invoke('Hello', '{}');
    const atBreakpoint = await holdAt(9, (threadId) => h.dc.nextRequest({ threadId }));
    const afterStep = await holdAt(10, (threadId) => h.dc.continueRequest({ threadId }));
    const result = await invoke;
    assert.ok(result.pausedMs !== undefined, 'no paused time on the result');
    assert.ok(result.pausedMs >= atBreakpoint + afterStep, `paused ${result.pausedMs} ms, held ${atBreakpoint} + ${afterStep} ms`);
    assert.ok(result.pausedMs <= result.durationMs, `paused ${result.pausedMs} ms of a ${result.durationMs} ms duration`);

    await h.dc.setBreakpointsRequest({ source: { path: app }, breakpoints: [] });
    const warm = await runtime.invoke('Hello', '{}');
    assert.equal(warm.environmentId, result.environmentId);
    assert.equal(warm.pausedMs, undefined, 'a warm invoke that never stopped has no paused time');
  });

  it('leaves a stop during init to Init Duration, as Lambda counts it', async () => {
    await h.configure('attach', { functions: ['Hello'] }, { [app]: [3] });
    const invoke = runtime.invoke('Hello', '{}');
    const held = await holdAt(3, (threadId) => h.dc.continueRequest({ threadId }));
    const result = await invoke;
    assert.equal(result.pausedMs, undefined, `a stop in init counted as ${result.pausedMs} ms of the invoke`);
    assert.ok(result.initDurationMs! >= held, `init ${result.initDurationMs} ms, held ${held} ms`);
  });

  it('ends a stop when the session detaches from the stopped process', async () => {
    await h.configure('attach', { functions: ['Hello'] }, { [app]: [9] });
    const invoke = runtime.invoke('Hello', '{}');
    const held = await holdAt(9, () => h.dc.disconnectRequest({}));
    const result = await invoke;
    assert.ok(result.pausedMs! >= held, `paused ${result.pausedMs} ms, held ${held} ms`);
    const next = await runtime.invoke('Hello', '{}');
    assert.equal(next.pausedMs, undefined, 'the stop that detaching ended is not counted again');
  });
});
