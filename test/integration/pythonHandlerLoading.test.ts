// _HANDLER forms and init failures of the Python bootstrap, with awslambdaric's exact types,
// messages and traces: each failure posted to /init/error, logged, and the process exits 1.
import assert from 'node:assert/strict';
import { PythonSession, pythonFixture, requirePython, type PythonStartOptions } from './pythonHarness';
import { ensureBootstrapBuilt, type PostedError } from './runtimeApiTestServer';

interface InitErrorBody {
  errorType: string;
  errorMessage: string;
  requestId: string;
  stackTrace: string[];
}

describe('Python bootstrap: handler loading', function () {
  this.timeout(30_000);
  const sessions: PythonSession[] = [];
  const start = async (handler: string, options: Partial<PythonStartOptions> = {}) => {
    const session = await PythonSession.start({ taskRoot: pythonFixture('handlers'), handler, ...options });
    sessions.push(session);
    return session;
  };
  const answer = async (handler: string) => {
    const outcome = await (await start(handler)).invoke({ event: {} });
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    return JSON.parse(outcome.body.toString());
  };
  /** The init error, checked for the shape every init error has. */
  const initError = async (handler: string, options: Partial<PythonStartOptions> = {}) => {
    const session = await start(handler, options);
    const posted: PostedError = await session.server.initError();
    const body = posted.body as unknown as InitErrorBody;
    assert.equal(posted.headers['lambda-runtime-function-error-type'], body.errorType);
    assert.equal(body.requestId, '');
    assert.deepEqual(await session.process.exited, { code: 1, signal: null });
    return { body, session };
  };

  before(function () {
    requirePython(this);
    ensureBootstrapBuilt();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
  });

  describe('forms', () => {
    it('loads module.function', async () => {
      assert.deepEqual((await answer('app.echo')).invocations, 1);
    });

    it('loads a path with slashes (dir/sub/module.function) as a dotted module', async () => {
      assert.equal(await answer('dir/nested/mod.handler'), 'dir/nested/mod dir.nested.mod');
    });

    it('loads package.module.function, splitting at the last dot', async () => {
      assert.equal(await answer('pkg.sub.module.handler'), 'pkg.sub.module');
    });
  });

  describe('failures', () => {
    it('reports a missing module as Runtime.ImportModuleError, after the LAMBDA_WARNING', async () => {
      const { body, session } = await initError('nope.handler');
      assert.deepEqual(body, {
        errorMessage: "Unable to import module 'nope': No module named 'nope'",
        errorType: 'Runtime.ImportModuleError',
        requestId: '',
        stackTrace: [],
      });
      const lines = session.process.stdoutLines;
      assert.match(lines[0], /^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tLAMBDA_WARNING: Unhandled exception\. /);
      assert.equal(
        lines[1],
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'nope': No module named 'nope'\rTraceback (most recent call last):",
      );
    });

    it("reports a missing dependency of the handler module with the dependency's name", async () => {
      const { body } = await initError('broken/missing_dependency.handler');
      assert.equal(body.errorMessage, "Unable to import module 'broken/missing_dependency': No module named 'not_installed_anywhere'");
    });

    it('reports a missing function as Runtime.HandlerNotFound', async () => {
      const { body } = await initError('app.missing');
      assert.deepEqual([body.errorType, body.errorMessage], ['Runtime.HandlerNotFound', "Handler 'missing' missing on module 'app'"]);
    });

    it('reports a handler without a dot as Runtime.MalformedHandlerName', async () => {
      const { body } = await initError('handler');
      assert.deepEqual(
        [body.errorType, body.errorMessage],
        ['Runtime.MalformedHandlerName', "Bad handler 'handler': not enough values to unpack (expected 2, got 1)"],
      );
    });

    it('refuses a built-in module name as Runtime.BuiltInModuleConflict', async () => {
      const { body } = await initError('sys.handler');
      assert.deepEqual(
        [body.errorType, body.errorMessage],
        ['Runtime.BuiltInModuleConflict', 'Cannot use built-in module sys as a handler module'],
      );
    });

    it('reports a syntax error as Runtime.UserCodeSyntaxError with file and line', async () => {
      const { body } = await initError('broken/syntax.handler');
      assert.equal(body.errorType, 'Runtime.UserCodeSyntaxError');
      assert.match(body.errorMessage, /^Syntax error in module 'broken\/syntax': .* \(syntax\.py, line 2\)$/);
      assert.equal(body.stackTrace.length, 1);
      assert.equal(body.stackTrace[0].split('\n')[0], `  File "${pythonFixture('handlers', 'broken', 'syntax.py')}" Line 2`);
    });

    it('reports an exception raised at import with its own type and a trace through the import machinery', async () => {
      const { body } = await initError('broken/raises_at_init.handler');
      assert.deepEqual([body.errorType, body.errorMessage], ['KeyError', "'CONFIG_TABLE'"]);
      assert.match(body.stackTrace[0], /importlib\/__init__\.py", line \d+, in import_module/);
      const own = body.stackTrace.filter((t) => t.includes('raises_at_init.py'));
      assert.deepEqual(
        own.map((t) => /line (\d+), in (\S+)/.exec(t)!.slice(1)),
        [
          ['5', '<module>'],
          ['2', 'load_config'],
        ],
      );
      assert.ok(!body.stackTrace.some((t) => t.includes('lambda_lab_bootstrap')), 'no bootstrap frames');
    });

    it('says how to get boto3 when the interpreter lacks it', async () => {
      // -S: no site-packages, so no boto3, whatever this machine has installed.
      const { body, session } = await initError('broken/needs_boto3.handler', { pythonArgs: ['-S'] });
      assert.equal(body.errorMessage, "Unable to import module 'broken/needs_boto3': No module named 'boto3'");
      assert.match(
        session.process.stderr,
        /boto3 is part of the managed python3\.12 runtime, but .*python3.* cannot import it\. Install it/,
      );
    });
  });
});
