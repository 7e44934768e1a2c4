// Python environments as threads of the one debug session, through debugpy: breakpoints in
// module-level code hit on every cold start, handler breakpoints on warm invokes, two
// environments at once, exceptions, variables and evaluation. The fixture's project runs
// Debian's python3 through a virtual environment that sees its packages (debugpy).
import * as assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebugHarness, ensureAdapterBuilt } from './debugHarness';
import { debugpyMissing, pythonProjectWithVenv } from './pythonProject';

describe('debug adapter: Python functions', function () {
  this.timeout(90_000);
  let dir: string;
  let app: string;
  let h: DebugHarness;

  before(function () {
    const missing = debugpyMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    ensureAdapterBuilt();
  });
  beforeEach(async () => {
    dir = pythonProjectWithVenv();
    app = path.join(dir, 'src', 'app.py');
    h = await DebugHarness.start();
  });
  afterEach(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = (fn: string, breakpoints: Record<string, Array<number | DebugProtocol.SourceBreakpoint>>, filters: string[] = []) =>
    h.configure('launch', { function: fn, template: path.join(dir, 'template.yaml'), cwd: dir, invocations: 0 }, breakpoints, filters);

  it('stops in module-level code on two successive cold starts, before init runs', async () => {
    await launch('Hello', { [app]: [4] });
    const [unbound] = h.breakpoints.get(app)!;
    assert.equal(unbound.verified, false);
    // Said in the answer, or in a change event once launch knows the function (whichever came first).
    const expected = /^Binds when Hello loads this file \(next cold start\)\.$/;
    if (!expected.test(unbound.message ?? '')) {
      const told = await h.next<DebugProtocol.BreakpointEvent>(
        'breakpoint',
        (e) => e.body.breakpoint.id === unbound.id && !e.body.breakpoint.verified,
      );
      assert.match(told.body.breakpoint.message ?? '', expected);
    }

    const threadIds: number[] = [];
    for (const round of [1, 2]) {
      const invoked = h.invoke({ name: `cold ${round}` });
      const init = await h.stopped();
      assert.equal(init.body.reason, 'breakpoint');
      assert.deepEqual(await h.location(init.body.threadId!), { file: app, line: 4, name: '<module>' });
      if (round === 1) {
        const bound = await h.next<DebugProtocol.BreakpointEvent>(
          'breakpoint',
          (e) => e.body.breakpoint.id === unbound.id && !!e.body.breakpoint.verified,
        );
        assert.equal(bound.body.breakpoint.line, 4);
      }
      const names = (await h.dc.threadsRequest()).body.threads.filter((t) => t.id === init.body.threadId).map((t) => t.name);
      assert.deepEqual(names, [`Hello $LATEST #${round}`]);
      // Held at line 4: GREETING (line 3) is set, loaded_at (line 4) is not yet.
      const module = await h.locals((await h.topFrame(init.body.threadId!)).id);
      assert.equal(module.get('GREETING')?.value, "'hi'");
      assert.equal(module.has('loaded_at'), false);
      await h.dc.continueRequest({ threadId: init.body.threadId! });
      const result = await invoked;
      assert.deepEqual(JSON.parse(result.body.payload), { message: `hi cold ${round}`, loaded: 'init' });
      assert.equal(result.body.cold, true);
      threadIds.push(init.body.threadId!);
      // An edit retires the warm environment: the next invoke is a cold start again.
      const exited = h.next<DebugProtocol.ThreadEvent>(
        'thread',
        (e) => e.body.reason === 'exited' && e.body.threadId === init.body.threadId,
      );
      appendFileSync(app, `# edit ${round}\n`);
      await exited;
    }
    assert.notEqual(threadIds[0], threadIds[1], 'each cold start is its own thread');
  });

  it('stops in the handler on cold and warm invokes, with locals, evaluation and stepping', async () => {
    await launch('Hello', { [app]: [9] });
    for (const kind of ['cold', 'warm']) {
      const invoked = h.invoke({ name: kind });
      const stop = await h.stopped();
      const frame = await h.topFrame(stop.body.threadId!);
      assert.deepEqual([frame.source?.path, frame.line, frame.name], [app, 9, 'handler']);
      const locals = await h.locals(frame.id);
      assert.equal(locals.get('name')?.value, `'${kind}'`);
      const evaluated = await h.dc.evaluateRequest({ expression: 'name.upper() + GREETING', frameId: frame.id, context: 'repl' });
      assert.equal(evaluated.body.result, `'${kind.toUpperCase()}hi'`);
      await h.dc.nextRequest({ threadId: stop.body.threadId! });
      const stepped = await h.stopped();
      assert.equal(stepped.body.reason, 'step');
      assert.equal((await h.location(stepped.body.threadId!)).line, 10);
      await h.dc.continueRequest({ threadId: stepped.body.threadId! });
      const result = await invoked;
      assert.equal(result.body.cold, kind === 'cold');
    }
  });

  it('binds a breakpoint set while an environment is warm, and stops there on the next invoke', async () => {
    await launch('Hello', {});
    assert.equal((await h.invoke({ name: 'first' })).body.cold, true);
    const set = await h.dc.setBreakpointsRequest({ source: { path: app }, breakpoints: [{ line: 9 }] });
    assert.deepEqual(
      set.body.breakpoints.map((b) => [b.verified, b.line]),
      [[true, 9]],
    );
    const invoked = h.invoke({ name: 'second' });
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 9);
    await h.dc.setBreakpointsRequest({ source: { path: app }, breakpoints: [] });
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    assert.equal((await invoked).body.cold, false);
    // Removed: the third invoke runs through.
    assert.equal(JSON.parse((await h.invoke({ name: 'third' })).body.payload).message, 'hi third');
  });

  it('runs the function undebugged, saying why, when its interpreter has no debugpy', async () => {
    // This test's project: afterEach removes it once the session has ended.
    rmSync(dir, { recursive: true, force: true });
    dir = pythonProjectWithVenv(false);
    await h.configure(
      'launch',
      { function: 'Hello', template: path.join(dir, 'template.yaml'), cwd: dir, invocations: 1, payload: { name: 'plain' } },
      {
        [path.join(dir, 'src', 'app.py')]: [9],
      },
    );
    await h.next('terminated');
    const outputs = h.outputs().join('');
    assert.match(outputs, /LAMBDA_LAB_WAIT_FOR_DEBUGGER=1 but debugpy is not installed for .*\.venv\/bin\/python3: install it/);
    assert.match(outputs, /returned: \{"message": "hi plain"/);
    assert.equal(h.count('stopped'), 0);
  });

  it("suspends the function's timeout while it is paused", async () => {
    await launch('Quick', { [app]: [9] });
    const invoked = h.invoke({ name: 'patient' });
    const stop = await h.stopped();
    const from = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past Timeout: 1
    const held = performance.now() - from;
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    const result = await invoked;
    assert.equal(result.body.functionError, undefined, result.body.payload);
    assert.equal(JSON.parse(result.body.payload).message, 'hello patient');
    assert.ok(result.body.pausedMs >= held, `paused ${result.body.pausedMs} ms, held ${held} ms`);
  });

  it('pauses a running Python environment on request, in its own code', async () => {
    await launch('Waits', {});
    const invoked = h.invoke({ seconds: 3 });
    const started = await h.next<DebugProtocol.ThreadEvent>('thread', (e) => e.body.reason === 'started');
    await new Promise((resolve) => setTimeout(resolve, 800)); // init done, the handler sleeping
    await h.dc.pauseRequest({ threadId: started.body.threadId });
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'pause');
    assert.equal(stop.body.threadId, started.body.threadId);
    const where = await h.location(stop.body.threadId!);
    assert.deepEqual([where.file, where.name], [app, 'waits']);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    assert.equal(JSON.parse((await invoked).body.payload), 'done waiting');
  });

  it('never stops in the bootstrap: stepping out of the handler, with all exceptions on, runs to the next invoke', async () => {
    await launch('Hello', { [app]: [10] }, ['all']);
    const invoked = h.invoke({ name: 'out' });
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 10);
    await h.dc.stepOutRequest({ threadId: stop.body.threadId! });
    assert.equal(JSON.parse((await invoked).body.payload).message, 'hi out');
    const second = h.invoke({ name: 'again' });
    const next = await h.stopped();
    assert.deepEqual(
      await h.location(next.body.threadId!),
      { file: app, line: 10, name: 'handler' },
      'the step ended in user code: the next invoke',
    );
    await h.dc.continueRequest({ threadId: next.body.threadId! });
    await second;
    assert.equal(h.count('stopped'), 2);
  });

  it('honours conditions, hit counts and logpoints', async () => {
    await launch('Hello', {
      [app]: [
        { line: 8, logMessage: 'invoked for {event.get("name")}' },
        { line: 9, condition: 'name == "second"' },
        { line: 10, hitCondition: '2' },
      ],
    });
    assert.equal(JSON.parse((await h.invoke({ name: 'first' })).body.payload).message, 'hi first');
    const invoked = h.invoke({ name: 'second' });
    const conditional = await h.stopped();
    assert.equal((await h.location(conditional.body.threadId!)).line, 9);
    await h.dc.continueRequest({ threadId: conditional.body.threadId! });
    const hit = await h.stopped();
    assert.equal((await h.location(hit.body.threadId!)).line, 10, 'line 10 stops on its second hit');
    await h.dc.continueRequest({ threadId: hit.body.threadId! });
    await invoked;
    const logged = h.outputs().filter((o) => o.startsWith('invoked for '));
    assert.deepEqual(
      logged.map((o) => o.trim()),
      ['invoked for first', 'invoked for second'],
    );
  });

  it('runs two environments at once, each a thread stopped at its own breakpoint hit', async () => {
    await launch('Hello', { [app]: [9] });
    const invokes = [h.invoke({ name: 'a' }), h.invoke({ name: 'b' })];
    const stops = [await h.stopped(), await h.stopped()];
    const ids = stops.map((s) => s.body.threadId!);
    assert.notEqual(ids[0], ids[1]);
    const names = new Set<string>();
    for (const id of ids) {
      const locals = await h.locals((await h.topFrame(id)).id);
      names.add(locals.get('name')!.value);
    }
    assert.deepEqual([...names].sort(), ["'a'", "'b'"]);
    const threads = (await h.dc.threadsRequest()).body.threads.map((t) => t.name).sort();
    assert.deepEqual(threads, ['Hello $LATEST #1', 'Hello $LATEST #2']);
    for (const id of ids) await h.dc.continueRequest({ threadId: id });
    const results = await Promise.all(invokes);
    assert.deepEqual(results.map((r) => JSON.parse(r.body.payload).message).sort(), ['hi a', 'hi b']);
  });

  it('stops on a handler exception with "Uncaught Exceptions": it leaves the function for the runtime', async () => {
    await launch('Fails', {}, ['uncaught']);
    const invoked = h.invoke({ id: 7 });
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'exception');
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    assert.equal(JSON.parse((await invoked).body.payload).errorMessage, 'bad order 7');
  });

  it('stops on a raised exception with its type and message, and the invoke returns the error', async () => {
    await launch('Fails', {}, ['all']);
    const invoked = h.invoke({ id: 42 });
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'exception');
    assert.equal((await h.location(stop.body.threadId!)).line, 14);
    const info = await h.dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    assert.match(info.body.exceptionId, /ValueError/);
    assert.match(info.body.description ?? '', /bad order 42/);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    const result = await invoked;
    assert.equal(JSON.parse(result.body.payload).errorType, 'ValueError');
  });
});
