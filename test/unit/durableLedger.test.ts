// The operation ledger: what checkpoints, timers and callbacks do to a durable execution's
// operations and history, without processes (the integration tests run the real SDK).
import * as assert from 'node:assert/strict';
import type { ExecutionRecord, OperationUpdate } from '../../src/runtime/durable/executionRecord';
import { decodeCallbackId, parseExecutionArn } from '../../src/runtime/durable/executionRecord';
import { OperationLedger } from '../../src/runtime/durable/operationLedger';

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
    InputPayload: '{"a":1}',
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

describe('durable operation ledger', () => {
  const scale = { delayMs: (s: number) => s * 10 };

  it('starts with the EXECUTION operation and ExecutionStarted carrying the input and timeout', () => {
    const r = newRecord();
    assert.equal(r.operations[0].Type, 'EXECUTION');
    assert.equal(r.operations[0].ExecutionDetails?.InputPayload, '{"a":1}');
    assert.deepEqual(r.events[0].ExecutionStartedDetails, { Input: { Payload: '{"a":1}' }, ExecutionTimeout: 60 });
  });

  it('a step: START then SUCCEED counts one attempt and records the result; a closed step takes no more actions', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    ledger.apply([update({ Id: 's1', Type: 'STEP', SubType: 'Step', Name: 'charge', Action: 'START' })]);
    ledger.apply([update({ Id: 's1', Type: 'STEP', Action: 'SUCCEED', Payload: '"ok"' })]);
    const op = ledger.get('s1')!;
    assert.equal(op.Status, 'SUCCEEDED');
    assert.deepEqual(op.StepDetails, { Attempt: 1, Result: '"ok"', Error: undefined });
    assert.deepEqual(
      r.events.slice(1).map((e) => [e.EventType, e.Name]),
      [
        ['StepStarted', 'charge'],
        ['StepSucceeded', 'charge'],
      ],
    );
    assert.throws(() => ledger.apply([update({ Id: 's1', Type: 'STEP', Action: 'FAIL' })]), /already SUCCEEDED/);
  });

  it('a retry leaves the step PENDING until its (scaled) next attempt, with the attempt and delay in the history', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    const before = Date.now();
    ledger.apply([
      update({ Id: 's', Type: 'STEP', Action: 'START' }),
      update({ Id: 's', Type: 'STEP', Action: 'RETRY', Error: { ErrorMessage: 'boom' }, StepOptions: { NextAttemptDelaySeconds: 30 } }),
    ]);
    const op = ledger.get('s')!;
    assert.equal(op.Status, 'PENDING');
    assert.equal(op.StepDetails?.Attempt, 1);
    assert.ok(op.StepDetails!.NextAttemptTimestamp! >= before + 300 && op.StepDetails!.NextAttemptTimestamp! <= Date.now() + 300);
    assert.deepEqual(
      r.deadlines.map((d) => [d.operationId, d.kind]),
      [['s', 'retry']],
    );
    const failed = r.events.find((e) => e.EventType === 'StepFailed')!;
    assert.deepEqual(failed.StepFailedDetails, {
      Error: { Payload: { ErrorMessage: 'boom' } },
      RetryDetails: { CurrentAttempt: 1, NextAttemptDelaySeconds: 30 },
    });
  });

  it('a wait is scheduled at the scaled time but its events keep the asked duration; closing it clears its deadline', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    ledger.apply([update({ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 3600 } })]);
    const op = ledger.get('w')!;
    assert.ok(op.WaitDetails!.ScheduledEndTimestamp! - op.StartTimestamp <= 36_000 + 5);
    assert.equal((r.events.at(-1)!.WaitStartedDetails as { Duration: number }).Duration, 3600);
    ledger.close(op, 'SUCCEEDED', undefined, undefined);
    assert.deepEqual(r.deadlines, []);
    assert.deepEqual(r.events.at(-1)!.WaitSucceededDetails, { Duration: 3600 });
  });

  it('a callback gets an id naming its execution and operation, and timeout deadlines', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    ledger.apply([
      update({ Id: 'c', Type: 'CALLBACK', Action: 'START', CallbackOptions: { TimeoutSeconds: 60, HeartbeatTimeoutSeconds: 10 } }),
    ]);
    const id = ledger.get('c')!.CallbackDetails!.CallbackId!;
    assert.deepEqual(decodeCallbackId(id), { functionName: 'Orders', executionId: 'x1', operationId: 'c' });
    assert.deepEqual(r.deadlines.map((d) => d.kind).sort(), ['callback-heartbeat', 'callback-timeout']);
    assert.equal(decodeCallbackId('not-a-callback'), undefined);
  });

  it('an EXECUTION update completes the execution whatever id the SDK gave it, once', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    ledger.apply([update({ Id: 'execution-result-1', Type: 'EXECUTION', Action: 'SUCCEED', Payload: '"big"' })]);
    assert.equal(r.Status, 'SUCCEEDED');
    assert.equal(r.Result, '"big"');
    assert.equal(r.operations.filter((o) => o.Type === 'EXECUTION').length, 1);
    ledger.finish('FAILED', undefined, { ErrorMessage: 'late' });
    assert.equal(r.Status, 'SUCCEEDED');
    assert.equal(r.events.filter((e) => e.EventType.startsWith('Execution') && e.EventType !== 'ExecutionStarted').length, 1);
  });

  it('replays leave out the children of closed contexts that do not replay them, and their descendants', () => {
    const r = newRecord();
    const ledger = new OperationLedger(r, scale);
    ledger.apply([
      update({ Id: 'ctx', Type: 'CONTEXT', Action: 'START' }),
      update({ Id: 'inner', ParentId: 'ctx', Type: 'CONTEXT', Action: 'START' }),
      update({ Id: 'deep', ParentId: 'inner', Type: 'STEP', Action: 'SUCCEED', Payload: '1' }),
      update({ Id: 'inner', Type: 'CONTEXT', Action: 'SUCCEED', Payload: '1' }),
      update({ Id: 'keep', ParentId: 'ctx', Type: 'CONTEXT', Action: 'START', ContextOptions: { ReplayChildren: true } }),
    ]);
    assert.deepEqual(
      ledger
        .replayState()
        .map((o) => o.Id)
        .slice(1),
      ['ctx', 'inner', 'keep'],
      'inner succeeded: its step is left out',
    );
    ledger.apply([update({ Id: 'ctx', Type: 'CONTEXT', Action: 'SUCCEED', Payload: '2' })]);
    assert.deepEqual(
      ledger
        .replayState()
        .map((o) => o.Id)
        .slice(1),
      ['ctx'],
    );
    assert.throws(() => ledger.apply([update({ Id: 'orphan', ParentId: 'nope', Type: 'STEP', Action: 'START' })]), /ParentId nope/);
  });

  it('parses the ARNs it makes', () => {
    assert.deepEqual(parseExecutionArn(`${FUNCTION_ARN}/durable-execution/order-7/abc`), {
      functionName: 'Orders',
      name: 'order-7',
      executionId: 'abc',
    });
    assert.equal(parseExecutionArn('arn:aws:lambda:us-east-1:123456789012:function:Orders'), undefined);
  });
});
