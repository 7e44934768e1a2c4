// Asynchronous invocation through the Lambda API with the AWS SDK: retries after function
// errors and throttles (delays scaled by 0.001, so Lambda's 1 and 2 minutes are 60 and 120 ms),
// event age, every destination condition and kind, the dead-letter queue, the 1 MB limit.
import { CreateAliasCommand, InvokeCommand, PublishVersionCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsyncInvokeQueue, type DroppedReport, type OutcomeReport } from '../../src/runtime/lambdaApi/asyncInvokeQueue';
import { startHarness, type Harness } from '../fixtures/api/apiHarness';
import { attempts, copyAsyncFixture, filesUnder, readJson } from '../fixtures/async/asyncHarness';

describe('asynchronous invocation (integration)', function () {
  this.timeout(60_000);
  let h: Harness;
  let dir: string;
  let outcomes: OutcomeReport[];
  const asyncDir = () => join(dir, '.lambda-lab', 'async');

  before(async () => {
    dir = copyAsyncFixture();
    h = await startHarness(dir, { runtime: { asyncRetryDelayScale: 0.001 } });
    outcomes = [];
    h.server.events.on('outcome', (o) => outcomes.push(o));
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sendEvent = async (functionName: string, payload: Record<string, unknown>) => {
    const out = await h.client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    assert.equal(out.StatusCode, 202);
    return out.$metadata.requestId!;
  };
  const outcomeOf = (requestId: string) => outcomes.find((o) => o.event.requestId === requestId);

  it('retries a failing event twice, 1 then 2 (scaled) minutes apart, then sends the record OnFailure and the event to the DLQ', async () => {
    const attemptsFile = join(dir, 'fails.log');
    const retries: number[] = [];
    h.server.events.on('attempt', (a) => a.retryInMs !== undefined && a.event.functionName === 'FailsToQueue' && retries.push(a.retryInMs));
    const requestId = await sendEvent('FailsToQueue', { attemptsFile, n: 1 });
    await h.server.events.drain();

    const runs = attempts(attemptsFile);
    assert.deepEqual(
      runs.map((r) => r.requestId),
      [requestId, requestId, requestId],
      'three runs of the same event, with its request id',
    );
    assert.deepEqual(retries, [60, 120], "Lambda's one- and two-minute waits, scaled by 0.001");
    // The queue waits at least the delay between runs (no upper bound: the machine is shared).
    assert.ok(runs[1].at - runs[0].at >= 59 && runs[2].at - runs[1].at >= 119, `spacing ${runs.map((r) => r.at - runs[0].at)}`);
    assert.equal(outcomeOf(requestId)?.condition, 'RetriesExhausted');

    const [recordFile] = filesUnder(join(asyncDir(), 'destinations', 'sqs', 'failures'));
    assert.match(recordFile, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+\\.\\d{3}Z-${requestId}\\.json$`));
    const record = readJson(join(asyncDir(), 'destinations', 'sqs', 'failures', recordFile));
    assert.equal(record.version, '1.0');
    assert.ok(!Number.isNaN(Date.parse(record.timestamp)));
    assert.deepEqual(record.requestContext, {
      requestId,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:FailsToQueue:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    });
    assert.deepEqual(record.requestPayload, { attemptsFile, n: 1 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    assert.equal(record.responsePayload.errorType, 'Error');
    assert.equal(record.responsePayload.errorMessage, 'boom 1');

    const [dlqFile] = filesUnder(join(asyncDir(), 'dead-letter', 'sns', 'dead-letters'));
    const message = readJson(join(asyncDir(), 'dead-letter', 'sns', 'dead-letters', dlqFile));
    assert.deepEqual(JSON.parse(message.Message), { attemptsFile, n: 1 }, 'the DLQ gets the event itself');
    assert.equal(message.TopicArn, 'arn:aws:sns:us-east-1:123456789012:dead-letters');
    assert.deepEqual(message.MessageAttributes.RequestID, { Type: 'String', Value: requestId });
    assert.deepEqual(message.MessageAttributes.ErrorCode, { Type: 'Number', Value: '200' });
    assert.match(message.MessageAttributes.ErrorMessage.Value, /boom 1/);
  });

  it('invokes a destination function of the template with the Success record', async () => {
    const sinkFile = join(dir, 'sink.json');
    const requestId = await sendEvent('OkToFunction', { attemptsFile: join(dir, 'ok.log'), n: 7, sinkFile });
    await h.server.events.drain();
    const record = readJson(sinkFile);
    assert.deepEqual(record.requestContext, {
      requestId,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:OkToFunction:$LATEST',
      condition: 'Success',
      approximateInvokeCount: 1,
    });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
    assert.deepEqual(record.responsePayload, { ok: true, n: 7 });
    const delivery = outcomeOf(requestId)?.deliveries[0];
    assert.equal(delivery?.target, 'OnSuccess');
    assert.ok(delivery?.requestId, 'the destination function was invoked asynchronously');
    assert.equal(outcomeOf(delivery.requestId!)?.event.functionName, 'Sink');
  });

  it('retries once (MaximumRetryAttempts 1): success on the retry goes to EventBridge, two failures to S3', async () => {
    const good = await sendEvent('Flaky', { attemptsFile: join(dir, 'flaky-good.log'), failTimes: 1 });
    const bad = await sendEvent('Flaky', { attemptsFile: join(dir, 'flaky-bad.log'), failTimes: 5 });
    await h.server.events.drain();
    assert.equal(attempts(join(dir, 'flaky-good.log')).length, 2);
    assert.equal(attempts(join(dir, 'flaky-bad.log')).length, 2, 'one retry, then given up');

    const busDir = join(asyncDir(), 'destinations', 'events', 'results');
    const [busFile] = filesUnder(busDir);
    const event = readJson(join(busDir, busFile));
    assert.equal(event['detail-type'], 'Lambda Function Invocation Result - Success');
    assert.equal(event.source, 'lambda');
    assert.deepEqual(event.resources, [
      'arn:aws:events:us-east-1:123456789012:event-bus/results',
      'arn:aws:lambda:us-east-1:123456789012:function:Flaky:$LATEST',
    ]);
    assert.equal(event.detail.requestContext.requestId, good);
    assert.equal(event.detail.requestContext.approximateInvokeCount, 2);
    assert.deepEqual(event.detail.responsePayload, { ok: true, attempts: 2 });

    const bucketDir = join(asyncDir(), 'destinations', 's3', 'failed-events');
    const [objectKey] = filesUnder(bucketDir);
    assert.match(objectKey, /^aws\/lambda\/async\/Flaky\/\d{4}\/\d\d\/\d\d\/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{36}$/);
    const record = readJson(join(bucketDir, objectKey));
    assert.equal(record.requestContext.requestId, bad);
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 2);
    assert.equal(record.responsePayload.errorMessage, 'flaky attempt 2');
  });

  it('keeps retrying a throttled event with back-off until it is too old: EventAgeExceeded, never invoked', async () => {
    const throttles: number[] = [];
    h.server.events.on('attempt', (a) => a.kind === 'throttled' && a.event.functionName === 'Throttled' && throttles.push(a.retryInMs!));
    // A synchronous invoke holds the function's only concurrency slot for a while.
    const started = new Promise<void>((ok) => h.runtime.once('invocationStarted', () => ok()));
    const holding = h.runtime.invoke('Throttled', JSON.stringify({ ms: 1500 }));
    await started;
    const requestId = await sendEvent('Throttled', { attemptsFile: join(dir, 'throttled.log') });
    await h.server.events.drain();
    await holding;
    assert.equal(attempts(join(dir, 'throttled.log')).length, 0);
    assert.ok(throttles.length >= 3, `throttled ${throttles.length} times`);
    assert.deepEqual(throttles.slice(0, 3), [1, 2, 4], 'the back-off doubles from 1 s (scaled)');
    const outcome = outcomeOf(requestId)!;
    assert.equal(outcome.condition, 'EventAgeExceeded');
    assert.equal(outcome.event.invokeCount, 0);
    const file = outcome.deliveries[0].file!;
    assert.ok(file.startsWith(join(asyncDir(), 'destinations', 'sqs', 'failures')));
    const record = readJson(file);
    assert.equal(record.requestContext.condition, 'EventAgeExceeded');
    assert.equal(record.requestContext.approximateInvokeCount, 0);
    assert.equal(record.responseContext, undefined, 'no run, no response');
  });

  it('sends events of a function with reserved concurrency 0 straight to its DLQ, unrun (DeadLetterConfig on AWS::Lambda::Function)', async () => {
    const requestId = await sendEvent('Disabled', { attemptsFile: join(dir, 'disabled.log') });
    await h.server.events.drain();
    assert.equal(attempts(join(dir, 'disabled.log')).length, 0);
    const [delivery] = outcomeOf(requestId)!.deliveries;
    assert.equal(delivery.target, 'DeadLetterQueue');
    const message = readJson(delivery.file!);
    assert.ok(delivery.file!.startsWith(join(asyncDir(), 'dead-letter', 'sqs', 'failures')));
    assert.deepEqual(JSON.parse(message.Body), { attemptsFile: join(dir, 'disabled.log') });
    assert.deepEqual(message.MessageAttributes.RequestID, { DataType: 'String', StringValue: requestId });
  });

  it('gives up a failed event whose retry would come after MaximumEventAgeInSeconds: EventAgeExceeded with the last response', async () => {
    await h.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'Plain',
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:expired' } },
      }),
    );
    const requestId = await sendEvent('Plain', { attemptsFile: join(dir, 'expired.log'), n: 2 });
    await h.server.events.drain();
    assert.equal(attempts(join(dir, 'expired.log')).length, 1, 'the retry, 60 (scaled) seconds later, finds the event too old');
    const outcome = outcomeOf(requestId)!;
    assert.equal(outcome.condition, 'EventAgeExceeded');
    const record = readJson(outcome.deliveries[0].file!);
    assert.equal(record.requestContext.approximateInvokeCount, 1);
    assert.equal(record.responseContext.functionError, 'Unhandled');
    assert.equal(record.responsePayload.errorMessage, 'boom 2');
  });

  it('sends a failure to the queue SAM creates when an SQS destination has no ARN (MaximumRetryAttempts 0: one run)', async () => {
    const requestId = await sendEvent('AutoQueue', { attemptsFile: join(dir, 'auto.log') });
    await h.server.events.drain();
    assert.equal(attempts(join(dir, 'auto.log')).length, 1);
    const delivery = outcomeOf(requestId)!.deliveries[0];
    assert.equal(delivery.arn, 'arn:aws:sqs:us-east-1:123456789012:AutoQueueEventInvokeConfigOnFailureQueue');
    assert.equal(readJson(delivery.file!).requestContext.approximateInvokeCount, 1);
  });

  it("follows the configuration of the alias invoked, and names the alias in the record's functionArn", async () => {
    const version = await h.client.send(new PublishVersionCommand({ FunctionName: 'Plain' }));
    await h.client.send(new CreateAliasCommand({ FunctionName: 'Plain', Name: 'live', FunctionVersion: version.Version }));
    await h.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'Plain',
        Qualifier: 'live',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:live-failures' } },
      }),
    );
    const out = await h.client.send(
      new InvokeCommand({
        FunctionName: 'Plain',
        Qualifier: 'live',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ attemptsFile: join(dir, 'alias.log') })),
      }),
    );
    await h.server.events.drain();
    assert.equal(attempts(join(dir, 'alias.log')).length, 1, "the alias's MaximumRetryAttempts 0, not $LATEST's default 2");
    const record = readJson(outcomeOf(out.$metadata.requestId!)!.deliveries[0].file!);
    assert.equal(record.requestContext.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:Plain:live');
    assert.equal(record.responseContext.executedVersion, version.Version);
  });

  it('on start, drops a queued event whose function left the template, keeping it with the reason', async () => {
    const queueDir = join(dir, 'restart-state', 'async', 'queue');
    mkdirSync(queueDir, { recursive: true });
    const payload = Buffer.from('{"left":true}');
    writeFileSync(
      join(queueDir, 'gone-1.json'),
      JSON.stringify({
        requestId: 'gone-1',
        functionName: 'Gone',
        payload: payload.toString('base64'),
        enqueuedAt: Date.now(),
        invokeCount: 1,
        throttles: 0,
        notBefore: 0,
      }),
    );
    const queue = new AsyncInvokeQueue(h.runtime, { stateDir: join(dir, 'restart-state') });
    const dropped: DroppedReport[] = [];
    queue.on('dropped', (d) => dropped.push(d));
    const { redriven } = await queue.start();
    assert.deepEqual(
      redriven.map((e) => e.requestId),
      ['gone-1'],
    );
    await queue.drain();
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0].reason, 'function Gone is no longer defined by a loaded template');
    assert.equal(dropped[0].file, join(dir, 'restart-state', 'async', 'dropped', 'gone-1.json'));
    const kept = readJson(dropped[0].file!);
    assert.equal(kept.payload, '{"left":true}');
    assert.equal(kept.reason, dropped[0].reason);
    assert.ok(!existsSync(join(queueDir, 'gone-1.json')));
  });

  it('runs each queued event in exactly one of two queues starting on one folder; takes over claims of a gone process (or of a pid now reused), not of a live one', async () => {
    const stateDir = join(dir, 'claims-state');
    const queueDir = join(stateDir, 'async', 'queue');
    const claimsDir = join(stateDir, 'async', 'claims');
    mkdirSync(queueDir, { recursive: true });
    mkdirSync(claimsDir, { recursive: true });
    const attemptsFile = join(dir, 'claims.log');
    const ids = ['left-1', 'left-2', 'left-3', 'left-4', 'dead-holder', 'live-holder', 'reused-pid'];
    for (const requestId of ids) {
      writeFileSync(
        join(queueDir, `${requestId}.json`),
        JSON.stringify({
          requestId,
          functionName: 'Slow',
          payload: Buffer.from(JSON.stringify({ attemptsFile })).toString('base64'),
          enqueuedAt: Date.now(),
          invokeCount: 0,
          throttles: 0,
          notBefore: 0,
        }),
      );
    }
    const exited = spawnSync(process.execPath, ['-e', '']);
    assert.ok(exited.pid);
    writeFileSync(join(claimsDir, 'dead-holder.json'), JSON.stringify({ pid: exited.pid, owner: 'a queue of a process that exited' }));
    // The parent of this test process (mocha or npm) outlives the test: a live holder.
    writeFileSync(join(claimsDir, 'live-holder.json'), JSON.stringify({ pid: process.ppid, owner: 'a live queue elsewhere' }));
    // That same live pid, but started at another time than the process holding it now: the holder is gone, its pid reused.
    writeFileSync(
      join(claimsDir, 'reused-pid.json'),
      JSON.stringify({ pid: process.ppid, holder: `${process.ppid}-1`, owner: 'a queue whose pid was reused' }),
    );

    const outcomes: string[] = [];
    const queues = [0, 1].map(() => {
      const queue = new AsyncInvokeQueue(h.runtime, { stateDir });
      queue.on('outcome', (o) => outcomes.push(o.event.requestId));
      return queue;
    });
    // One queue accepts an event while the other starts: the new event is claimed before it is on disk.
    const [fresh, ...started] = await Promise.all([
      queues[0].enqueue({ functionName: 'Slow', payload: Buffer.from(JSON.stringify({ attemptsFile })) }),
      queues[0].start(),
      queues[1].start(),
    ]);
    await Promise.all(queues.map((q) => q.drain()));

    const redriven = started.flatMap((s) => s.redriven.map((e) => e.requestId)).sort();
    assert.deepEqual(
      redriven,
      ['dead-holder', 'left-1', 'left-2', 'left-3', 'left-4', 'reused-pid'],
      'each left event redriven by one queue only',
    );
    assert.deepEqual(outcomes.sort(), [...redriven, fresh].sort());
    const runs = attempts(attemptsFile).map((a) => a.requestId);
    assert.deepEqual([...runs].sort(), [...redriven, fresh].sort(), 'every event ran once, the live holder’s not at all');
    assert.ok(existsSync(join(queueDir, 'live-holder.json')), 'the live holder’s event stays queued');
    assert.deepEqual(filesUnder(claimsDir), ['live-holder.json'], 'claims are let go of once their events are done');

    // Its holder gone, the event is taken over by a queue that starts again.
    writeFileSync(join(claimsDir, 'live-holder.json'), JSON.stringify({ pid: exited.pid, owner: 'gone now' }));
    const again = await queues[1].start();
    assert.deepEqual(
      again.redriven.map((e) => e.requestId),
      ['live-holder'],
    );
    await queues[1].drain();
    assert.deepEqual(
      outcomes.filter((id) => id === 'live-holder'),
      ['live-holder'],
    );
    for (const q of queues) q.close();
    assert.deepEqual(filesUnder(queueDir), []);
    assert.deepEqual(filesUnder(claimsDir), []);
  });

  it('accepts asynchronous payloads up to 1 MB and refuses larger ones', async () => {
    const pad = (n: number) => Buffer.from(JSON.stringify({ pad: 'x'.repeat(n - 10) }));
    const ok = await h.client.send(new InvokeCommand({ FunctionName: 'Sink', InvocationType: 'Event', Payload: pad(1000 * 1024) }));
    assert.equal(ok.StatusCode, 202);
    await assert.rejects(
      h.client.send(new InvokeCommand({ FunctionName: 'Plain', InvocationType: 'Event', Payload: pad(1024 * 1024 + 1) })),
      (err: Error) => err.name === 'RequestTooLargeException',
    );
    await h.server.events.drain();
  });
});
