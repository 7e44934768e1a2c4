// The Python runtime family without running Python: handler location, stderr meanings, and
// the command line and variables it asks the environment for.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOG_FD_ENV, WAIT_FOR_DEBUGGER_ENV } from '../../src/runtime/bootstrap/bootstrapProtocol';
import { familyOf } from '../../src/runtime/families/runtimeFamilies';
import { isLaunchFailure, type ProcessLaunch } from '../../src/runtime/families/runtimeFamily';
import type { FunctionConfig } from '../../src/runtime/functionConfig';

const LOCATE = path.join(__dirname, '..', 'fixtures', 'python', 'locate');

const fn = (handler: string, runtime = 'python3.12'): FunctionConfig => ({
  logicalId: 'Fn',
  functionName: 'fn',
  runtime,
  handler,
  codeDir: LOCATE,
  memorySize: 128,
  timeout: 3,
  environment: {},
  architectures: ['x86_64'],
  loggingConfig: { logFormat: 'Text', logGroup: '/aws/lambda/fn' },
  ephemeralStorage: 512,
  layers: [],
  templatePath: path.join(LOCATE, 'template.yaml'),
  position: { line: 1, column: 1 },
});

describe('runtime families: python', () => {
  const python = familyOf('python3.12')!;

  it('runs python3.9 to python3.14', () => {
    assert.deepEqual(
      ['python3.8', 'python3.9', 'python3.11', 'python3.14', 'python3.15'].map((r) => familyOf(r)?.name),
      [undefined, 'python', 'python', 'python', undefined],
    );
    assert.equal(python.debugBridge, 'dap');
  });

  it('locates module.function and package.function definitions, as awslambdaric splits them', () => {
    assert.deepEqual(python.locateHandler(fn('app.handler')), { file: path.join(LOCATE, 'app.py'), line: 7, exportName: 'handler' });
    assert.deepEqual(python.locateHandler(fn('lib.handler')), {
      file: path.join(LOCATE, 'lib', '__init__.py'),
      line: 5,
      exportName: 'handler',
    });
    assert.equal(python.locateHandler(fn('missing.handler')), undefined);
    assert.equal(python.locateHandler(fn('nodot')), undefined);
    // An unsaved editor's text wins over the file's.
    assert.equal(python.locateHandler(fn('app.handler'), '\n\ndef handler(e, c):\n  pass\n')?.line, 2);
  });

  it("reads the bootstrap's debugpy line from stderr, everything else is the function's", () => {
    assert.deepEqual(python.stderrMeaning('Lambda Lab bootstrap: debugpy listening on 127.0.0.1:40123'), {
      kind: 'debugger-ready',
      url: 'tcp://127.0.0.1:40123',
    });
    assert.deepEqual(python.stderrMeaning('Traceback (most recent call last):'), { kind: 'log' });
  });

  it('launches the configured interpreter on the bootstrap with the log fd, waits for a debugger when debugging, and says which runs', async () => {
    // An "interpreter" answering the family's probe: executable, version, no boto3.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-python-'));
    const fake = path.join(dir, 'python3');
    fs.writeFileSync(fake, "#!/bin/sh\nprintf '/elsewhere/python3\\n3.11.9\\nFalse\\n'\n", { mode: 0o755 });
    const notes: string[] = [];
    const launcher = python.launcher({
      binaries: { 'python3.12': fake },
      diagnostic: (level, message) => notes.push(`${level}: ${message}`),
      progress: () => undefined,
    });
    const launch = await launcher.launch({ fn: fn('app.handler'), debug: true });
    assert.ok(!isLaunchFailure(launch));
    const { command, args, env, logFd } = launch as ProcessLaunch;
    assert.equal(command, fake, 'a configured interpreter runs by the path given');
    assert.match(args.at(-1)!, /out[\\/]bootstrap[\\/]python[\\/]bootstrap\.py$/);
    assert.ok(args.includes('-Xfrozen_modules=off'));
    assert.equal(env[LOG_FD_ENV], String(logFd));
    assert.equal(env[WAIT_FOR_DEBUGGER_ENV], '1');
    const plain = (await launcher.launch({ fn: fn('app.handler'), debug: false })) as ProcessLaunch;
    assert.deepEqual([plain.args.length, plain.env[WAIT_FOR_DEBUGGER_ENV]], [1, undefined]);
    assert.equal(notes.length, 2, `said once per runtime and interpreter: ${notes.join(' | ')}`);
    assert.match(
      notes[0],
      /^warning: Fn: runtime python3\.12 runs on .*python3 \(Python 3\.11\.9, configured\); use a Python 3\.12 interpreter/,
    );
    assert.match(notes[1], /^warning: Fn: boto3 is part of the python3\.12 managed runtime but .* cannot import it/);
    const missing = await python
      .launcher({ binaries: { 'python3.12': path.join(dir, 'none') }, diagnostic: () => undefined, progress: () => undefined })
      .launch({ fn: fn('app.handler'), debug: false });
    assert.ok(isLaunchFailure(missing));
    assert.match(missing.initError.payload.toString(), /No Python interpreter for python3\.12: .*none does not run/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
