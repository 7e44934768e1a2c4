// The Lambda API server against the real clients: @aws-sdk/client-lambda and the AWS CLI.
import {
  CreateFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  type LambdaServiceException,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InvocationInfo } from '../../src/runtime/runtimeEvents';
import { copyFixture, json, startHarness, text, type Harness } from '../fixtures/api/apiHarness';

async function serviceError(promise: Promise<unknown>): Promise<LambdaServiceException> {
  try {
    await promise;
  } catch (err) {
    return err as LambdaServiceException;
  }
  assert.fail('expected the call to fail');
}

describe('Lambda API server (integration)', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness(copyFixture('basic'));
  });
  after(() => h?.stop(true));

  it('invokes through the SDK with LogType Tail, client context and the executed version', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 't1' } })).toString('base64');
    const out = await h.client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"hello":"sdk"}'), LogType: 'Tail', ClientContext: clientContext }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    const body = json(out.Payload);
    assert.deepEqual(body.event, { hello: 'sdk' });
    assert.deepEqual((body.clientContext as { custom: unknown }).custom, { tenant: 't1' });
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString();
    assert.match(log, new RegExp(`START RequestId: ${body.requestId} Version: \\$LATEST`));
    assert.match(log, /echo invoked \{"hello":"sdk"\}/);
    assert.match(log, /REPORT RequestId: .*Duration: /);
  });

  it('returns only the last 4 KB of a long log, and function errors with X-Amz-Function-Error', async () => {
    const long = await h.client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"logBytes":20000}'), LogType: 'Tail' }),
    );
    const tail = Buffer.from(long.LogResult ?? '', 'base64');
    assert.equal(tail.length, 4096);
    assert.match(tail.toString(), /REPORT RequestId: /);

    const failed = await h.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":"on purpose"}') }));
    assert.equal(failed.StatusCode, 200);
    assert.equal(failed.FunctionError, 'Unhandled');
    assert.equal(json(failed.Payload).errorMessage, 'asked to fail: on purpose');
  });

  it('answers service errors with the types and statuses the SDK knows', async () => {
    const missing = await serviceError(h.client.send(new InvokeCommand({ FunctionName: 'no-such-function' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(missing.$metadata.httpStatusCode, 404);
    assert.match(missing.message, /no-such-function/);

    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) }));
    const tooLarge = await serviceError(h.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })));
    assert.equal(tooLarge.name, 'RequestTooLargeException');
    assert.equal(tooLarge.$metadata.httpStatusCode, 413);

    const badQualifier = await serviceError(h.client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'nope' })));
    assert.equal(badQualifier.name, 'ResourceNotFoundException');

    const unsupported = await serviceError(
      h.client.send(new CreateFunctionCommand({ FunctionName: 'x', Role: 'r', Code: { ZipFile: Buffer.from('') } })),
    );
    assert.equal(unsupported.name, 'UnknownOperationException');
    assert.match(unsupported.message, /does not serve POST \/2015-03-31\/functions/);
    // The list is the route table's: every route by its operation name, each a real Lambda API command.
    const listed = /It emulates (.*); functions and layers/.exec(unsupported.message)?.[1].split(', ') ?? [];
    for (const newest of ['Invoke', 'PutProvisionedConcurrencyConfig', 'ListDurableExecutionsByFunction', 'GetFunctionEventInvokeConfig']) {
      assert.ok(listed.includes(newest), `${newest} missing from: ${unsupported.message}`);
    }
    const sdkCommands = new Set(Object.keys(await import('@aws-sdk/client-lambda')).filter((k) => k.endsWith('Command')));
    for (const name of listed) assert.ok(sdkCommands.has(`${name}Command`), `"${name}" is not a Lambda API operation`);
  });

  it('queues Event invocations (202, run once) and answers DryRun with 204', async () => {
    const ran: InvocationInfo[] = [];
    const onStart = (info: InvocationInfo) => ran.push(info);
    h.runtime.on('invocationStarted', onStart);
    try {
      const event = await h.client.send(
        new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.from('{"async":true}') }),
      );
      assert.equal(event.StatusCode, 202);
      assert.equal(text(event.Payload), '');
      const requestId = event.$metadata.requestId;
      assert.ok(requestId);
      await h.server.events.drain();
      assert.equal(ran.filter((i) => i.requestId === requestId).length, 1);

      const dry = await h.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
      assert.equal(dry.StatusCode, 204);
      assert.equal(ran.length, 1, 'DryRun runs nothing');
    } finally {
      h.runtime.off('invocationStarted', onStart);
    }
    const asyncTooLarge = await serviceError(
      h.client.send(
        new InvokeCommand({
          FunctionName: 'echo',
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify({ pad: 'x'.repeat(1_100_000) })),
        }),
      ),
    );
    assert.equal(asyncTooLarge.name, 'RequestTooLargeException');
  });

  it('lists and describes functions, and sets reserved concurrency', async () => {
    const list = await h.client.send(new ListFunctionsCommand({}));
    assert.deepEqual(list.Functions?.map((f) => f.FunctionName).sort(), ['echo', 'slow']);
    const config = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    assert.equal(config.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:echo');
    assert.equal(config.Handler, 'app.handler');
    assert.equal(config.Version, '$LATEST');
    assert.match(config.CodeSha256 ?? '', /^[A-Za-z0-9+/]{43}=$/);

    assert.equal((await h.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'slow' }))).ReservedConcurrentExecutions, 5);
    await h.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 3 }));
    assert.equal((await h.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' }))).ReservedConcurrentExecutions, 3);
    assert.equal(h.runtime.getFunction('echo')?.reservedConcurrentExecutions, 3);
    await h.client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'echo' }));
    assert.equal(
      (await h.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' }))).ReservedConcurrentExecutions,
      undefined,
    );
  });

  it('answers 200 concurrent SDK invokes with reserved concurrency 5 exactly once each: result or 429', async () => {
    let started = 0;
    const onStart = (info: InvocationInfo) => {
      if (info.functionName === 'slow') started++;
    };
    h.runtime.on('invocationStarted', onStart);
    const outcomes = new Map<number, string>();
    try {
      await Promise.all(
        Array.from({ length: 200 }, async (_, id) => {
          try {
            const out = await h.client.send(
              new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from(JSON.stringify({ id, ms: 300 })) }),
            );
            assert.equal(json(out.Payload).id, id, 'each caller gets its own result');
            assert.ok(!outcomes.has(id));
            outcomes.set(id, 'ok');
          } catch (err) {
            const e = err as LambdaServiceException;
            assert.equal(e.name, 'TooManyRequestsException', String(err));
            assert.equal(e.$metadata.httpStatusCode, 429);
            assert.ok(!outcomes.has(id));
            outcomes.set(id, 'throttled');
          }
        }),
      );
    } finally {
      h.runtime.off('invocationStarted', onStart);
    }
    const ok = [...outcomes.values()].filter((o) => o === 'ok').length;
    assert.equal(outcomes.size, 200);
    assert.ok(ok >= 5, `at least the 5 reserved environments answered (got ${ok})`);
    assert.ok(200 - ok > 0, 'some were throttled');
    assert.equal(started, ok, 'every successful answer ran exactly once; throttled ones never ran');
    assert.ok(h.runtime.environments('slow').length <= 5);
  });

  it('round-trips through the AWS CLI (aws lambda invoke --endpoint-url)', async function () {
    const version = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    if (version.error) {
      console.log('      skipped: the AWS CLI (`aws`, Debian package awscli) is not on PATH');
      this.skip();
    }
    const v2 = /aws-cli\/2/.test(version.stdout + version.stderr);
    const outFile = join(h.dir, 'cli-out.json');
    const args = [
      'lambda',
      'invoke',
      '--endpoint-url',
      h.server.url,
      '--region',
      'us-east-1',
      '--function-name',
      'echo',
      '--payload',
      '{"from":"cli"}',
      '--log-type',
      'Tail',
      ...(v2 ? ['--cli-binary-format', 'raw-in-base64-out'] : []),
      outFile,
    ];
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const stdout = await new Promise<string>((ok, fail) =>
      execFile('aws', args, { env }, (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out))),
    );
    const meta = JSON.parse(stdout) as { StatusCode: number; ExecutedVersion: string; LogResult: string };
    assert.equal(meta.StatusCode, 200);
    assert.equal(meta.ExecutedVersion, '$LATEST');
    assert.match(Buffer.from(meta.LogResult, 'base64').toString(), /echo invoked \{"from":"cli"\}/);
    assert.deepEqual(JSON.parse(readFileSync(outFile, 'utf8')).event, { from: 'cli' });
  });
});
