// Breakpoints in a durable function across replays: they bind in every invocation; one inside a
// step that completed before is not hit again (the SDK returns the checkpointed result), as on
// Lambda. The adapter shares the test's runtime, as the extension runs it.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { LambdaDebugSession } from '../../src/debug/lambdaDebugSession';
import type { RuntimeHost } from '../../src/debug/runtimeHost';
import type { LocalRuntime } from '../../src/runtime/localRuntime';
import { durableRuntime, hasNode22, tempState } from '../fixtures/durable/durableHarness';
import { DebugHarness, ensureAdapterBuilt, removeFixture } from './debugHarness';

describe('debug adapter: durable functions across replays', function () {
  this.timeout(90_000);
  const source = path.join(__dirname, '..', 'fixtures', 'durable', 'src', 'debugged.js');
  let dir: string;
  let runtime: LocalRuntime;
  let server: net.Server;
  let h: DebugHarness;

  before(async function () {
    if (!hasNode22()) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22); run scripts/installRic.sh');
      this.skip();
    }
    ensureAdapterBuilt();
    dir = tempState();
    runtime = await durableRuntime(dir);
    const host: RuntimeHost = { getRuntime: async () => runtime };
    server = net.createServer((socket) => {
      const session = new LambdaDebugSession(host);
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    h = await DebugHarness.start((server.address() as net.AddressInfo).port);
  });
  after(async () => {
    await h?.stop();
    server?.close();
    await runtime?.dispose();
    if (dir) removeFixture(dir);
  });

  it('stops inside the step in the first invocation only, and after the wait in the replay', async () => {
    await h.configure('attach', { functions: ['Debugged'] }, { [source]: [6, 9] });
    let arn = '';
    const invoke = runtime.invoke('Debugged', '{}', { onDurableExecution: (a) => (arn = a) });
    const first = await h.stopped();
    assert.equal((await h.location(first.body.threadId!)).line, 6);
    await h.dc.continueRequest({ threadId: first.body.threadId! });
    const replay = await h.stopped();
    assert.equal((await h.location(replay.body.threadId!)).line, 9, 'the replay passes the completed step without stopping in it');
    await h.dc.continueRequest({ threadId: replay.body.threadId! });
    const result = await invoke;
    assert.equal(result.payload.toString(), '"one!"');
    const record = await runtime.durable.get(arn);
    assert.equal(record.invocations, 2);
  });

  it('names the execution and the replay on the thread, and lists the operations so far in a "Durable history" scope', async () => {
    await h.configure('attach', { functions: ['Debugged'] }, { [source]: [6, 9] });
    let arn = '';
    const invoke = runtime.invoke('Debugged', '{}', { onDurableExecution: (a) => (arn = a) });
    const durableScope = async (threadId: number) => {
      const frame = await h.topFrame(threadId);
      const scopes = (await h.dc.scopesRequest({ frameId: frame.id })).body.scopes;
      const scope = scopes.find((s) => s.name === 'Durable history');
      assert.ok(scope, `a Durable history scope among ${scopes.map((s) => s.name).join(', ')}`);
      const vars = (await h.dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
      return new Map(vars.map((v) => [v.name, v]));
    };
    const threadName = async (threadId: number) => (await h.dc.threadsRequest()).body.threads.find((t) => t.id === threadId)?.name ?? '';

    const first = await h.stopped();
    const name = (await runtime.durable.get(arn)).DurableExecutionName;
    assert.equal(await threadName(first.body.threadId!), `Debugged $LATEST #1 · durable ${name} · first run`);
    const before = await durableScope(first.body.threadId!);
    assert.equal(before.get('execution')?.value, name);
    assert.equal(before.get('invocation')?.value, '1 (first run)');
    assert.equal(before.get('replaying')?.value, 'false');
    assert.ok(!before.has('pause'), 'the wait has not started in the first stop');
    await h.dc.continueRequest({ threadId: first.body.threadId! });

    const replay = await h.stopped();
    assert.match(await threadName(replay.body.threadId!), new RegExp(`· durable ${name} · replay 1$`));
    const after = await durableScope(replay.body.threadId!);
    assert.equal(after.get('invocation')?.value, '2 (replay 1)');
    assert.equal(after.get('replaying')?.value, 'true');
    assert.equal(after.get('first')?.value, 'step · SUCCEEDED · → "one"');
    assert.equal(after.get('pause')?.value, 'wait · SUCCEEDED');
    const step = (await h.dc.variablesRequest({ variablesReference: after.get('first')!.variablesReference })).body.variables;
    assert.deepEqual(
      step.filter((v) => ['type', 'status', 'attempts', 'result'].includes(v.name)).map((v) => `${v.name}=${v.value}`),
      ['type=STEP', 'status=SUCCEEDED', 'attempts=1', 'result="one"'],
    );
    const wait = (await h.dc.variablesRequest({ variablesReference: after.get('pause')!.variablesReference })).body.variables;
    assert.equal(wait.find((v) => v.name === 'detail')?.value, '600 s', 'the wait shows the duration the code asked for');
    await h.dc.continueRequest({ threadId: replay.body.threadId! });
    assert.equal((await invoke).payload.toString(), '"one!"');
  });
});
