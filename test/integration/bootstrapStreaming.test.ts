// Response streaming from the Node bootstrap: awslambda.streamifyResponse handlers post a
// chunked .../response in streaming mode; HttpResponseStream adds the function-URL prelude;
// errors after the first byte travel as trailers.
import assert from 'node:assert/strict';
import { BootstrapSession, ensureBootstrapBuilt, fixture, type InvocationOutcome } from './runtimeApiTestServer';

describe('Node bootstrap: response streaming', function () {
  this.timeout(30_000);
  const sessions: BootstrapSession[] = [];
  const start = async (handler: string) => {
    const session = await BootstrapSession.start({ taskRoot: fixture('streaming'), handler: `index.${handler}` });
    sessions.push(session);
    return session;
  };
  const streamed = (outcome: InvocationOutcome) => {
    assert.equal(outcome.kind, 'response', `function error: ${outcome.body}`);
    assert.equal(outcome.headers['lambda-runtime-function-response-mode'], 'streaming');
    assert.equal(outcome.headers['transfer-encoding'], 'chunked');
    return outcome;
  };

  before(ensureBootstrapBuilt);
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
  });

  it('streams written chunks with the content type the handler set, invocation after invocation', async () => {
    const session = await start('chunks');
    for (const requestId of ['s-1', 's-2']) {
      const outcome = streamed(await session.invoke({ requestId }));
      assert.equal(outcome.headers['content-type'], 'text/plain');
      assert.equal(outcome.body.toString(), `hello from ${requestId}`);
      assert.deepEqual(outcome.trailers, {});
    }
  });

  it('defaults to application/octet-stream and JSON-encodes non-buffer chunks', async () => {
    const outcome = streamed(await (await start('objects')).invoke());
    assert.equal(outcome.headers['content-type'], 'application/octet-stream');
    assert.equal(outcome.body.toString(), '{"not":"a buffer"}');
  });

  it('works as the destination of stream.pipeline', async () => {
    assert.equal(streamed(await (await start('piped')).invoke()).body.toString(), 'abc');
  });

  it('writes the HttpResponseStream prelude and 8 NUL bytes before the body', async () => {
    const outcome = streamed(await (await start('httpIntegration')).invoke());
    assert.equal(outcome.headers['content-type'], 'application/vnd.awslambda.http-integration-response');
    const body = outcome.body;
    const delimiter = body.indexOf(Buffer.alloc(8));
    assert.ok(delimiter > 0, body.toString('hex'));
    assert.deepEqual(JSON.parse(body.subarray(0, delimiter).toString()), {
      statusCode: 201,
      headers: { 'x-custom': 'yes' },
      cookies: ['a=b'],
    });
    assert.equal(body.subarray(delimiter + 8).toString(), 'created');
  });

  it('writes the prelude even when the body is empty', async () => {
    const body = streamed(await (await start('httpIntegrationEmpty')).invoke()).body;
    assert.deepEqual(body, Buffer.concat([Buffer.from('{"statusCode":204}'), Buffer.alloc(8)]));
  });

  it('reports an error after the first byte in the error trailers, and keeps serving', async () => {
    const session = await start('failsMidStream');
    const outcome = streamed(await session.invoke());
    assert.equal(outcome.body.toString(), 'partial');
    assert.equal(outcome.trailers['lambda-runtime-function-error-type'], 'Error');
    const error = JSON.parse(Buffer.from(outcome.trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString());
    assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'stream broke']);
    assert.equal(error.trace[0], 'Error: stream broke');
    assert.equal(streamed(await session.invoke()).body.toString(), 'partial');
  });

  it('rejects a streamified handler that is not async', async () => {
    const outcome = await (await start('notAsync')).invoke();
    assert.equal(outcome.trailers['lambda-runtime-function-error-type'], 'string');
    const error = JSON.parse(Buffer.from(outcome.trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString());
    assert.equal(error.errorMessage, 'Streaming does not support non-async handlers.');
  });
});
