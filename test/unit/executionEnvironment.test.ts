// ExecutionEnvironment's lifecycle against a fake process and a fake Runtime API: every
// transition, the timeouts, and the orderings the integration tests found racy.
import * as assert from 'node:assert/strict';
import { EnvironmentLostError } from '../../src/runtime/environment/executionEnvironment';
import type { EnvironmentState, InvokeResult } from '../../src/runtime/runtimeEvents';
import { fakeEnvironment, fakeFunction, sleep, tick, type FakeEnvironment } from './environmentFakes';

const body = (r: InvokeResult) => JSON.parse(r.payload.toString());

describe('ExecutionEnvironment (fakes)', () => {
  let f: FakeEnvironment;
  const states: EnvironmentState[] = [];
  const make = (opts: Parameters<typeof fakeEnvironment>[0] = {}) => {
    f = fakeEnvironment(opts);
    states.length = 0;
    f.events.on('environmentStateChanged', (info) => states.push(info.state));
    return f;
  };
  afterEach(async () => {
    if (f.env.alive) await f.env.stop('stopped');
    f.dispose();
  });

  it('starts: initializing with INIT_START, ready at the first poll, frozen after the grace', async () => {
    make();
    await f.env.start();
    assert.equal(f.env.state, 'initializing');
    assert.equal(f.process().spec.env.AWS_LAMBDA_RUNTIME_API, '127.0.0.1:9001');
    assert.match(f.logs[0].message, /^INIT_START Runtime Version: nodejs20\.local/);
    f.api.poll();
    assert.equal(f.env.state, 'ready');
    await sleep(20);
    assert.equal(f.env.state, 'frozen');
    assert.deepEqual(f.process().calls, ['freeze']);
    assert.deepEqual(states, ['initializing', 'ready', 'frozen']);
  });

  it('a cold invoke waits for init, then runs: busy, answered, ready at the next poll', async () => {
    make();
    await f.env.start();
    const invoked = f.env.invoke({ requestId: 'r1', payload: Buffer.from('{"a":1}') });
    await tick();
    assert.equal(f.api.delivered.length, 0, 'nothing is delivered during init');
    f.api.poll();
    await tick();
    assert.equal(f.env.state, 'busy');
    assert.equal(f.api.delivered[0].requestId, 'r1');
    assert.match(f.api.delivered[0].invokedFunctionArn, /^arn:aws:lambda:us-east-1:123456789012:function:fn$/);
    f.api.respond('r1', { ok: true });
    const result = await invoked;
    assert.deepEqual(body(result), { ok: true });
    assert.equal(result.cold, true);
    assert.ok(result.initDurationMs !== undefined);
    assert.match(
      result.logTail,
      /^START RequestId: r1 Version: \$LATEST\nEND RequestId: r1\nREPORT RequestId: r1\t.*Max Memory Used: 40 MB\tInit Duration/,
    );
    assert.equal(f.env.state, 'busy', 'answered but the client has not polled again');
    assert.ok(f.env.releasing);
    f.api.poll();
    assert.equal(f.env.state, 'ready');
  });

  it('an invoke of a frozen environment delivers first, then thaws (one wake-up)', async () => {
    make();
    await f.env.start();
    f.api.poll();
    await sleep(20);
    assert.equal(f.env.state, 'frozen');
    const invoked = f.env.invoke({ requestId: 'w1', payload: Buffer.from('{}') });
    assert.equal(f.env.state, 'busy', 'delivered in the caller’s own turn');
    assert.deepEqual(f.process().calls, ['freeze', 'thaw']);
    f.api.respond('w1', 1);
    assert.equal(body(await invoked), 1);
  });

  it("takes a pipelining client's poll that arrives before its answer is processed", async () => {
    make();
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 'p1', payload: Buffer.from('{}') });
    f.api.respond('p1', 'x');
    f.api.poll(); // in before onAnswered runs (it waits for setImmediate)
    await invoked;
    assert.equal(f.env.state, 'ready');
    // and an invoke while releasing waits for the poll instead of overwriting the answer
    const second = f.env.invoke({ requestId: 'p2', payload: Buffer.from('{}') });
    assert.equal(f.api.delivered.at(-1)!.requestId, 'p2');
    f.api.respond('p2', 'y');
    assert.deepEqual(body(await second), 'y');
  });

  it('an invoke made while the answer is in but the client has not polled is delivered at the poll', async () => {
    make();
    await f.env.start();
    f.api.poll();
    const first = f.env.invoke({ requestId: 'a', payload: Buffer.from('{}') });
    f.api.respond('a', 1);
    await first;
    assert.ok(f.env.releasing);
    const second = f.env.invoke({ requestId: 'b', payload: Buffer.from('{}') });
    assert.equal(f.api.delivered.length, 1, 'not delivered before the client polls');
    f.api.poll();
    assert.equal(f.api.delivered.at(-1)!.requestId, 'b');
    f.api.respond('b', 2);
    assert.equal(body(await second), 2);
  });

  it('refuses a second waiting invocation rather than overwriting it, and any invocation once stopped', async () => {
    make();
    await f.env.start();
    const first = f.env.invoke({ requestId: 'a', payload: Buffer.from('{}') });
    await assert.rejects(f.env.invoke({ requestId: 'b', payload: Buffer.from('{}') }), EnvironmentLostError);
    await f.env.stop('stopped');
    // Stopped during init: the waiting invocation gets the init failure, as a crash in init gives it.
    assert.equal(body(await first).errorType, 'Runtime.ExitError');
    await assert.rejects(f.env.invoke({ requestId: 'c', payload: Buffer.from('{}') }), EnvironmentLostError);
  });

  it('times out: the timeout line, Sandbox.Timedout, the process killed, stopped for timeout', async () => {
    make({ fn: fakeFunction({ timeout: 0.05 }) });
    await f.env.start();
    f.api.poll();
    const result = await f.env.invoke({ requestId: 't', payload: Buffer.from('{}') });
    assert.equal(body(result).errorType, 'Sandbox.Timedout');
    assert.equal(body(result).errorMessage, 'RequestId: t Error: Task timed out after 0.05 seconds');
    assert.match(result.logTail, /t Task timed out after 0\.05 seconds\nEND RequestId: t\nREPORT .*Status: timeout/);
    assert.equal(await f.stopped, 'timeout');
    assert.ok(f.process().calls.includes('kill'));
  });

  it('an answer that comes in after the deadline, before the timeout fired, is a timeout', async () => {
    make({ fn: fakeFunction({ timeout: 0.05 }) });
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 'late', payload: Buffer.from('{}') });
    // Our loop busy past the deadline: the answer is read before the timer's turn comes.
    const until = performance.now() + 80;
    while (performance.now() < until);
    f.api.respond('late', 'too late');
    const result = await invoked;
    assert.equal(body(result).errorType, 'Sandbox.Timedout');
    assert.equal(await f.stopped, 'timeout');
  });

  it('a debugger suspends the invoke timeout and freezing', async () => {
    make({ fn: fakeFunction({ timeout: 0.05 }) });
    await f.env.start();
    f.api.poll();
    f.env.setDebuggerAttached(true);
    const invoked = f.env.invoke({ requestId: 'd', payload: Buffer.from('{}') });
    await sleep(120);
    assert.equal(f.env.state, 'busy', 'not timed out while debugged');
    f.api.respond('d', 'ok');
    assert.equal(body(await invoked), 'ok');
    f.api.poll();
    await sleep(20);
    assert.equal(f.env.state, 'ready', 'not frozen while debugged');
    f.env.setDebuggerAttached(false);
    assert.equal(f.env.state, 'frozen');
  });

  it('an init error fails the first invocation with it, with INIT_REPORT and the init lines in its tail', async () => {
    make();
    await f.env.start();
    f.process().events.onLine('stdout', 'loading the handler');
    const invoked = f.env.invoke({ requestId: 'i', payload: Buffer.from('{}') });
    f.api.handlers.onInitError(Buffer.from('{"errorType":"Runtime.ImportModuleError","errorMessage":"x"}'), 'Runtime.ImportModuleError');
    const result = await invoked;
    assert.equal(body(result).errorType, 'Runtime.ImportModuleError');
    const tail = result.logTail.split('\n');
    assert.match(tail[0], /^INIT_START/);
    assert.equal(tail[1], 'loading the handler');
    assert.match(tail[2], /^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError$/);
    assert.equal(tail.filter((l) => l.startsWith('INIT_REPORT')).length, 1);
    assert.equal(await f.stopped, 'init-error');
  });

  it('a process that exits during init fails the waiting invocation with Runtime.ExitError', async () => {
    make();
    await f.env.start();
    const invoked = f.env.invoke({ requestId: 'e', payload: Buffer.from('{}') });
    f.process().exit('exit status 7');
    const result = await invoked;
    assert.deepEqual(body(result), { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 7' });
    assert.equal(await f.stopped, 'init-error');
  });

  it('a launch failure (no bootstrap) fails the first invocation with the family’s init error', async () => {
    make({
      launch: { initError: { errorType: 'Runtime.InvalidEntrypoint', payload: Buffer.from('{"errorType":"Runtime.InvalidEntrypoint"}') } },
    });
    await f.env.start();
    assert.equal(f.spawned(), false);
    const result = await f.env.invoke({ requestId: 'l', payload: Buffer.from('{}') });
    assert.equal(body(result).errorType, 'Runtime.InvalidEntrypoint');
  });

  it('a crash during an invocation: Runtime.ExitError naming the request, the last measured memory, stopped for crash', async () => {
    make();
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 'c', payload: Buffer.from('{}') });
    f.process().exit('signal: segmentation fault');
    const result = await invoked;
    assert.equal(body(result).errorMessage, 'RequestId: c Error: Runtime exited with error: signal: segmentation fault');
    assert.equal(result.maxMemoryUsedMB, 40, 'measured at the end of init, reported although the process is gone');
    assert.equal(await f.stopped, 'crash');
  });

  it('the heap-exhaustion line on stderr turns a crash into Runtime.OutOfMemory', async () => {
    make();
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 'o', payload: Buffer.from('{}') });
    f.process().events.onLine('stderr', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    f.process().exit('signal: aborted (core dumped)');
    assert.equal(body(await invoked).errorType, 'Runtime.OutOfMemory');
    assert.equal(await f.stopped, 'out-of-memory');
  });

  it('memory over MemorySize while running kills the process: out-of-memory', async () => {
    make();
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 'm', payload: Buffer.from('{}') });
    f.process().residentMBValue = 500;
    const result = await invoked;
    assert.equal(body(result).errorType, 'Runtime.OutOfMemory');
    assert.equal(result.maxMemoryUsedMB, 128, 'capped at MemorySize as Lambda reports it');
    assert.equal(await f.stopped, 'out-of-memory');
  });

  it('stopped while its endpoint is still opening: spawns nothing', async () => {
    let open!: () => void;
    make();
    f.api.opened = new Promise((resolve) => (open = resolve));
    const starting = f.env.start();
    const stopping = f.env.stop('stopped');
    open();
    await starting;
    await stopping;
    assert.equal(f.spawned(), false);
    assert.equal(f.api.closed, true);
  });

  it('stopWhenIdle lets the running invocation finish first', async () => {
    make();
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 's', payload: Buffer.from('{}') });
    const stopping = f.env.stopWhenIdle('code-changed');
    await tick();
    assert.ok(f.env.alive);
    f.api.respond('s', 'done');
    assert.equal(body(await invoked), 'done');
    await stopping;
    assert.equal(await f.stopped, 'code-changed');
  });

  it('stopDraining closes the Runtime API and lets an idle process drain; a busy one is killed', async () => {
    make();
    await f.env.start();
    f.api.poll();
    await sleep(20);
    const stopping = f.env.stopDraining('stopped');
    assert.equal(f.api.closed, true);
    assert.deepEqual(f.process().calls, ['freeze', 'drain']);
    f.process().exit('exit status 1');
    await stopping;
    assert.equal(await f.stopped, 'stopped');

    make();
    await f.env.start();
    f.api.poll();
    void f.env.invoke({ requestId: 'b', payload: Buffer.from('{}') });
    await f.env.stopDraining('stopped');
    assert.deepEqual(f.process().calls, ['kill']);
  });

  it('an aborted caller: a waiting invocation is withdrawn, a running one ends the environment', async () => {
    make();
    await f.env.start();
    const waiting = new AbortController();
    const queued = f.env.invoke({ requestId: 'q', payload: Buffer.from('{}'), signal: waiting.signal });
    waiting.abort();
    await assert.rejects(queued, EnvironmentLostError);
    f.api.poll();
    const running = new AbortController();
    const invoked = f.env.invoke({ requestId: 'r', payload: Buffer.from('{}'), signal: running.signal });
    running.abort();
    assert.equal(body(await invoked).errorType, 'Runtime.ExitError');
    assert.equal(await f.stopped, 'stopped');
  });

  it("attributes plain output to the running invocation and keeps another request's records out of its tail", async () => {
    make();
    await f.env.start();
    f.api.poll();
    const invoked = f.env.invoke({ requestId: 'x', payload: Buffer.from('{}') });
    f.process().events.onLine('stdout', 'plain line');
    f.process().events.onLine('log', JSON.stringify({ line: 'structured', timestamp: 1, requestId: 'x', level: 'INFO' }));
    f.process().events.onLine('log', JSON.stringify({ line: 'someone else', timestamp: 2, requestId: 'other' }));
    f.process().events.onLine('stderr', 'Debugger attached.');
    f.api.respond('x', 1);
    const result = await invoked;
    assert.deepEqual(result.logTail.split('\n').slice(1, 3), ['plain line', 'structured']);
    assert.doesNotMatch(result.logTail, /someone else|Debugger attached/);
    assert.equal(f.logs.find((l) => l.message === 'plain line')?.requestId, 'x');
  });
});
