// Durable executions through `serve` with the AWS SDK (@aws-sdk/client-lambda): invoke with the
// qualifier rules of durable functions, callbacks sent from outside, get/history/list/stop, and
// an execution that survives a restart of Lambda Lab.
import {
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackHeartbeatCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLambdaApiServer, type LambdaApiServer } from '../../src/runtime/lambdaApi/lambdaApiServer';
import type { LocalRuntime } from '../../src/runtime/localRuntime';
import { durableRuntime, eventually, hasNode22, runs, tempState } from '../fixtures/durable/durableHarness';

describe('durable executions through serve (integration, AWS SDK)', function () {
  this.timeout(120_000);
  let dir: string;
  let runtime: LocalRuntime;
  let server: LambdaApiServer;
  let client: LambdaClient;

  const start = async () => {
    runtime = await durableRuntime(dir);
    server = await startLambdaApiServer(runtime, { port: 0 });
    client = new LambdaClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  };
  const stop = async () => {
    client?.destroy();
    await server?.close();
    await runtime?.dispose();
  };

  before(async function () {
    if (!hasNode22()) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22); run scripts/installRic.sh');
      this.skip();
    }
    dir = tempState();
    await start();
  });
  after(async () => {
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    rmSync(join(dir, 'runs.log'), { force: true });
    rmSync(join(dir, 'callback-id'), { force: true });
  });

  const payload = (event: object) => Buffer.from(JSON.stringify({ dir, ...event }));
  const statusOf = async (arn: string) => (await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).Status;
  const until = async (arn: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      if ((await statusOf(arn)) === status) return;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const record = await runtime.durable.get(arn);
    assert.fail(
      `${arn} never reached ${status}: ${record.Status} ${JSON.stringify(record.Error)} ${record.events.map((e) => e.EventType).join()}`,
    );
  };
  const startApproval = async (orderId: string) => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'Approval', Qualifier: '$LATEST', InvocationType: 'Event', Payload: payload({ orderId }) }),
    );
    assert.equal(out.StatusCode, 202);
    const arn = out.DurableExecutionArn!;
    assert.match(arn, /^arn:aws:lambda:us-east-1:123456789012:function:Approval:\$LATEST\/durable-execution\/[^/]+\/[^/]+$/);
    const callbackId = await eventually(
      () => existsSync(join(dir, 'callback-id')) && readFileSync(join(dir, 'callback-id'), 'utf8'),
      'the callback id',
    );
    return { arn, callbackId };
  };

  it('refuses an unqualified invoke of a durable function, as Lambda does', async () => {
    await assert.rejects(client.send(new InvokeCommand({ FunctionName: 'Approval', Payload: payload({}) })), (err: Error) => {
      assert.equal(err.name, 'InvalidParameterValueException');
      assert.match(err.message, /qualified ARN .* Approval:\$LATEST/);
      return true;
    });
  });

  it('a callback sent with SendDurableExecutionCallbackSuccess resumes the execution; history and list show it', async () => {
    const { arn, callbackId } = await startApproval('o-1');
    assert.equal(await statusOf(arn), 'RUNNING');
    await client.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: callbackId }));
    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: Buffer.from('{"approved":true}') }));
    await until(arn, 'SUCCEEDED');
    const got = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    assert.deepEqual(JSON.parse(got.Result!), { order: { id: 'o-1' }, answer: { approved: true } });
    assert.ok(got.StartTimestamp instanceof Date && got.EndTimestamp! >= got.StartTimestamp);
    assert.deepEqual(runs(dir), { reserve: 1 });
    const history = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }));
    const types = history.Events!.map((e) => e.EventType);
    for (const t of [
      'ExecutionStarted',
      'StepSucceeded',
      'CallbackStarted',
      'CallbackSucceeded',
      'InvocationCompleted',
      'ExecutionSucceeded',
    ])
      assert.ok(types.includes(t as never), `${t} in ${types.join()}`);
    assert.equal(
      types.filter((t) => t === 'InvocationCompleted').length,
      (await runtime.durable.get(arn)).invocations,
      'every invocation, the last one included, is in the history once the execution ended',
    );
    const succeeded = history.Events!.find((e) => e.EventType === 'CallbackSucceeded')!;
    assert.equal(succeeded.CallbackSucceededDetails?.Result?.Payload, '{"approved":true}');
    const listed = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Approval', Statuses: ['SUCCEEDED'] }));
    assert.ok(listed.DurableExecutions!.some((e) => e.DurableExecutionArn === arn && e.Status === 'SUCCEEDED'));
    // The callback is closed now.
    await assert.rejects(
      client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: Buffer.from('1') })),
      /no longer open/,
    );
  });

  it('a callback failure fails the execution with the error sent', async () => {
    const { arn, callbackId } = await startApproval('o-2');
    await client.send(
      new SendDurableExecutionCallbackFailureCommand({
        CallbackId: callbackId,
        Error: { ErrorType: 'Rejected', ErrorMessage: 'manager said no' },
      }),
    );
    await until(arn, 'FAILED');
    const got = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    assert.match(got.Error!.ErrorMessage!, /manager said no/);
  });

  it('StopDurableExecution stops a waiting execution', async () => {
    const { arn } = await startApproval('o-3');
    const stopped = await client.send(
      new StopDurableExecutionCommand({ DurableExecutionArn: arn, Error: { ErrorMessage: 'cancelled by test' } }),
    );
    assert.ok(stopped.StopTimestamp instanceof Date);
    assert.equal(await statusOf(arn), 'STOPPED');
    const running = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Approval', Statuses: ['RUNNING'] }));
    assert.ok(!running.DurableExecutions!.some((e) => e.DurableExecutionArn === arn));
  });

  it('a synchronous invoke follows the execution and names it', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'Sequential:$LATEST', Payload: payload({ waitSeconds: 1 }) }));
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { sum: 6 });
    assert.equal(await statusOf(out.DurableExecutionArn!), 'SUCCEEDED');
  });

  it('survives a restart mid-execution: steps done before it are not run again', async () => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: 'Sequential',
        Qualifier: '$LATEST',
        InvocationType: 'Event',
        Payload: payload({ waitSeconds: 300 }),
      }),
    );
    const arn = out.DurableExecutionArn!;
    await eventually(() => runs(dir).one === 1, 'the first step');
    // Lambda Lab goes away mid-execution (the first wait is 3 s once scaled).
    await stop();
    assert.deepEqual(runs(dir), { one: 1 });
    await start();
    assert.equal(await runtime.durable.resume(), 1);
    await until(arn, 'SUCCEEDED');
    assert.deepEqual(runs(dir), { one: 1, two: 1, three: 1 });
    const got = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    assert.deepEqual(JSON.parse(got.Result!), { sum: 6 });
  });
});
