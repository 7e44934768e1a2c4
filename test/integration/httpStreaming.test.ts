// Response streaming end to end: InvokeWithResponseStream through @aws-sdk/client-lambda (event
// stream decoding by the SDK itself), streaming function URLs and API routes through fetch, a
// custom runtime streaming through the Runtime API, and the function URL operations. Arrival
// before the handler ends is proven by events: the handler waits for a gate file the test
// writes only after it has received the previous chunk (a held-back chunk shows up as LATE).
import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  InvokeWithResponseStreamCommand,
  ListFunctionUrlConfigsCommand,
  UpdateFunctionUrlConfigCommand,
  type LambdaServiceException,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startHttpHarness, type HttpHarness } from '../fixtures/http/httpHarness';

async function serviceError(promise: Promise<unknown>): Promise<LambdaServiceException> {
  try {
    await promise;
  } catch (err) {
    return err as LambdaServiceException;
  }
  assert.fail('expected the call to fail');
}

/** Reads a streamed body; after the n-th chunk containing `marks[n]`, opens gate n+1. */
async function readGated(res: Response, gate: string, marks: string[], order: string[]): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let opened = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    while (opened < marks.length && text.includes(marks[opened])) {
      order.push(`received ${marks[opened]}`);
      writeFileSync(`${gate}.${++opened}`, '');
    }
  }
}

describe('HTTP front doors: response streaming (integration)', function () {
  this.timeout(60_000);
  let h: HttpHarness;
  let order: string[];

  before(async () => {
    h = await startHttpHarness();
    h.runtime.on('invocationEnded', (info) => order?.push(`ended ${info.functionName}`));
  });
  after(() => h?.stop());
  beforeEach(() => {
    order = [];
  });

  it('InvokeWithResponseStream: PayloadChunk events while the handler writes, then InvokeComplete', async () => {
    const gate = h.gate();
    const out = await h.client.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'StreamFunction',
        Payload: Buffer.from(JSON.stringify({ queryStringParameters: { gate } })),
        LogType: 'Tail',
      }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    const chunks: string[] = [];
    let complete: Record<string, unknown> | undefined;
    for await (const event of out.EventStream!) {
      if (event.PayloadChunk?.Payload) {
        const text = Buffer.from(event.PayloadChunk.Payload).toString('latin1');
        chunks.push(text);
        if (text.includes('one;')) {
          order.push('received one;');
          writeFileSync(`${gate}.1`, '');
        }
        if (text.includes('two;')) {
          order.push('received two;');
          writeFileSync(`${gate}.2`, '');
        }
      }
      if (event.InvokeComplete) complete = event.InvokeComplete as Record<string, unknown>;
    }
    const body = chunks.join('');
    // InvokeWithResponseStream hands over the raw stream: the HttpResponseStream prelude included.
    assert.equal(
      body,
      '{"statusCode":201,"headers":{"content-type":"text/plain","x-stream":"yes"},"cookies":["s=1"]}\0\0\0\0\0\0\0\0one;two;three',
    );
    assert.ok(chunks.length >= 3, `chunks arrive separately (${chunks.length})`);
    assert.deepEqual(order, ['received one;', 'received two;', 'ended StreamFunction']);
    assert.equal(complete?.ErrorCode, undefined);
    assert.match(Buffer.from(String(complete?.LogResult), 'base64').toString(), /REPORT RequestId/);
  });

  it('InvokeWithResponseStream: a buffered handler arrives as one chunk; errors as ErrorCode/ErrorDetails', async () => {
    const ok = await h.client.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'ShapesFunction',
        Payload: Buffer.from('{"queryStringParameters":{"shape":"bare-object"}}'),
      }),
    );
    const events = [];
    for await (const e of ok.EventStream!) events.push(e);
    assert.equal(events.length, 2);
    assert.equal(Buffer.from(events[0].PayloadChunk!.Payload!).toString(), '{"hello":"world"}');
    assert.deepEqual(events[1].InvokeComplete, {});

    const failed = await h.client.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'ShapesFunction',
        Payload: Buffer.from('{"queryStringParameters":{"shape":"throw"}}'),
      }),
    );
    const last = [];
    for await (const e of failed.EventStream!) last.push(e);
    assert.equal(last.length, 1, 'no PayloadChunk for a failed buffered handler');
    assert.equal(last[0].InvokeComplete!.ErrorCode, 'Error');
    assert.equal(last[0].InvokeComplete!.ErrorDetails, 'boom');

    const missing = await serviceError(
      h.client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Nope', Payload: Buffer.from('{}') })),
    );
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('a RESPONSE_STREAM function URL sends HttpResponseStream metadata and each chunk before the handler ends', async () => {
    const gate = h.gate();
    const res = await fetch(`${h.functionUrl('StreamFunction')}?gate=${encodeURIComponent(gate)}`);
    order.push(`head ${res.status}`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-stream'), 'yes');
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.deepEqual(res.headers.getSetCookie(), ['s=1']);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    const body = await readGated(res, gate, ['one;', 'two;'], order);
    assert.equal(body, 'one;two;three');
    assert.deepEqual(order, ['head 201', 'received one;', 'received two;', 'ended StreamFunction']);
  });

  it('a streaming handler behind an HTTP API route streams too', async () => {
    const gate = h.gate();
    const res = await fetch(`${h.api('HttpApi')}/stream?gate=${encodeURIComponent(gate)}`, {
      headers: { origin: 'http://allowed.localhost' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://allowed.localhost');
    assert.ok(res.headers.get('apigw-requestid'));
    assert.equal(await readGated(res, gate, ['one;', 'two;'], order), 'one;two;three');
    assert.deepEqual(order, ['received one;', 'received two;', 'ended StreamFunction']);
  });

  it('an error after the first bytes cuts the streamed body short', async () => {
    const gate = h.gate();
    const res = await fetch(`${h.functionUrl('StreamFunction')}?fail=1&gate=${encodeURIComponent(gate)}`);
    assert.equal(res.status, 201);
    const received: string[] = [];
    await assert.rejects(readGated(res, gate, ['one;', 'two;'], received), /terminated/);
    assert.deepEqual(received, ['received one;', 'received two;']);
  });

  it('a custom runtime streaming through the Runtime API reaches the client chunk by chunk', async () => {
    const gate = h.gate();
    const res = await fetch(`${h.functionUrl('CustomStreamFunction')}?gate=${encodeURIComponent(gate)}`);
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('x-runtime'), 'custom');
    assert.equal(await readGated(res, gate, ['alpha;'], order), 'alpha;omega');
    assert.deepEqual(order, ['received alpha;', 'ended CustomStreamFunction']);
  });

  it('a BUFFERED function URL answers a streaming handler whole, with its metadata', async () => {
    await h.client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'StreamFunction', InvokeMode: 'BUFFERED' }));
    try {
      const res = await fetch(h.functionUrl('StreamFunction'));
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-stream'), 'yes');
      assert.equal(res.headers.get('content-length'), '13');
      assert.equal(await res.text(), 'one;two;three');
    } finally {
      await h.client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'StreamFunction', InvokeMode: 'RESPONSE_STREAM' }));
    }
  });

  it('function URL operations: Create/Get/Update/List/Delete, with FunctionUrl answering locally', async () => {
    const created = await h.client.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'ShapesFunction', AuthType: 'NONE', Cors: { AllowOrigins: ['*'] } }),
    );
    assert.match(created.FunctionUrl!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:ShapesFunction');
    assert.equal(created.InvokeMode, 'BUFFERED');
    const answered = await fetch(`${created.FunctionUrl}?shape=bare-string`);
    assert.equal(await answered.text(), 'just text');

    const again = await serviceError(
      h.client.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'ShapesFunction', AuthType: 'NONE' })),
    );
    assert.equal(again.name, 'ResourceConflictException');
    const got = await h.client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'ShapesFunction' }));
    assert.equal(got.FunctionUrl, created.FunctionUrl);
    assert.deepEqual(got.Cors?.AllowOrigins, ['*']);

    const updated = await h.client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'ShapesFunction', AuthType: 'AWS_IAM' }));
    assert.equal(updated.AuthType, 'AWS_IAM');
    assert.equal((await fetch(created.FunctionUrl!)).status, 403);

    const listed = await h.client.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'ShapesFunction' }));
    assert.deepEqual(
      listed.FunctionUrlConfigs?.map((c) => c.FunctionUrl),
      [created.FunctionUrl],
    );
    const templateUrl = await h.client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'StreamFunction' }));
    assert.equal(templateUrl.InvokeMode, 'RESPONSE_STREAM');

    await h.client.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'ShapesFunction' }));
    await assert.rejects(fetch(created.FunctionUrl!), /fetch failed/);
    const gone = await serviceError(h.client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'ShapesFunction' })));
    assert.equal(gone.name, 'ResourceNotFoundException');
  });
});
