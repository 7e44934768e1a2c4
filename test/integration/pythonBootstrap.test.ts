// The Python bootstrap as a Runtime API client, against a real API server: the context it
// builds, how answers are encoded, the error shapes, and what ends the process — each as the
// managed Python runtime (awslambdaric) does it.
import assert from 'node:assert/strict';
import { PythonSession, pythonFixture, requirePython, type PythonErrorBody, type PythonStartOptions } from './pythonHarness';
import { ensureBootstrapBuilt, type InvocationOutcome } from './runtimeApiTestServer';

describe('Python bootstrap: invocations', function () {
  this.timeout(30_000);
  const sessions: PythonSession[] = [];
  const start = async (handler: string, options: Partial<PythonStartOptions> = {}) => {
    const session = await PythonSession.start({ taskRoot: pythonFixture('handlers'), handler, ...options });
    sessions.push(session);
    return session;
  };
  const invokeOnce = async (handler: string, event: unknown = {}, options: Partial<PythonStartOptions> = {}) =>
    (await start(handler, options)).invoke({ event });
  const response = (outcome: InvocationOutcome) => {
    assert.equal(outcome.kind, 'response', `function error: ${outcome.body}`);
    return JSON.parse(outcome.body.toString());
  };
  const functionError = (outcome: InvocationOutcome) => {
    assert.equal(outcome.kind, 'error', `expected an error, got ${outcome.body}`);
    const body = JSON.parse(outcome.body.toString()) as PythonErrorBody;
    assert.equal(outcome.headers['lambda-runtime-function-error-type'], body.errorType);
    assert.equal(body.requestId, outcome.requestId);
    return body;
  };

  before(function () {
    requirePython(this);
    ensureBootstrapBuilt();
  });
  afterEach(async () => {
    const done = sessions.splice(0);
    await Promise.all(done.map((s) => s.dispose()));
    for (const s of done) assert.equal(s.server.strayPosts, 0);
  });

  it('keeps module state across invocations of one process, over one keep-alive connection', async () => {
    const session = await start('app.echo');
    assert.deepEqual(response(await session.invoke({ event: 'one' })), { event: 'one', invocations: 1 });
    assert.deepEqual(response(await session.invoke({ event: { n: 2 } })), { event: { n: 2 }, invocations: 2 });
    assert.deepEqual(response(await session.invoke({ rawBody: 'null' })), { event: null, invocations: 3 });
    assert.equal(session.server.connections, 1);
    // This server answers 202 to an answer that asked for the next event: the client asked once, then polled.
    assert.equal(session.server.answersCarryingPoll, 1);
  });

  it('gives the handler a context with every attribute, and the code root first on sys.path', async () => {
    const session = await start('app.context_attributes', { logFd: true });
    const deadlineMs = Date.now() + 42_000;
    const first = response(
      await session.invoke({
        requestId: 'ctx-1',
        deadlineMs,
        traceId: 'Root=1-5e1b4151-5ac6c58dc39a4b7bb2d18a22;Parent=0;Sampled=0',
        clientContext: { custom: { k: 'v' }, env: { platform: 'test' }, client: { installation_id: 'install-1' } },
        cognitoIdentity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      }),
    );
    assert.ok(first.remaining > 30_000 && first.remaining <= 42_000, `remaining ${first.remaining}`);
    delete first.remaining;
    assert.equal(first.sys_path_head[0], pythonFixture('handlers'));
    delete first.sys_path_head;
    assert.deepEqual(first, {
      aws_request_id: 'ctx-1',
      log_group_name: '/aws/lambda/fn',
      log_stream_name: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      function_name: 'fn',
      memory_limit_in_mb: '128',
      function_version: '$LATEST',
      invoked_function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      identity: ['id-1', 'pool-1'],
      client_context: { custom: { k: 'v' }, env: { platform: 'test' }, client: 'install-1' },
      trace_id: 'Root=1-5e1b4151-5ac6c58dc39a4b7bb2d18a22;Parent=0;Sampled=0',
      private_env: [],
      cwd: pythonFixture('handlers'),
      repr: true,
    });
    // Without the headers: identity fields are None, client_context is None, the trace id is gone.
    const second = response(await session.invoke({ requestId: 'ctx-2', deadlineMs: Date.now() - 5 }));
    assert.deepEqual([second.identity, second.client_context, second.trace_id, second.remaining], [[null, null], null, null, 0]);
  });

  describe('answers', () => {
    it('encodes Decimal as its digits, NaN and Infinity bare, namedtuples and _asdict() objects as objects, bytes as text (python3.12+: non-ASCII as-is)', async () => {
      const outcome = await invokeOnce('app.decimals', {}, { runtime: 'python3.12' });
      assert.equal(outcome.headers['content-type'], 'application/json');
      assert.equal(
        outcome.body.toString(),
        '{"price": 1.10, "big": 12345678901234567890.000000001, "nan": NaN, "float_nan": NaN, "inf": Infinity, ' +
          '"text": "h\u00e9llo", "point": {"x": 1, "y": 2}, "raw": "bytes", "tuple": [1, 2], "record": {"kind": "record"}}',
      );
    });

    it('escapes non-ASCII before python3.12, as simplejson did there', async () => {
      const outcome = await invokeOnce('app.decimals', {}, { runtime: 'python3.11' });
      assert.match(outcome.body.toString(), /"text": "h\\u00e9llo"/);
    });

    it('posts a bytes response raw as application/unknown, and None as null', async () => {
      const raw = await invokeOnce('app.raw_bytes');
      assert.equal(raw.headers['content-type'], 'application/unknown');
      assert.deepEqual(raw.body, Buffer.from('\x00\x01not json', 'latin1'));
      assert.equal((await invokeOnce('app.returns_none')).body.toString(), 'null');
    });
  });

  describe('function errors', () => {
    it('shapes an exception as {errorMessage, errorType, requestId, stackTrace} from the handler frame on', async () => {
      const error = functionError(await invokeOnce('app.raises', 7));
      assert.equal(error.errorType, 'ValueError');
      assert.equal(error.errorMessage, 'bad value: 7');
      assert.equal(error.stackTrace.length, 2);
      assert.match(error.stackTrace[0], /^ {2}File ".*\/handlers\/app\.py", line \d+, in raises\n {4}inner\(\)\n$/);
      assert.match(error.stackTrace[1], /in inner\n {4}raise ValueError/);
    });

    it("names the exception's own class", async () => {
      const error = functionError(await invokeOnce('app.custom_error'));
      assert.deepEqual([error.errorType, error.errorMessage], ['OrderError', 'order 42 is gone']);
    });

    it('reports a response that cannot be encoded as Runtime.MarshalError', async () => {
      const error = functionError(await invokeOnce('app.unserialisable'));
      assert.deepEqual(
        [error.errorType, error.errorMessage, error.stackTrace],
        ['Runtime.MarshalError', 'Unable to marshal response: Object of type set is not JSON serializable', []],
      );
    });

    it('reports an event that is not JSON as Runtime.UnmarshalError, and keeps serving', async () => {
      const session = await start('app.echo');
      const error = functionError(await session.invoke({ rawBody: 'not json' }));
      assert.deepEqual(
        [error.errorType, error.errorMessage],
        ['Runtime.UnmarshalError', 'Unable to unmarshal input: Expecting value: line 1 column 1 (char 0)'],
      );
      assert.deepEqual(response(await session.invoke({ event: 1 })), { event: 1, invocations: 1 });
    });

    it('calls a handler attribute that is not a function, failing at invoke as Lambda does', async () => {
      const error = functionError(await invokeOnce('broken/not_callable.handler'));
      assert.deepEqual([error.errorType, error.errorMessage], ['TypeError', "'str' object is not callable"]);
    });

    it('logs the error as one [ERROR] record, indented with no-break spaces, at the throwing line', async () => {
      const session = await start('app.raises', { logFd: true });
      const outcome = await session.invoke({ event: 1 });
      await session.process.until(() => session.process.logRecords.some((r) => r.level === 'ERROR'));
      const record = session.process.logRecords.find((r) => r.level === 'ERROR')!;
      const lines = record.line.split('\n');
      assert.equal(lines[0], '[ERROR] ValueError: bad value: 1');
      assert.equal(lines[1], 'Traceback (most recent call last):');
      assert.match(lines[2], /^\u00a0\u00a0File ".*app\.py", line \d+, in raises$/);
      assert.match(lines[3], /^\u00a0{4}inner\(\)$/);
      assert.equal(record.requestId, outcome.requestId);
      assert.equal(record.source?.file, pythonFixture('handlers', 'app.py'));
      assert.match(lines[4], new RegExp(`line ${record.source?.line}, in inner`));
    });
  });

  describe('what ends the process', () => {
    it('lets sys.exit() end the process with its code, posting nothing', async () => {
      const session = await start('app.exits');
      void session.invoke({ event: { code: 3 } });
      assert.deepEqual(await session.process.exited, { code: 3, signal: null });
    });

    it('lets os._exit() end the process at once', async () => {
      const session = await start('app.hard_exit');
      void session.invoke();
      assert.deepEqual(await session.process.exited, { code: 7, signal: null });
    });

    it('exits when the Runtime API goes away, saying so', async () => {
      const session = await start('app.echo');
      response(await session.invoke({ event: 1 }));
      await session.server.close();
      const exit = await session.process.exited;
      assert.equal(exit.code, 1);
      assert.match(session.process.stderr, /Lambda Lab bootstrap: lost the Runtime API/);
    });
  });
});
