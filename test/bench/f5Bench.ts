// F5 → stopped at an init breakpoint, as in the editor: the debug adapter runs in the process
// that holds the runtime, whose template is loaded already (the extension's inline adapter and
// shared runtime), and a DAP client launches the function with a breakpoint on its top-level
// code. Beside it, in the same run, a cold invoke of the same function without a debugger; and
// for reference the same F5 where the waiting processes did not load V8's debugger support
// ahead (as in serve and the CLI), and the standalone adapter (a process of its own, loading the
// template per launch).
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PythonAwareDebugSession } from '../../src/debug/python/pythonDebugSession';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { ADAPTER, copyFixture, ensureAdapterBuilt, removeFixture } from '../debug/debugHarness';
import { failedRow, latencyRow, median, type BenchRow } from './benchTable';

const LAUNCHES = 7;
/** Line of test/fixtures/debug/js/src/app.js with top-level init code. */
const INIT_LINE = 3;
const GOAL = '≤ 2× floor';

/** One launch → stopped, through a fresh DAP connection (`port`) or a fresh standalone adapter process. */
async function launchToInitBreakpoint(dir: string, port?: number): Promise<number> {
  const dc = new DebugClient(process.execPath, ADAPTER, 'lambda-lab');
  dc.defaultTimeout = 30_000;
  await dc.start(port);
  try {
    await dc.initializeRequest({ adapterID: 'lambda-lab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    await dc.setBreakpointsRequest({ source: { path: path.join(dir, 'src/app.js') }, breakpoints: [{ line: INIT_LINE }] });
    await dc.configurationDoneRequest();
    const stopped = dc.waitForEvent('stopped');
    const t0 = performance.now();
    await dc.launchRequest({ function: 'Hello', template: path.join(dir, 'template.yaml') } as DebugProtocol.LaunchRequestArguments);
    await stopped;
    return performance.now() - t0;
  } finally {
    await dc.disconnectRequest({ terminateDebuggee: true }).catch(() => undefined);
    await dc.stop();
  }
}

/** A DAP server in this process whose sessions share `runtime`, as the extension's inline adapter does. */
async function sharedAdapter(runtime: LocalRuntime): Promise<{ port: number; close(): Promise<void> }> {
  const host = { getRuntime: async () => runtime };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // The extension's adapter is inline (no socket): events must not wait on Nagle here either.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    const session = new PythonAwareDebugSession(host);
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** LAUNCHES F5s through an inline adapter sharing `runtime`, each from a stopped function. */
async function sharedLaunches(runtime: LocalRuntime, dir: string): Promise<number[]> {
  const adapter = await sharedAdapter(runtime);
  const shared: number[] = [];
  try {
    for (let i = 0; i < LAUNCHES; i++) {
      await runtime.stopEnvironments('Hello');
      // The same pause as between the floor's cold starts: a debugged start takes a waiting process too.
      await new Promise((ok) => setTimeout(ok, 400));
      shared.push(await launchToInitBreakpoint(dir, adapter.port));
    }
    return shared;
  } finally {
    await adapter.close();
  }
}

export async function runF5Bench(): Promise<BenchRow[]> {
  const name = 'F5 → stopped at init breakpoint (shared runtime, template loaded)';
  ensureAdapterBuilt();
  const dir = copyFixture('js');
  // As the editor's: its waiting processes loaded V8's debugger support ahead.
  const runtime = new LocalRuntime({ watchCode: false, prestartDebugger: true });
  const unwarmed = new LocalRuntime({ watchCode: false });
  try {
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    await unwarmed.loadTemplate(path.join(dir, 'template.yaml'));
    const cold: number[] = [];
    await runtime.invoke('Hello', '{}');
    for (let i = 0; i < LAUNCHES; i++) {
      await runtime.stopEnvironments('Hello');
      // As between a developer's cold starts: the next process has time to start and wait.
      await new Promise((ok) => setTimeout(ok, 400));
      const t0 = performance.now();
      await runtime.invoke('Hello', '{}');
      cold.push(performance.now() - t0);
    }
    const shared = await sharedLaunches(runtime, dir);
    await unwarmed.invoke('Hello', '{}');
    const sharedUnwarmed = await sharedLaunches(unwarmed, dir);
    const standalone: number[] = [];
    for (let i = 0; i < LAUNCHES; i++) standalone.push(await launchToInitBreakpoint(dir));
    return [
      latencyRow('floor: cold invoke without a debugger', cold),
      latencyRow(name, shared, { floor: median(cold), goal: GOAL }),
      latencyRow('  same, waiting processes without the debugger warmed', sharedUnwarmed, {
        floor: median(cold),
        note: 'reference: V8 loads its debugger support at the first Debugger.enable',
      }),
      latencyRow('F5 → stopped at init breakpoint (standalone adapter, template loaded per launch)', standalone, {
        floor: median(cold),
        note: 'reference: the adapter as tests and the CLI start it',
      }),
    ];
  } catch (error) {
    return [failedRow(name, 'ms', error, { goal: GOAL })];
  } finally {
    await runtime.dispose();
    await unwarmed.dispose();
    removeFixture(dir);
  }
}
