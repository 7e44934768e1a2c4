// The execution environment lifecycle against real handler processes: cold/warm, freeze,
// timeouts, crashes, memory, init errors, payload limits, concurrency, logs, custom runtimes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult, StopReason } from '../../src/runtime/runtimeEvents';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'runtime', 'template.yaml');

const json = (r: InvokeResult) => JSON.parse(r.payload.toString());

describe('runtime: execution environments', function () {
  this.timeout(30_000);
  let runtime: LocalRuntime;
  let stateDir: string;

  beforeEach(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-rt-'));
    runtime = new LocalRuntime({ stateDir, watchCode: false });
    await runtime.loadTemplate(FIXTURE);
  });
  afterEach(async () => {
    await runtime.dispose();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('reuses a warm environment: module state survives, the first invoke alone is cold', async () => {
    const a = await runtime.invoke('State', '{}');
    const b = await runtime.invoke('State', '{}');
    assert.equal(a.cold, true);
    assert.ok(a.initDurationMs! > 0);
    assert.equal(b.cold, false);
    assert.equal(b.initDurationMs, undefined);
    assert.deepEqual([json(a).count, json(b).count], [1, 2]);
    assert.equal(json(a).pid, json(b).pid);
    assert.equal(a.environmentId, b.environmentId);
    assert.match(a.logTail, /REPORT RequestId: .*Init Duration: /);
  });

  it('starts a fresh environment with fresh state after the old one stopped', async () => {
    const a = await runtime.invoke('State', '{}');
    await runtime.stopEnvironments('State');
    const b = await runtime.invoke('State', '{}');
    assert.equal(b.cold, true);
    assert.equal(json(b).count, 1);
    assert.notEqual(json(a).pid, json(b).pid);
  });

  it('gives the handler Lambda environment variables and not the host environment', async () => {
    process.env.LAMBDA_LAB_TEST_SECRET = 'host-only';
    try {
      const env = json(await runtime.invoke('Env', '{}'));
      assert.equal(env.MY_VAR, 'from-template');
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'Env');
      assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
      assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
      assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/Env');
      assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      assert.match(env.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
      assert.match(env._X_AMZN_TRACE_ID, /^Root=1-/);
      assert.equal(env.TZ, ':UTC');
      assert.equal(env.LAMBDA_TASK_ROOT, path.join(path.dirname(FIXTURE), 'src'));
      assert.equal(env.LAMBDA_LAB_TEST_SECRET, undefined);
    } finally {
      delete process.env.LAMBDA_LAB_TEST_SECRET;
    }
  });

  it('freezes the process between invokes: timers do not run while idle', async () => {
    await runtime.invoke('Interval', '{}');
    const before = json(await runtime.invoke('Interval', '{}')).ticks;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(runtime.environments('Interval')[0].state, 'frozen');
    const after = json(await runtime.invoke('Interval', '{}')).ticks;
    // Unfrozen, a 10 ms interval would tick ~50 times in 500 ms.
    assert.ok(after - before < 10, `ticked ${after - before} times while frozen`);
  });

  it('times out as Lambda does and cold-starts the next invoke', async () => {
    const stopped = new Promise<StopReason>((resolve) => runtime.once('environmentStopped', (_i, reason) => resolve(reason)));
    const r = await runtime.invoke('Sleep', '{"ms": 5000}');
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(json(r).errorType, 'Sandbox.Timedout');
    assert.match(json(r).errorMessage, new RegExp(`RequestId: ${r.requestId} Error: Task timed out after 1.00 seconds`));
    assert.match(r.logTail, /Task timed out after 1\.00 seconds/);
    assert.match(r.logTail, /REPORT .*Status: timeout/);
    assert.equal(await stopped, 'timeout');
    const next = await runtime.invoke('Sleep', '{"ms": 1}');
    assert.equal(next.cold, true);
    assert.equal(next.functionError, undefined);
  });

  it('reports process.exit as Runtime.ExitError and replaces the environment', async () => {
    const r = await runtime.invoke('Exit', '{"code": 3}');
    assert.equal(r.functionError, 'Unhandled');
    assert.deepEqual(json(r), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 3`,
    });
    const again = await runtime.invoke('Exit', '{"code": 4}');
    assert.equal(again.cold, true);
  });

  it('reports an uncaught exception in a timer as a function error and replaces the environment', async () => {
    const r = await runtime.invoke('Crash', '{}');
    assert.equal(r.functionError, 'Unhandled');
    assert.match(r.payload.toString(), /boom from a timer/);
    const again = await runtime.invoke('Crash', '{}');
    assert.equal(again.cold, true);
  });

  it('kills a process over its MemorySize and reports Runtime.OutOfMemory', async () => {
    const r = await runtime.invoke('Oom', '{}');
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(json(r).errorType, 'Runtime.OutOfMemory');
    assert.equal(r.maxMemoryUsedMB, 128);
    assert.match(r.logTail, /Error Type: Runtime.OutOfMemory/);
  });

  it('fails every invoke of a function whose init throws, each on a new environment', async () => {
    const a = await runtime.invoke('InitError', '{}');
    const b = await runtime.invoke('InitError', '{}');
    for (const r of [a, b]) {
      assert.equal(r.functionError, 'Unhandled');
      assert.match(r.payload.toString(), /config missing at init/);
      assert.equal(r.cold, true);
      assert.match(r.logTail, /INIT_REPORT Init Duration: .*Status: error/);
    }
    assert.notEqual(a.environmentId, b.environmentId);
  });

  it('enforces the 6 MB payload limits both ways', async () => {
    await assert.rejects(runtime.invoke('Echo', JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) })), (e: LambdaServiceError) => {
      assert.equal(e.type, 'RequestTooLargeException');
      assert.equal(e.statusCode, 413);
      return true;
    });
    const r = await runtime.invoke('Big', '{}');
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(json(r).errorType, 'Function.ResponseSizeTooLarge');
    const ok = await runtime.invoke('Big', '{"bytes": 1000}');
    assert.equal(json(ok).length, 1000);
  });

  it('refuses a payload that is not JSON', async () => {
    await assert.rejects(runtime.invoke('Echo', '{oops'), /InvalidRequestContentException|Could not parse request body/);
  });

  it('runs 50 parallel invokes within reserved concurrency 3: each answered once, the rest throttled', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, id) => runtime.invoke('Throttled', JSON.stringify({ ms: 200, id }))),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<InvokeResult> => r.status === 'fulfilled');
    const throttled = results.filter((r) => r.status === 'rejected');
    assert.equal(ok.length + throttled.length, 50);
    for (const t of throttled) assert.equal((t as PromiseRejectedResult).reason.type, 'TooManyRequestsException');
    const ids = ok.map((r) => json(r.value).id);
    assert.equal(new Set(ids).size, ids.length, 'no invoke answered twice');
    assert.ok(ok.length >= 3, `${ok.length} succeeded`);
    assert.ok(new Set(ok.map((r) => r.value.environmentId)).size <= 3);
  });

  it('scales out: concurrent invokes without a reservation get separate environments, none lost', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, id) => runtime.invoke('Echo', JSON.stringify({ id }))));
    assert.deepEqual(
      results.map((r) => json(r).id),
      [0, 1, 2, 3, 4],
    );
    assert.equal(new Set(results.map((r) => r.environmentId)).size, 5);
  });

  it('writes Text logs with START/END/REPORT and persists the stream', async () => {
    const r = await runtime.invoke('Echo', '{"tag": "t1"}');
    const lines = r.logTail.split('\n').slice(0, -1);
    assert.match(lines[0], new RegExp(`^START RequestId: ${r.requestId} Version: \\$LATEST$`));
    assert.match(lines[1], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${r.requestId}\\tINFO\\tinfo line$`));
    assert.match(lines[2], new RegExp(`\\t${r.requestId}\\tWARN\\twarn line t1$`));
    assert.equal(lines[3], `END RequestId: ${r.requestId}`);
    assert.match(
      lines[4],
      /^REPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/,
    );
    const [stream] = runtime.logs.listStreams('Echo');
    const stored = [...runtime.logs.readStream('Echo', stream.logStreamName)].map((e) => e.message);
    assert.ok(stored[0].startsWith('INIT_START'));
    assert.deepEqual(stored.slice(1), lines);
  });

  it('writes JSON logs filtered by ApplicationLogLevel when LogFormat is JSON', async () => {
    const r = await runtime.invoke('JsonLogs', '{"tag": "j"}');
    const records = r.logTail
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((x) => x.type ?? x.level),
      ['platform.start', 'WARN', 'platform.runtimeDone', 'platform.report'],
    );
    assert.equal(records[1].requestId, r.requestId);
    assert.equal(records[3].record.metrics.memorySizeMB, 128);
  });

  it('emits log records with the console call site for the editor', async () => {
    const records: Array<{ message: string; source?: { file: string; line: number } }> = [];
    runtime.on('log', (r) => records.push(r));
    await runtime.invoke('Echo', '{}');
    const info = records.find((r) => r.message.endsWith('info line'));
    assert.equal(info?.source?.file, path.join(path.dirname(FIXTURE), 'src', 'echo.js'));
    assert.equal(info?.source?.line, 2);
  });

  it('runs a provided.al2023 bootstrap written in shell', async () => {
    const r = await runtime.invoke('Provided', '{"x": 1}');
    assert.deepEqual(json(r), { shell: true, event: { x: 1 } });
    assert.match(r.logTail, /shell runtime got /);
    const warm = await runtime.invoke('Provided', '{"x": 2}');
    assert.equal(warm.cold, false);
    assert.deepEqual(json(warm).event, { x: 2 });
  });

  it('rejects unknown functions with ResourceNotFoundException', async () => {
    await assert.rejects(
      runtime.invoke('Nope', '{}'),
      (e: LambdaServiceError) => e.type === 'ResourceNotFoundException' && e.statusCode === 404,
    );
  });
});

describe('runtime: code changes', function () {
  this.timeout(30_000);

  it('retires warm $LATEST environments when the code changes, and runs the new code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-hot-'));
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      'Transform: AWS::Serverless-2016-10-31\nResources:\n  Hot:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      CodeUri: src/\n      Handler: app.handler\n',
    );
    const write = (v: number) => fs.writeFileSync(path.join(dir, 'src', 'app.js'), `exports.handler = async () => ${v};\n`);
    write(1);
    const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab') });
    try {
      await runtime.loadTemplate(path.join(dir, 'template.yaml'));
      assert.equal((await runtime.invoke('Hot', '{}')).payload.toString(), '1');
      const retired = new Promise<StopReason>((resolve) => runtime.once('environmentStopped', (_i, reason) => resolve(reason)));
      write(2);
      assert.equal(await retired, 'code-changed');
      const after = await runtime.invoke('Hot', '{}');
      assert.equal(after.payload.toString(), '2');
      assert.equal(after.cold, true);
    } finally {
      await runtime.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
