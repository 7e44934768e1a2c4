// An execution's timeline as the executions view and the debugger's "Durable history" scope show
// it: operations nested under their parent, what each one is, its attempts, wait durations,
// callback ids and outcomes, and the invocations (first run, replays) from the history.
import * as assert from 'node:assert/strict';
import type { ExecutionRecord, OperationUpdate } from '../../src/runtime/durable/executionRecord';
import { formatDuration, invocations, timeline } from '../../src/runtime/durable/executionTimeline';
import { invocationCompleted, OperationLedger } from '../../src/runtime/durable/operationLedger';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:Orders:$LATEST';

function newRecord(): ExecutionRecord {
  const record: ExecutionRecord = {
    DurableExecutionArn: `${FUNCTION_ARN}/durable-execution/n/x1`,
    DurableExecutionName: 'n',
    executionId: 'x1',
    functionName: 'Orders',
    FunctionArn: FUNCTION_ARN,
    version: '$LATEST',
    Status: 'RUNNING',
    StartTimestamp: Date.now(),
    InputPayload: '{}',
    executionTimeout: 60,
    retentionPeriodInDays: 14,
    operations: [],
    events: [],
    updatedOperationIds: [],
    checkpointToken: 't',
    deadlines: [],
    invocations: 0,
  };
  OperationLedger.start(record);
  return record;
}

const update = (u: Partial<OperationUpdate> & Pick<OperationUpdate, 'Id' | 'Type' | 'Action'>): OperationUpdate => u;

describe('durable execution timeline', () => {
  const scale = { delayMs: (s: number) => s * 10 };

  it('nests operations under their parent and says what each one is', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    const root = r.operations[0].Id;
    ledger.apply([
      update({ Id: 's1', ParentId: root, Name: 'reserve', Type: 'STEP', SubType: 'Step', Action: 'START' }),
      update({ Id: 's1', Type: 'STEP', Action: 'SUCCEED', Payload: '{"id":1}' }),
      update({ Id: 'w1', Name: 'pause', Type: 'WAIT', SubType: 'Wait', Action: 'START', WaitOptions: { WaitSeconds: 90 } }),
      update({ Id: 'c1', Name: 'approval', Type: 'CONTEXT', SubType: 'WaitForCallback', Action: 'START' }),
      update({ Id: 'cb', ParentId: 'c1', Type: 'CALLBACK', SubType: 'Callback', Action: 'START', CallbackOptions: { TimeoutSeconds: 60 } }),
      update({
        Id: 'i1',
        Name: 'charge',
        Type: 'CHAINED_INVOKE',
        SubType: 'ChainedInvoke',
        Action: 'START',
        ChainedInvokeOptions: { FunctionName: 'Payments' },
      }),
    ]);
    const t = timeline(r);
    assert.deepEqual(
      t.map((e) => [e.name, e.kind, e.status]),
      [
        ['reserve', 'step', 'SUCCEEDED'],
        ['pause', 'wait', 'STARTED'],
        ['approval', 'wait for callback', 'STARTED'],
        ['charge', 'chained invoke', 'STARTED'],
      ],
    );
    assert.equal(t[0].result, '{"id":1}');
    assert.equal(t[0].attempts, 1);
    assert.equal(t[1].detail, '90 s', 'the duration the code asked for, not the scaled one');
    assert.equal(t[3].detail, 'Payments');
    const [callback] = t[2].children;
    assert.equal(callback.name, 'callback', 'an unnamed operation is called what it is');
    assert.equal(callback.status, 'STARTED');
    assert.ok(callback.callbackId && r.operations.find((o) => o.Id === 'cb')?.CallbackDetails?.CallbackId === callback.callbackId);
  });

  it('counts a step’s attempts across retries and shows its error', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    ledger.apply([
      update({ Id: 's1', Name: 'flaky', Type: 'STEP', Action: 'START' }),
      update({
        Id: 's1',
        Type: 'STEP',
        Action: 'RETRY',
        Error: { ErrorType: 'Error', ErrorMessage: 'attempt 1' },
        StepOptions: { NextAttemptDelaySeconds: 5 },
      }),
    ]);
    let [step] = timeline(r);
    assert.equal(step.status, 'PENDING');
    assert.match(step.detail ?? '', /^next attempt at \d{4}-/);
    ledger.apply([
      update({ Id: 's1', Type: 'STEP', Action: 'START' }),
      update({ Id: 's1', Type: 'STEP', Action: 'FAIL', Error: { ErrorType: 'Error', ErrorMessage: 'attempt 2' } }),
    ]);
    [step] = timeline(r);
    assert.equal(step.status, 'FAILED');
    assert.equal(step.attempts, 2);
    assert.equal(step.error, 'Error: attempt 2');
  });

  it('lists the invocations from the history: the first run, then each replay', () => {
    const r = newRecord();
    invocationCompleted(r, 'req-1', 1000, undefined);
    invocationCompleted(r, 'req-2', 5000, { ErrorType: 'Runtime.ExitError', ErrorMessage: 'exited' });
    const list = invocations(r);
    assert.deepEqual(
      list.map((i) => [i.number, i.requestId, i.startedAt, i.error]),
      [
        [1, 'req-1', 1000, undefined],
        [2, 'req-2', 5000, 'Runtime.ExitError: exited'],
      ],
    );
  });

  it('formats durations from milliseconds to hours', () => {
    assert.deepEqual([340, 1234, 42_000, 200_000, 7_500_000].map(formatDuration), ['340 ms', '1.2 s', '42 s', '3 min 20 s', '2 h 5 min']);
  });
});
