// Python functions through LocalRuntime, as Node ones: cold/warm, freeze, timeouts, exits,
// crashes, memory, init errors, payload limits, concurrency, logs with call sites, layers on
// sys.path, the interpreter choice, and code changes recycling warm environments.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult, LogRecord, StopReason } from '../../src/runtime/runtimeEvents';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { PYTHON, pythonFixture, requirePython } from './pythonHarness';
import { ensureBootstrapBuilt } from './runtimeApiTestServer';

const TEMPLATE = pythonFixture('project', 'template.yaml');
const SRC = pythonFixture('project', 'src');
const json = (r: InvokeResult) => JSON.parse(r.payload.toString());

describe('runtime: Python functions', function () {
  this.timeout(60_000);
  let runtime: LocalRuntime;
  let stateDir: string;
  const diagnostics: string[] = [];

  before(function () {
    requirePython(this);
    ensureBootstrapBuilt();
  });
  beforeEach(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-py-'));
    runtime = new LocalRuntime({ stateDir, watchCode: false, pythonBinaries: { 'python3.12': PYTHON } });
    runtime.on('diagnostic', (d) => diagnostics.push(d.message));
    const deployment = new DeploymentStore(runtime, { stateDir });
    await deployment.attach();
    await runtime.loadTemplate(TEMPLATE);
    await deployment.settled();
  });
  afterEach(async () => {
    await runtime.dispose();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('reuses a warm environment: module state survives, the first invoke alone is cold', async () => {
    const a = await runtime.invoke('State', '{}');
    const b = await runtime.invoke('State', '{}');
    assert.deepEqual([a.cold, b.cold], [true, false]);
    assert.ok(a.initDurationMs! > 0);
    assert.deepEqual([json(a).count, json(b).count], [1, 2]);
    assert.equal(json(a).pid, json(b).pid);
    assert.match(a.logTail, /REPORT RequestId: .*Init Duration: /);
  });

  it("gives the handler Lambda's variables and a search path of code, layers, then the interpreter's packages", async () => {
    process.env.LAMBDA_LAB_TEST_SECRET = 'host-only';
    try {
      const { env, sys_path, executable } = json(await runtime.invoke('Env', '{}'));
      assert.equal(env.MY_VAR, 'from-template');
      assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_python3.12');
      assert.equal(env.LAMBDA_TASK_ROOT, SRC);
      assert.equal(env.LAMBDA_LAB_TEST_SECRET, undefined);
      assert.equal(env.LAMBDA_LAB_LOG_FD, undefined, 'our private variables are gone');
      assert.equal(sys_path[0], SRC);
      assert.ok(!sys_path.some((p: string) => p.includes(path.join('out', 'bootstrap'))), 'the bootstrap folder is not on sys.path');
      assert.equal(fs.realpathSync(executable), fs.realpathSync(PYTHON));
    } finally {
      delete process.env.LAMBDA_LAB_TEST_SECRET;
    }
  });

  it("puts a layer's python/lib/python3.12/site-packages, then python/, right after the code root", async () => {
    const r = await runtime.invoke('Layered', '{}');
    assert.equal(r.functionError, undefined, r.payload.toString());
    const body = json(r);
    assert.deepEqual([body.module, body.package], ['layer python/', 'layer site-packages']);
    assert.match(body.file, /python\/lib\/python3\.12\/site-packages\/layer_pkg\/__init__\.py$/);
    const { sys_path } = json(await runtime.invoke('Env', '{}'));
    assert.ok(!sys_path.some((p: string) => p.includes(`${path.sep}opt${path.sep}`)), 'no layer paths for a function without layers');
  });

  it('freezes the process between invokes: threads do not run while idle', async () => {
    const first = json(await runtime.invoke('Ticker', '{"start": true}'));
    await new Promise((r) => setTimeout(r, 600));
    const second = json(await runtime.invoke('Ticker', '{}'));
    // ~5 ticks per invoke; 600 ms idle would add ~60 if the thread ran.
    assert.ok(second - first < 30, `ticks ${first} → ${second}`);
  });

  it('times out as Lambda does and cold-starts the next invoke', async () => {
    const stopped = new Promise<StopReason>((resolve) => runtime.once('environmentStopped', (_i, reason) => resolve(reason)));
    const r = await runtime.invoke('Sleep', '{"ms": 5000}');
    assert.equal(json(r).errorType, 'Sandbox.Timedout');
    assert.match(r.logTail, /Task timed out after 1\.00 seconds/);
    assert.equal(await stopped, 'timeout');
    const next = await runtime.invoke('Sleep', '{"ms": 1}');
    assert.deepEqual([next.cold, next.functionError], [true, undefined]);
  });

  it('reports sys.exit(), os._exit() and a segfault as Runtime.ExitError and replaces the environment', async () => {
    const exit = await runtime.invoke('Exit', '{"code": 3}');
    assert.deepEqual(json(exit), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exit.requestId} Error: Runtime exited with error: exit status 3`,
    });
    assert.equal((await runtime.invoke('Exit', '{"code": 4}')).cold, true);
    const hard = await runtime.invoke('HardExit', '{}');
    assert.match(json(hard).errorMessage, /Runtime exited with error: exit status 5$/);
    const crash = await runtime.invoke('Segfault', '{}');
    assert.deepEqual([json(crash).errorType, /signal: segmentation fault$/.test(json(crash).errorMessage)], ['Runtime.ExitError', true]);
  });

  it('kills a process over its MemorySize and reports Runtime.OutOfMemory', async () => {
    const r = await runtime.invoke('Oom', '{}');
    assert.equal(json(r).errorType, 'Runtime.OutOfMemory');
    assert.equal(r.maxMemoryUsedMB, 128);
  });

  it('fails every invoke of a function whose init raises, each on a new environment, with INIT_REPORT', async () => {
    const a = await runtime.invoke('InitError', '{}');
    const b = await runtime.invoke('InitError', '{}');
    for (const r of [a, b]) {
      assert.equal(r.functionError, 'Unhandled');
      assert.deepEqual([json(r).errorType, json(r).errorMessage], ['KeyError', "'CONFIG_TABLE_MISSING_AT_INIT'"]);
      assert.match(r.logTail, /INIT_REPORT Init Duration: .*Phase: init\tStatus: error\tError Type: KeyError/);
      assert.match(r.logTail, /\[ERROR\] KeyError: 'CONFIG_TABLE_MISSING_AT_INIT'\nTraceback \(most recent call last\):/);
    }
    assert.notEqual(a.environmentId, b.environmentId);
    const missing = await runtime.invoke('MissingModule', '{}');
    assert.deepEqual(json(missing), {
      errorMessage: "Unable to import module 'nowhere': No module named 'nowhere'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
  });

  it('enforces the 6 MB response limit', async () => {
    const r = await runtime.invoke('Big', '{}');
    assert.equal(json(r).errorType, 'Function.ResponseSizeTooLarge');
    const ok = await runtime.invoke('Big', '{"bytes": 1000}');
    assert.equal(json(ok).length, 1000);
  });

  it('runs 30 parallel invokes within reserved concurrency 3: each answered once, the rest throttled', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, id) => runtime.invoke('Throttled', JSON.stringify({ ms: 200, id }))),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<InvokeResult> => r.status === 'fulfilled');
    for (const t of results.filter((r) => r.status === 'rejected')) {
      assert.equal(((t as PromiseRejectedResult).reason as LambdaServiceError).type, 'TooManyRequestsException');
    }
    const ids = ok.map((r) => json(r.value).id);
    assert.equal(new Set(ids).size, ids.length, 'no invoke answered twice');
    assert.ok(ok.length >= 3 && new Set(ok.map((r) => r.value.environmentId)).size <= 3);
  });

  it('scales out: concurrent invokes get separate environments, none lost', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, (_, id) => runtime.invoke('Sleep', JSON.stringify({ id, ms: 100 }))));
    assert.deepEqual(
      results.map((r) => json(r).id),
      [0, 1, 2, 3],
    );
    assert.equal(new Set(results.map((r) => r.environmentId)).size, 4);
  });

  it('writes Text logs between START and END, with the call site of print and logging for the editor', async () => {
    const records: LogRecord[] = [];
    runtime.on('log', (r) => records.push(r));
    const r = await runtime.invoke('Echo', '{"tag": "t1"}');
    const lines = r.logTail.split('\n').slice(0, -1);
    assert.match(lines[0], new RegExp(`^START RequestId: ${r.requestId} Version: \\$LATEST$`));
    assert.equal(lines[1], 'print line t1');
    assert.match(lines[2], new RegExp(`^\\[WARNING\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${r.requestId}\\twarn line t1$`));
    assert.equal(lines[3], `END RequestId: ${r.requestId}`);
    assert.match(lines[4], /^REPORT RequestId: .*Init Duration: /);
    const file = path.join(SRC, 'lifecycle.py');
    const lineOf = (text: string) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes(text)) + 1;
    assert.deepEqual(
      records.filter((x) => x.source).map((x) => [x.message.split('\t')[0], x.source!.file === file && x.source!.line, x.level]),
      [
        ['print line t1', lineOf('print("print line"'), undefined],
        ['[WARNING]', lineOf('logger.warning("warn line'), 'WARN'],
      ],
    );
  });

  it('writes JSON logs filtered by ApplicationLogLevel when LogFormat is JSON', async () => {
    const r = await runtime.invoke('JsonLogs', '{"tag": "j"}');
    const lines = r.logTail.trimEnd().split('\n');
    assert.ok(lines.includes('print line j'), 'print stays plain text');
    const records = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((x) => x.type ?? x.level),
      ['platform.start', 'WARNING', 'platform.runtimeDone', 'platform.report'],
    );
    assert.deepEqual([records[1].message, records[1].requestId], ['warn line j', r.requestId]);
  });

  it('uses boto3 from the interpreter when it has it', async function () {
    const r = await runtime.invoke('Boto', '{}');
    if (r.functionError && /No module named 'boto3'/.test(r.payload.toString())) this.skip();
    assert.equal(json(r), 'boto3');
  });

  it('says which interpreter runs a runtime whose minor version it is not', async () => {
    await runtime.invoke('State', '{}');
    const minor = /python(\d+\.\d+)/.exec(fs.realpathSync(PYTHON))?.[1];
    if (minor === '3.12') return;
    assert.ok(
      diagnostics.some((d) =>
        /^State: runtime python3\.12 runs on .* \(Python 3\.\d+\.\d+, configured\); use a Python 3\.12 interpreter/.test(d),
      ),
      diagnostics.join('\n'),
    );
  });
});

describe('runtime: Python code changes and interpreters', function () {
  this.timeout(60_000);
  let dir: string;

  before(function () {
    requirePython(this);
    ensureBootstrapBuilt();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-pyhot-'));
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      'Transform: AWS::Serverless-2016-10-31\nResources:\n  Hot:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: src/\n      Handler: app.handler\n',
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('retires warm $LATEST environments when a .py file changes (not when __pycache__ does), and runs the new code', async () => {
    // Python trusts a .pyc while the source's size and mtime second are unchanged: the new
    // source differs in size, as an edit a second after the last one would differ in mtime.
    const write = (v: number) => fs.writeFileSync(path.join(dir, 'src', 'app.py'), `def handler(event, context):\n    return ${v}\n`);
    write(1);
    const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab'), pythonBinaries: { 'python3.12': PYTHON } });
    try {
      await runtime.loadTemplate(path.join(dir, 'template.yaml'));
      assert.equal((await runtime.invoke('Hot', '{}')).payload.toString(), '1');
      // Importing app.py wrote __pycache__: the environment stays warm.
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await runtime.invoke('Hot', '{}')).cold, false);
      const retired = new Promise<StopReason>((resolve) => runtime.once('environmentStopped', (_i, reason) => resolve(reason)));
      write(22);
      assert.equal(await retired, 'code-changed');
      const after = await runtime.invoke('Hot', '{}');
      assert.deepEqual([after.payload.toString(), after.cold], ['22', true]);
    } finally {
      await runtime.dispose();
    }
  });

  it("runs the project's virtual environment when it has one, and says so", async () => {
    fs.writeFileSync(path.join(dir, 'src', 'app.py'), 'import sys\n\ndef handler(event, context):\n    return sys.prefix\n');
    const venv = path.join(dir, '.venv');
    fs.mkdirSync(path.join(venv, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(venv, 'pyvenv.cfg'), `home = ${path.dirname(PYTHON)}\ninclude-system-site-packages = false\n`);
    fs.symlinkSync(PYTHON, path.join(venv, 'bin', 'python3'));
    const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab'), watchCode: false });
    const diagnostics: string[] = [];
    runtime.on('diagnostic', (d) => diagnostics.push(d.message));
    try {
      await runtime.loadTemplate(path.join(dir, 'template.yaml'));
      const r = await runtime.invoke('Hot', '{}');
      assert.equal(JSON.parse(r.payload.toString()), venv);
      assert.ok(
        diagnostics.some((d) => d.includes(`${path.join(venv, 'bin', 'python3')} (Python`) && d.includes('the virtual environment')),
        diagnostics.join('\n'),
      );
    } finally {
      await runtime.dispose();
    }
  });

  it('runs inline ZipFile code as index.py, as Lambda stores it', async () => {
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      [
        'Resources:',
        '  Inline:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Runtime: python3.12',
        '      Handler: index.handler',
        '      Role: arn:aws:iam::123456789012:role/r',
        '      Code:',
        '        ZipFile: |',
        '          import os',
        '          def handler(event, context):',
        '              return os.path.basename(__file__)',
        '',
      ].join('\n'),
    );
    const runtime = new LocalRuntime({
      stateDir: path.join(dir, '.lambda-lab'),
      watchCode: false,
      pythonBinaries: { 'python3.12': PYTHON },
    });
    try {
      await runtime.loadTemplate(path.join(dir, 'template.yaml'));
      assert.equal(JSON.parse((await runtime.invoke('Inline', '{}')).payload.toString()), 'index.py');
    } finally {
      await runtime.dispose();
    }
  });

  it('fails init with a message that says how to choose an interpreter when the configured one does not exist', async () => {
    fs.writeFileSync(path.join(dir, 'src', 'app.py'), 'def handler(event, context):\n    return 1\n');
    const runtime = new LocalRuntime({
      stateDir: path.join(dir, '.lambda-lab'),
      watchCode: false,
      pythonBinaries: { 'python3.12': path.join(dir, 'no-python') },
    });
    try {
      await runtime.loadTemplate(path.join(dir, 'template.yaml'));
      const r = await runtime.invoke('Hot', '{}');
      const body = JSON.parse(r.payload.toString());
      assert.equal(body.errorType, 'Runtime.InvalidEntrypoint');
      assert.match(
        body.errorMessage,
        /^No Python interpreter for python3\.12: .*no-python does not run.*lambdaLab\.pythonBinaries or pass --python python3\.12=PATH/,
      );
    } finally {
      await runtime.dispose();
    }
  });
});
