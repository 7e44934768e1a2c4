// The EventInvokeConfig operations as the AWS SDK and the AWS CLI call them: Lambda's paths,
// shapes, limits and errors; the template's configuration visible and overridable; and the
// configuration the API puts is the one the queue then follows.
import {
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OutcomeReport } from '../../src/runtime/lambdaApi/asyncInvokeQueue';
import { startHarness, type Harness } from '../fixtures/api/apiHarness';
import { attempts, copyAsyncFixture, readJson } from '../fixtures/async/asyncHarness';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

describe('EventInvokeConfig API (integration)', function () {
  this.timeout(60_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    dir = copyAsyncFixture();
    h = await startHarness(dir, { runtime: { asyncRetryDelayScale: 0.001 } });
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as Error & { $metadata: { httpStatusCode: number } };
    }
    assert.fail('expected the call to fail');
  };

  it("answers Get with the template's EventInvokeConfig (SAM and AWS::Lambda::EventInvokeConfig)", async () => {
    const sam = await h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'FailsToQueue' }));
    assert.equal(sam.FunctionArn, `${ARN}:FailsToQueue:$LATEST`);
    assert.equal(sam.MaximumRetryAttempts, 2);
    assert.equal(sam.MaximumEventAgeInSeconds, undefined);
    assert.deepEqual(sam.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:failures' } });
    assert.ok(sam.LastModified instanceof Date && !Number.isNaN(sam.LastModified.getTime()));

    const cfn = await h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Throttled', Qualifier: '$LATEST' }));
    assert.equal(cfn.MaximumEventAgeInSeconds, 60);
    assert.equal(cfn.DestinationConfig?.OnFailure?.Destination, 'arn:aws:sqs:us-east-1:123456789012:failures');

    const none = await rejection(h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Plain' })));
    assert.equal(none.name, 'ResourceNotFoundException');
    assert.equal(none.message, `The function ${ARN}:Plain:$LATEST doesn't have an EventInvokeConfig`);
    const noFunction = await rejection(h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Nope' })));
    assert.equal(noFunction.name, 'ResourceNotFoundException');
  });

  it('validates as Lambda does: retries 0-2, event age 60-21600, destination ARNs', async () => {
    const retries = await rejection(
      h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'Plain', MaximumRetryAttempts: 3 })),
    );
    assert.equal(retries.name, 'ValidationException');
    assert.equal(retries.$metadata.httpStatusCode, 400);
    assert.match(retries.message, /'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2/);
    const age = await rejection(
      h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'Plain', MaximumEventAgeInSeconds: 59 })),
    );
    assert.equal(age.name, 'ValidationException');
    assert.match(age.message, /greater than or equal to 60/);
    const tooOld = await rejection(
      h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'Plain', MaximumEventAgeInSeconds: 21601 })),
    );
    assert.equal(tooOld.name, 'ValidationException');
    const badArn = await rejection(
      h.client.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'Plain',
          DestinationConfig: { OnFailure: { Destination: 'arn:aws:dynamodb:us-east-1:123456789012:table/t' } },
        }),
      ),
    );
    assert.equal(badArn.name, 'InvalidParameterValueException');
    const s3OnSuccess = await rejection(
      h.client.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'Plain',
          DestinationConfig: { OnSuccess: { Destination: 'arn:aws:s3:::bucket' } },
        }),
      ),
    );
    assert.equal(s3OnSuccess.name, 'InvalidParameterValueException');
    const noAlias = await rejection(
      h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'Plain', Qualifier: 'live', MaximumRetryAttempts: 1 })),
    );
    assert.equal(noAlias.name, 'ResourceNotFoundException');
    await assert.rejects(
      h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Plain' })),
      { name: 'ResourceNotFoundException' },
      'nothing was stored',
    );
  });

  it('puts, updates (merging), lists and deletes, per qualifier, and the queue follows the configuration put', async () => {
    const put = await h.client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'Plain',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:123456789012:plain-failures' } },
      }),
    );
    assert.equal(put.FunctionArn, `${ARN}:Plain:$LATEST`);
    assert.equal(put.MaximumRetryAttempts, 0);

    const outcomes: OutcomeReport[] = [];
    h.server.events.on('outcome', (o) => outcomes.push(o));
    const out = await h.client.send(
      new InvokeCommand({
        FunctionName: 'Plain',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ attemptsFile: join(dir, 'plain.log') })),
      }),
    );
    await h.server.events.drain();
    assert.equal(attempts(join(dir, 'plain.log')).length, 1, 'MaximumRetryAttempts 0: no retry');
    const outcome = outcomes.find((o) => o.event.requestId === out.$metadata.requestId)!;
    assert.equal(outcome.deliveries[0].arn, 'arn:aws:sns:us-east-1:123456789012:plain-failures');
    assert.equal(readJson(outcome.deliveries[0].file!).requestContext.condition, 'RetriesExhausted');

    const updated = await h.client.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'Plain', MaximumEventAgeInSeconds: 3600 }),
    );
    assert.equal(updated.MaximumRetryAttempts, 0, 'fields left out keep their values');
    assert.equal(updated.MaximumEventAgeInSeconds, 3600);
    assert.equal(updated.DestinationConfig?.OnFailure?.Destination, 'arn:aws:sns:us-east-1:123456789012:plain-failures');

    const version = await h.client.send(new PublishVersionCommand({ FunctionName: 'Plain' }));
    await h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: `Plain:${version.Version}`, MaximumRetryAttempts: 1 }));
    const list = await h.client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'Plain' }));
    assert.deepEqual(list.FunctionEventInvokeConfigs?.map((c) => [c.FunctionArn, c.MaximumRetryAttempts]).sort(), [
      [`${ARN}:Plain:$LATEST`, 0],
      [`${ARN}:Plain:${version.Version}`, 1],
    ]);
    const paged = await h.client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'Plain', MaxItems: 1 }));
    assert.equal(paged.FunctionEventInvokeConfigs?.length, 1);
    assert.equal(paged.NextMarker, '1');

    await h.client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'Plain' }));
    await assert.rejects(h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Plain' })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(h.client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'Plain' })), {
      name: 'ResourceNotFoundException',
    });
    assert.equal(
      (await h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Plain', Qualifier: version.Version })))
        .MaximumRetryAttempts,
      1,
    );
  });

  it('overrides and deletes a template configuration through the API', async () => {
    await h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'Flaky', MaximumRetryAttempts: 2 }));
    const got = await h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Flaky' }));
    assert.equal(got.MaximumRetryAttempts, 2);
    assert.deepEqual(got.DestinationConfig, { OnSuccess: {}, OnFailure: {} }, 'Put replaces the whole configuration');
    await h.client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'Flaky' }));
    await assert.rejects(h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'Flaky' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('serves the AWS CLI (put-, get-, list-function-event-invoke-config(s))', async function () {
    const version = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    if (version.error) {
      console.log('      skipped: the AWS CLI (`aws`, Debian package awscli) is not on PATH');
      this.skip();
    }
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    /** The fields these tests read from the AWS CLI's JSON output. */
    type CliOutput = {
      FunctionArn?: string;
      LastModified?: unknown;
      MaximumEventAgeInSeconds?: number;
      DestinationConfig?: unknown;
      FunctionEventInvokeConfigs: unknown[];
    };
    const aws = (...args: string[]) =>
      new Promise<CliOutput>((ok, fail) =>
        execFile(
          'aws',
          ['lambda', ...args, '--endpoint-url', h.server.url, '--region', 'us-east-1', '--output', 'json'],
          { env },
          (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(JSON.parse(out || '{}'))),
        ),
      );
    const put = await aws(
      'put-function-event-invoke-config',
      '--function-name',
      'OkToFunction',
      '--maximum-retry-attempts',
      '1',
      '--maximum-event-age-in-seconds',
      '120',
      '--destination-config',
      JSON.stringify({ OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:cli-failures' } }),
    );
    assert.equal(put.FunctionArn, `${ARN}:OkToFunction:$LATEST`);
    assert.equal(typeof put.LastModified, 'number', 'LastModified is an epoch-seconds timestamp');
    const got = await aws('get-function-event-invoke-config', '--function-name', 'OkToFunction');
    assert.equal(got.MaximumEventAgeInSeconds, 120);
    assert.deepEqual(got.DestinationConfig, {
      OnSuccess: {},
      OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:cli-failures' },
    });
    const list = await aws('list-function-event-invoke-configs', '--function-name', 'OkToFunction');
    assert.equal(list.FunctionEventInvokeConfigs.length, 1);
    await assert.rejects(
      aws('put-function-event-invoke-config', '--function-name', 'OkToFunction', '--maximum-retry-attempts', '5'),
      /ValidationException/,
    );
  });
});
