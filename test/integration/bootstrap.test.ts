// The Node bootstrap as a Runtime API client: how each kind of handler answers, the context it
// gets, the error shapes, and the errors that end the process — against a real API server.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { BootstrapSession, ensureBootstrapBuilt, fixture, type InvocationOutcome } from './runtimeApiTestServer';

interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

describe('Node bootstrap: invocations', function () {
  this.timeout(30_000);
  const sessions: BootstrapSession[] = [];
  const start = async (handler: string, taskRoot = 'cjs') => {
    const session = await BootstrapSession.start({ taskRoot: fixture(taskRoot), handler });
    sessions.push(session);
    return session;
  };
  const invokeOnce = async (handler: string, event: unknown = {}) => (await start(handler)).invoke({ event });
  const response = (outcome: InvocationOutcome) => {
    assert.equal(outcome.kind, 'response', `function error: ${outcome.body}`);
    return BootstrapSession.json(outcome);
  };
  const functionError = (outcome: InvocationOutcome) => {
    assert.equal(outcome.kind, 'error', `expected an error, got ${outcome.body}`);
    const body = BootstrapSession.json<ErrorBody>(outcome);
    assert.equal(outcome.headers['lambda-runtime-function-error-type'], body.errorType);
    return body;
  };

  before(ensureBootstrapBuilt);
  afterEach(async () => {
    const done = sessions.splice(0);
    await Promise.all(done.map((s) => s.dispose()));
    // No invocation is ever answered twice.
    for (const s of done) assert.equal(s.server.strayPosts, 0);
  });

  it('keeps module state across invocations of one process, over one keep-alive connection', async () => {
    const session = await start('index.echo');
    assert.deepEqual(response(await session.invoke({ event: 'one' })), { event: 'one', invocations: 1 });
    assert.deepEqual(response(await session.invoke({ event: 'two' })), { event: 'two', invocations: 2 });
    assert.equal(session.server.connections, 1);
  });

  it('polls on its own after a Runtime API answers 202 to a result that asked for the next event', async () => {
    const session = await start('index.echo');
    for (const [i, event] of ['one', 'two', 'three'].entries()) {
      assert.deepEqual(response(await session.invoke({ event })), { event, invocations: i + 1 });
    }
    assert.equal(session.server.answersCarryingPoll, 1, 'the client asked again after the 202');
    assert.equal(session.server.connections, 1);
  });

  it('gives the handler a context built from headers and environment', async () => {
    const session = await start('index.context');
    const deadlineMs = Date.now() + 42_000;
    const first = response(
      await session.invoke({
        requestId: 'ctx-1',
        deadlineMs,
        traceId: 'Root=1-5e1b4151-5ac6c58dc39a4b7bb2d18a22;Parent=0;Sampled=0',
        clientContext: { custom: { k: 'v' } },
        cognitoIdentity: { cognitoIdentityId: 'id-1' },
      }),
    ) as Record<string, unknown>;
    const remaining = first.remainingTimeInMillis as number;
    assert.ok(remaining > 0 && remaining <= 42_000, `remaining ${remaining}`);
    delete first.remainingTimeInMillis;
    assert.deepEqual(first, {
      functionName: 'fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      memoryLimitInMB: '128',
      awsRequestId: 'ctx-1',
      logGroupName: '/aws/lambda/fn',
      logStreamName: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      identity: { cognitoIdentityId: 'id-1' },
      clientContext: { custom: { k: 'v' } },
      callbackWaitsForEmptyEventLoop: true,
      legacy: ['function', 'function', 'function'],
      traceId: 'Root=1-5e1b4151-5ac6c58dc39a4b7bb2d18a22;Parent=0;Sampled=0',
      privateEnv: [],
    });
    // _X_AMZN_TRACE_ID is per invocation: gone when the next one has no trace header.
    const second = response(await session.invoke({ requestId: 'ctx-2' })) as Record<string, unknown>;
    assert.equal(second.traceId, null);
    assert.equal(second.awsRequestId, 'ctx-2');
  });

  describe('answers', () => {
    it('posts what a callback handler passes to callback', async () => {
      assert.deepEqual(response(await invokeOnce('index.callback')), { via: 'callback' });
    });

    it('waits for the event loop to drain before posting a callback result by default', async () => {
      assert.deepEqual(response(await invokeOnce('index.callbackTimer', { wait: true })), { timerFired: true });
    });

    it('posts a callback result at once when callbackWaitsForEmptyEventLoop is false', async () => {
      assert.deepEqual(response(await invokeOnce('index.callbackTimer', { wait: false })), { timerFired: false });
    });

    it('counts only the first callback', async () => {
      const session = await start('index.callbackTwice');
      assert.equal(response(await session.invoke()), 'first');
      // The process is still serving: the second call was ignored, not posted for the next request.
      assert.equal(response(await session.invoke()), 'first');
    });

    it('supports the legacy context.succeed / fail / done', async () => {
      assert.deepEqual(response(await invokeOnce('index.succeed')), { via: 'succeed' });
      assert.deepEqual(response(await invokeOnce('index.done')), { via: 'done' });
      const failed = functionError(await invokeOnce('index.fail'));
      assert.deepEqual([failed.errorType, failed.errorMessage], ['Error', 'via fail']);
    });

    it('answers null for a non-async handler that never calls back', async () => {
      const session = await start('index.neverAnswers');
      assert.equal(response(await session.invoke()), null);
      assert.equal(response(await session.invoke()), null);
    });

    it('reports Runtime.NodeJsExit for an async handler whose promise never settles', async () => {
      const error = functionError(await invokeOnce('index.neverSettles'));
      assert.equal(error.errorType, 'Runtime.NodeJsExit');
      assert.match(error.errorMessage, /Promise that was never settled/);
    });
  });

  describe('function errors', () => {
    it('shapes a rejected async handler as {errorType, errorMessage, trace}', async () => {
      const session = await start('index.throwsAsync');
      const error = functionError(await session.invoke({ requestId: 'err-1' }));
      assert.deepEqual([error.errorType, error.errorMessage], ['TypeError', 'bad thing']);
      assert.equal(error.trace[0], 'TypeError: bad thing');
      assert.ok(error.trace[1].includes('cjs/index.js'), error.trace.join('\n'));
      // Logged as the managed runtime logs it, and the process keeps serving.
      assert.match(
        session.process.stdout,
        /\terr-1\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad thing","stack":\["TypeError: bad thing",/,
      );
      assert.equal(functionError(await session.invoke()).errorType, 'TypeError');
    });

    it('reports an error thrown synchronously by a callback handler', async () => {
      const error = functionError(await invokeOnce('index.throwsSync'));
      assert.deepEqual([error.errorType, error.errorMessage], ['RangeError', 'sync bad thing']);
    });

    it('reports a thrown non-Error by its typeof, without trace', async () => {
      assert.deepEqual(functionError(await invokeOnce('index.throwsString')), {
        errorType: 'string',
        errorMessage: 'plain string',
        trace: [],
      });
    });

    it('reports callback errors, Error or not', async () => {
      const error = functionError(await invokeOnce('index.callbackError'));
      assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'via callback']);
      const text = functionError(await invokeOnce('index.callbackStringError'));
      assert.deepEqual([text.errorType, text.errorMessage], ['string', 'just text']);
    });

    it('reports a response that cannot be serialised to JSON', async () => {
      const error = functionError(await invokeOnce('index.circular'));
      assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'Unable to stringify response body']);
    });

    it('reports an event that is not JSON as the invocation error', async () => {
      const session = await start('index.echo');
      const error = functionError(await session.invoke({ rawBody: '{not json' }));
      assert.equal(error.errorType, 'SyntaxError');
    });
  });

  describe('errors that end the process', () => {
    it('posts Runtime.UnhandledPromiseRejection, then exits with 128', async () => {
      const session = await start('index.unhandledRejection');
      const error = functionError(await session.invoke());
      assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.UnhandledPromiseRejection', 'Error: nobody catches this']);
      assert.equal((await session.process.exited).code, 128);
      assert.match(session.process.stdout, /\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime.UnhandledPromiseRejection"/);
    });

    it('posts an uncaught exception with its own type, then exits with 129', async () => {
      const session = await start('index.uncaughtException');
      const error = functionError(await session.invoke());
      assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'thrown from a timer']);
      assert.equal((await session.process.exited).code, 129);
      assert.match(session.process.stdout, /\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"thrown from a timer"/);
    });

    it('lets process.exit() end the process without posting anything', async () => {
      const session = await start('index.exits');
      const posted = session.invoke().then(() => 'posted');
      const exit = await Promise.race([session.process.exited, posted]);
      assert.deepEqual(exit, { code: 3, signal: null });
    });
  });
});

describe('Node bootstrap: waiting for a debugger', function () {
  this.timeout(30_000);
  let session: BootstrapSession | undefined;
  let socket: WebSocket | undefined;
  before(ensureBootstrapBuilt);
  afterEach(async () => {
    socket?.close();
    await session?.dispose();
  });

  it('holds module init until the debugger releases it, and never pauses by itself', async () => {
    session = await BootstrapSession.start({
      taskRoot: fixture('cjs'),
      handler: 'index.echo',
      env: { LAMBDA_LAB_WAIT_FOR_DEBUGGER: '1' },
      nodeArgs: ['--inspect=127.0.0.1:0'],
    });
    const proc = session.process;
    await proc.until(() => /ws:\/\/\S+/.test(proc.stderr));
    const ws = (socket = new WebSocket(/ws:\/\/\S+/.exec(proc.stderr)![0]));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let nextId = 0;
    const events: string[] = [];
    const replies = new Map<number, (result: unknown) => void>();
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; method?: string; result?: unknown };
      if (message.id !== undefined) replies.get(message.id)?.(message.result);
      else if (message.method) events.push(message.method);
    });
    const send = (method: string, params: object = {}) =>
      new Promise<unknown>((resolve) => {
        replies.set(++nextId, resolve);
        ws.send(JSON.stringify({ id: nextId, method, params }));
      });

    await send('Debugger.enable');
    const loaded = (await send('Runtime.evaluate', { expression: 'globalThis.fixtureModuleLoaded === true', returnByValue: true })) as {
      result: { value: boolean };
    };
    assert.equal(loaded.result.value, false, 'the handler module was loaded before the debugger released the process');
    await send('Runtime.runIfWaitingForDebugger');

    const outcome = await session.invoke({ event: 'after release' });
    assert.deepEqual(BootstrapSession.json(outcome), { event: 'after release', invocations: 1 });
    assert.ok(!events.includes('Debugger.paused'), `the bootstrap paused: ${events.join(', ')}`);
  });
});
