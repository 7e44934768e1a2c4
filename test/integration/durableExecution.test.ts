// Durable functions with AWS's durable execution SDK on real handlers: replay, waits, retries,
// parallel/map, child contexts, chained invokes, execution timeout and stop, through the runtime.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { durableRuntime, eventually, hasNode22, runs, tempState } from '../fixtures/durable/durableHarness';

describe('durable executions (integration, real SDK)', function () {
  this.timeout(120_000);
  let dir: string;
  let runtime: LocalRuntime;

  before(async function () {
    if (!hasNode22()) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22); run scripts/installRic.sh');
      this.skip();
    }
    dir = tempState();
    runtime = await durableRuntime(dir);
  });
  after(async () => {
    await runtime?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => rmSync(`${dir}/runs.log`, { force: true }));

  const invoke = async (fn: string, event: object) => {
    let arn = '';
    const result = await runtime.invoke(fn, JSON.stringify({ dir, ...event }), { onDurableExecution: (a) => (arn = a) });
    const record = await runtime.durable.get(arn);
    return { result, body: JSON.parse(result.payload.toString()) as Record<string, unknown>, record };
  };

  it('replays sequential steps across waits: each step body runs once, the history keeps the asked durations', async () => {
    const { result, body, record } = await invoke('Sequential', { waitSeconds: 60 });
    assert.equal(result.functionError, undefined, result.payload.toString());
    assert.deepEqual(body, { sum: 6 });
    assert.deepEqual(runs(dir), { one: 1, two: 1, three: 1 });
    assert.equal(record.Status, 'SUCCEEDED');
    assert.equal(record.invocations, 3, 'one invocation, then one replay after each wait');
    const types = record.events.map((e) => e.EventType);
    assert.equal(types.filter((t) => t === 'InvocationCompleted').length, 3);
    assert.equal(types.at(-1), 'ExecutionSucceeded');
    const waits = record.events.filter((e) => e.EventType === 'WaitStarted');
    assert.deepEqual(
      waits.map((e) => (e.WaitStartedDetails as { Duration: number }).Duration),
      [60, 60],
    );
    assert.deepEqual(
      waits.map((e) => e.Name),
      ['pause', 'second pause'],
    );
    const ended = record.events.filter((e) => e.EventType === 'WaitSucceeded');
    assert.equal(ended.length, 2);
    // Scaled by 0.01: each 60 s wait was scheduled 0.6 s after it started.
    const scheduled = record.operations
      .filter((o) => o.Type === 'WAIT')
      .map((o) => o.WaitDetails!.ScheduledEndTimestamp! - o.StartTimestamp);
    assert.ok(
      scheduled.every((ms) => ms >= 600 && ms <= 610),
      scheduled.join(),
    );
  });

  it('retries a failing step with its retry strategy, then succeeds; the history shows each failed attempt', async () => {
    const { body, record } = await invoke('Flaky', { succeedOnAttempt: 3, maxAttempts: 5 });
    assert.deepEqual(body, { value: 'succeeded on attempt 3' });
    assert.deepEqual(runs(dir), { flaky: 3 });
    const failed = record.events.filter((e) => e.EventType === 'StepFailed');
    assert.deepEqual(
      failed.map(
        (e) => (e.StepFailedDetails as { RetryDetails: { CurrentAttempt: number; NextAttemptDelaySeconds: number } }).RetryDetails,
      ),
      [
        { CurrentAttempt: 1, NextAttemptDelaySeconds: 5 },
        { CurrentAttempt: 2, NextAttemptDelaySeconds: 5 },
      ],
    );
    assert.equal(record.events.filter((e) => e.EventType === 'StepSucceeded').length, 1);
  });

  it('fails the execution when the retries run out, with the step error', async () => {
    const { result, body, record } = await invoke('Flaky', { succeedOnAttempt: 10, maxAttempts: 2 });
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(record.Status, 'FAILED');
    assert.match(String(body.errorMessage), /attempt 2 failed/);
    assert.deepEqual(runs(dir), { flaky: 2 });
  });

  it('runs map, parallel (with a wait in a branch) and a child context, every step once', async () => {
    const { result, body, record } = await invoke('Fanout', {});
    assert.equal(result.functionError, undefined, result.payload.toString());
    assert.deepEqual(body, { squares: [1, 4, 9], branches: ['L', 'R'], child: 21 });
    assert.deepEqual(runs(dir), { 'square 1': 1, 'square 2': 1, 'square 3': 1, left: 1, right: 1, inner: 1 });
    const contexts = record.operations.filter((o) => o.Type === 'CONTEXT').map((o) => o.SubType);
    for (const kind of ['Map', 'MapIteration', 'Parallel', 'ParallelBranch', 'RunInChildContext'])
      assert.ok(contexts.includes(kind), `${kind} in ${contexts.join()}`);
    assert.ok(record.invocations >= 3, `${record.invocations} invocations`);
  });

  it('context.invoke runs a plain function and a durable one (followed to its end)', async () => {
    const { result, body } = await invoke('Caller', {});
    assert.equal(result.functionError, undefined, result.payload.toString());
    assert.deepEqual(body, { plain: { doubled: 42 }, durable: { sum: 6 } });
    assert.deepEqual(runs(dir), { one: 1, two: 1, three: 1 });
    const sequential = await runtime.durable.list(runtime.getFunction('Sequential')!);
    assert.ok(sequential.some((e) => e.Status === 'SUCCEEDED' && e.InputPayload.includes('"waitSeconds":1')));
  });

  it('times an execution out after DurableConfig.ExecutionTimeout, its wait still pending', async () => {
    const { result, body, record } = await invoke('Sleeper', {});
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(record.Status, 'TIMED_OUT');
    assert.match(String(body.errorMessage), /ExecutionTimeout of 2 seconds/);
    assert.equal(record.events.at(-1)!.EventType, 'ExecutionTimedOut');
    assert.deepEqual(runs(dir), { before: 1 });
  });

  it('stops an execution: it ends STOPPED and is not invoked again', async () => {
    let arn = '';
    const following = runtime.invoke('Sleeper', JSON.stringify({ dir }), { onDurableExecution: (a) => (arn = a) });
    // Once the first invocation has suspended on its one-hour wait:
    while (!(await runtime.durable.get(arn).catch(() => undefined))?.events.some((e) => e.EventType === 'InvocationCompleted')) {
      await new Promise((ok) => setTimeout(ok, 20));
    }
    await runtime.durable.stop(arn, { ErrorMessage: 'no longer needed' });
    const result = await following;
    assert.equal(result.functionError, 'Unhandled');
    assert.match(result.payload.toString(), /no longer needed/);
    const record = await runtime.durable.get(arn);
    assert.equal(record.Status, 'STOPPED');
    assert.equal(record.invocations, 1);
    await assert.rejects(runtime.durable.stop(arn, undefined), /already ended \(STOPPED\)/);
  });

  it('invokes again after an invocation that crashed outside the SDK; the checkpointed step is not run again', async () => {
    rmSync(join(dir, 'crashed'), { force: true });
    const { result, body, record } = await invoke('CrashOnce', {});
    assert.equal(result.functionError, undefined, result.payload.toString());
    assert.equal(body as unknown, 'kept');
    assert.deepEqual(runs(dir), { 'before the crash': 1 });
    const invocations = record.events.filter((e) => e.EventType === 'InvocationCompleted');
    assert.equal(invocations.length, 2);
    assert.match(JSON.stringify(invocations[0].InvocationCompletedDetails), /Runtime\.ExitError/);
  });

  it('replays a state larger than an invocation event: the SDK reads the rest with GetDurableExecutionState', async () => {
    let pages = 0;
    const state = runtime.durable.state.bind(runtime.durable);
    runtime.durable.state = (...args) => {
      pages++;
      return state(...args);
    };
    try {
      const { result, body, record } = await invoke('BigState', {});
      assert.equal(result.functionError, undefined, result.payload.toString().slice(0, 500));
      assert.equal(body as unknown, 30 * 200_000);
      assert.deepEqual(runs(dir), { chunk: 30 });
      assert.equal(record.invocations, 2);
      assert.ok(pages >= 1, 'the replay read a page of state');
    } finally {
      runtime.durable.state = state;
    }
  });

  it('waitForCondition checks, waits and checks again with the state it carries', async () => {
    const { result, body, record } = await invoke('Poll', {});
    assert.equal(result.functionError, undefined, result.payload.toString());
    assert.deepEqual(body, { count: 3 });
    assert.deepEqual(runs(dir), { check: 3 });
    const retries = record.events.filter(
      (e) =>
        e.EventType === 'StepSucceeded' && e.StepSucceededDetails && (e.StepSucceededDetails as { RetryDetails?: unknown }).RetryDetails,
    );
    assert.equal(retries.length, 2, 'two checks asked to continue');
  });

  it('answers a synchronous invoke once the last invocation is in the history', async () => {
    rmSync(join(dir, 'callback-id'), { force: true });
    const pending = invoke('Approval', { orderId: 'o-sync' });
    const callbackId = await eventually(
      () => existsSync(join(dir, 'callback-id')) && readFileSync(join(dir, 'callback-id'), 'utf8'),
      'the callback id',
    );
    await runtime.durable.callback({ callbackId, outcome: 'succeed', result: '{"approved":true}' });
    const { body, record } = await pending;
    assert.deepEqual(body, { order: { id: 'o-sync' }, answer: { approved: true } });
    assert.equal(record.Status, 'SUCCEEDED');
    assert.equal(record.events.filter((e) => e.EventType === 'InvocationCompleted').length, record.invocations);
  });

  it('a callback nobody answers times out after its (scaled) timeout and fails the wait', async () => {
    const { result, body, record } = await invoke('Approval', { orderId: 'never answered' });
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(record.Status, 'FAILED');
    assert.match(JSON.stringify(body), /[Tt]imed out/);
    const timedOut = record.events.find((e) => e.EventType === 'CallbackTimedOut');
    assert.ok(timedOut, record.events.map((e) => e.EventType).join());
    assert.equal(
      (record.events.find((e) => e.EventType === 'CallbackStarted')!.CallbackStartedDetails as { Timeout: number }).Timeout,
      600,
    );
  });

  it('names executions: the same name and input give the same execution, another input is refused', async () => {
    const first = await runtime.invoke('Sequential', JSON.stringify({ dir, waitSeconds: 1 }), { durableExecutionName: 'order-7' });
    assert.deepEqual(JSON.parse(first.payload.toString()), { sum: 6 });
    const again = await runtime.invoke('Sequential', JSON.stringify({ dir, waitSeconds: 1 }), { durableExecutionName: 'order-7' });
    assert.deepEqual(JSON.parse(again.payload.toString()), { sum: 6 });
    assert.deepEqual(runs(dir), { one: 1, two: 1, three: 1 });
    await assert.rejects(
      runtime.invoke('Sequential', JSON.stringify({ dir, waitSeconds: 2 }), { durableExecutionName: 'order-7' }),
      /different input/,
    );
  });
});

describe('DurableConfig in templates', () => {
  it('names the field and the bounds of a bad ExecutionTimeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-lab-durable-config-'));
    writeFileSync(
      join(dir, 'template.yaml'),
      'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: a.b\n      CodeUri: .\n      DurableConfig: { ExecutionTimeout: 0 }\n',
    );
    const runtime = new LocalRuntime({ stateDir: join(dir, '.lambda-lab'), watchCode: false });
    try {
      await assert.rejects(
        runtime.loadTemplate(join(dir, 'template.yaml')),
        /DurableConfig\.ExecutionTimeout must be a whole number from 1 to 31622400/,
      );
    } finally {
      await runtime.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
