// Handler loading as the managed Node runtime does it: every handler form, module-kind
// precedence, and the init errors a broken handler produces — through the real bootstrap.
import assert from 'node:assert/strict';
import { BootstrapSession, ensureBootstrapBuilt, fixture, type PostedError } from './runtimeApiTestServer';

describe('Node bootstrap: handler loading', function () {
  this.timeout(30_000);
  const sessions: BootstrapSession[] = [];
  const start = async (taskRoot: string, handler: string) => {
    const session = await BootstrapSession.start({ taskRoot: fixture(taskRoot), handler });
    sessions.push(session);
    return session;
  };
  /** Invokes once and returns the parsed response, failing on a function error. */
  const respond = async (taskRoot: string, handler: string, event: unknown = {}) => {
    const session = await start(taskRoot, handler);
    const outcome = await session.invoke({ event });
    assert.equal(outcome.kind, 'response', `function error: ${outcome.body}`);
    return BootstrapSession.json<unknown>(outcome);
  };
  /** Expects an init error, then the process to exit as the managed runtime's does (129). */
  const initError = async (taskRoot: string, handler: string): Promise<PostedError & { stdout: string }> => {
    const session = await start(taskRoot, handler);
    const posted = await session.server.initError();
    const exit = await session.process.exited;
    assert.equal(exit.code, 129, `stderr: ${session.process.stderr}`);
    assert.equal(posted.headers['lambda-runtime-function-error-type'], posted.body.errorType);
    return { ...posted, stdout: session.process.stdout };
  };

  before(ensureBootstrapBuilt);
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
  });

  describe('forms', () => {
    it('loads a CommonJS export (file.export)', async () => {
      assert.deepEqual(await respond('cjs', 'index.echo', { a: 1 }), { event: { a: 1 }, invocations: 1 });
    });

    it('loads a nested path and property (dir/file.a.b)', async () => {
      assert.deepEqual(await respond('cjs', 'lib/deep/mod.a.b', 'x'), { nested: true, event: 'x' });
    });

    it('imports an .mjs module and waits for its top-level await', async () => {
      assert.deepEqual(await respond('esm-mjs', 'index.handler'), {
        config: { loadedBy: 'top-level await' },
        esm: 'string',
        invocations: 1,
      });
    });

    it('imports .js as ESM under package.json "type": "module"', async () => {
      assert.deepEqual(await respond('esm-type-module', 'index.handler'), { kind: 'esm .js', hasRequire: false });
    });

    it('requires .cjs, also inside a "type": "module" package', async () => {
      assert.deepEqual(await respond('cjs-ext', 'index.handler'), { kind: '.cjs' });
      assert.deepEqual(await respond('esm-type-module', 'legacy.handler'), {
        kind: '.cjs in a type module package',
        hasRequire: true,
      });
    });

    it('prefers .js over .mjs over .cjs', async () => {
      assert.equal(await respond('precedence', 'index.handler'), 'js');
      assert.equal(await respond('precedence', 'other.handler'), 'mjs');
      assert.equal(await respond('precedence-module', 'index.handler'), 'js as esm');
    });
  });

  describe('failures', () => {
    it('reports a missing module as Runtime.ImportModuleError', async () => {
      const { body, stdout } = await initError('cjs', 'nothere.handler');
      assert.equal(body.errorType, 'Runtime.ImportModuleError');
      assert.match(body.errorMessage, /^Error: Cannot find module 'nothere'\nRequire stack:\n- /);
      assert.match(stdout, /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.ImportModuleError"/);
    });

    it('reports a missing dependency of the handler module as Runtime.ImportModuleError', async () => {
      const { body } = await initError('broken', 'missingDependency.handler');
      assert.equal(body.errorType, 'Runtime.ImportModuleError');
      assert.match(body.errorMessage, /Cannot find module 'lambda-lab-definitely-not-installed'/);
    });

    it('reports a missing export as Runtime.HandlerNotFound', async () => {
      const { body } = await initError('cjs', 'index.missing');
      assert.deepEqual([body.errorType, body.errorMessage], ['Runtime.HandlerNotFound', 'index.missing is undefined or not exported']);
    });

    it('reports an export that is not a function as Runtime.HandlerNotFound', async () => {
      const { body } = await initError('cjs', 'index.notAFunction');
      assert.deepEqual([body.errorType, body.errorMessage], ['Runtime.HandlerNotFound', 'index.notAFunction is not a function']);
    });

    it('reports malformed handler names as Runtime.MalformedHandlerName', async () => {
      const bad = await initError('cjs', 'index');
      assert.deepEqual([bad.body.errorType, bad.body.errorMessage], ['Runtime.MalformedHandlerName', 'Bad handler']);
      const up = await initError('cjs', '../cjs/index.echo');
      assert.equal(up.body.errorType, 'Runtime.MalformedHandlerName');
      assert.match(up.body.errorMessage, /is not a valid handler name/);
    });

    it('reports syntax errors in CommonJS and ESM as Runtime.UserCodeSyntaxError', async () => {
      for (const handler of ['syntax.handler', 'syntaxEsm.handler']) {
        const { body } = await initError('broken', handler);
        assert.equal(body.errorType, 'Runtime.UserCodeSyntaxError');
        assert.match(body.errorMessage, /^SyntaxError: Unexpected token/);
        // The classic client (nodejs20.x here) reports its own error's stack, not node's
        // (aws-lambda-ric 3.x does the same: nodeRuntimeClients.test.ts).
        assert.equal(body.trace[0], `Runtime.UserCodeSyntaxError: ${body.errorMessage}`);
      }
    });

    it('reports an error thrown by module init with its own type', async () => {
      const { body } = await initError('broken', 'throwsAtInit.handler');
      assert.deepEqual([body.errorType, body.errorMessage], ['Error', 'configuration missing']);
      assert.ok(body.trace[1].includes('throwsAtInit.js'), body.trace.join('\n'));
    });

    it('reports a rejected top-level await as an init error', async () => {
      const { body } = await initError('broken', 'rejectsAtInit.handler');
      assert.deepEqual([body.errorType, body.errorMessage], ['Error', 'top-level await rejected']);
    });
  });
});
