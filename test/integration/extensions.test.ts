// External extensions (a shell one with curl, a Node one), a Telemetry API subscriber, a
// wrapper script, and extensions that fail or hang: real processes on the environment's
// Runtime API endpoint, driven through the Lambda API.
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, startHarness, type Harness } from '../fixtures/api/apiHarness';

describe('extensions (integration)', function () {
  this.timeout(90_000);
  let h: Harness;
  let out: string;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-lab-extensions-'));
    cpSync(join(__dirname, '../fixtures/extensions'), dir, { recursive: true });
    out = mkdtempSync(join(tmpdir(), 'lambda-lab-ext-out-'));
    const template = join(dir, 'template.yaml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('/tmp/replaced-by-the-test', out));
    // Frozen between invokes, as users run them: extensions must not depend on the runtime running.
    h = await startHarness(dir, { runtime: { freeze: true } });
  });
  after(async () => {
    await h?.stop(true);
    rmSync(out, { recursive: true, force: true });
  });

  const invoke = (name: string, payload: object = {}) =>
    h.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }));
  const tail = (o: InvokeCommandOutput) => Buffer.from(o.LogResult ?? '', 'base64').toString();
  const lines = (file: string) =>
    readFileSync(join(out, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  it('runs a shell (curl) and a Node extension: they register, get INVOKE and SHUTDOWN, and log to the stream', async () => {
    const cold = await invoke('with-extensions', { n: 1 });
    assert.equal(cold.FunctionError, undefined, Buffer.from(cold.Payload ?? []).toString());
    const warm = await invoke('with-extensions', { n: 2 });
    // Over once the extensions are done with it (after the caller's answer): the environment freezes.
    await until(() => h.runtime.environments('with-extensions')[0]?.state === 'frozen');
    await h.runtime.stopEnvironments('with-extensions');
    const [stream] = h.runtime.logs.listStreams('with-extensions');
    const stored = [...h.runtime.logs.readStream('with-extensions', stream.logStreamName)].map((e) => e.message);
    // The Node extension works 50 ms after each INVOKE: the invocation's Duration includes it.
    const report = stored.find((l) => l.startsWith(`REPORT RequestId: ${warm.$metadata.requestId}`));
    const duration = Number(/\tDuration: ([\d.]+) ms/.exec(report ?? '')?.[1]);
    assert.ok(duration >= 50, `Duration ${duration} ms should include the extension's 50 ms`);
    assert.ok(stored[0].startsWith('INIT_START'), stored[0]);
    // What the extensions print during init, then (as Lambda writes them when init ends) one
    // EXTENSION line each, right before the first START.
    const init = stored.slice(
      0,
      stored.findIndex((l) => l.startsWith('START')),
    );
    assert.ok(init.includes('shell-ext registered'), init.join('\n'));
    assert.ok(init.includes('node-ext registered for with-extensions'), init.join('\n'));
    assert.deepEqual(init.slice(-2).sort(), [
      'EXTENSION\tName: node-ext\tState: Ready\tEvents: [INVOKE, SHUTDOWN]',
      'EXTENSION\tName: shell-ext\tState: Ready\tEvents: [INVOKE, SHUTDOWN]',
    ]);

    const register = JSON.parse(readFileSync(join(out, 'shell-ext.register'), 'utf8'));
    assert.deepEqual(register, { functionName: 'with-extensions', functionVersion: '$LATEST', handler: 'app.handler' });
    for (const file of ['shell-ext.events', 'node-ext.events']) {
      const events = lines(file);
      assert.deepEqual(
        events.map((e) => e.eventType),
        ['INVOKE', 'INVOKE', 'SHUTDOWN'],
        file,
      );
      const [first, second, shutdown] = events;
      assert.equal(first.requestId, cold.$metadata.requestId);
      assert.equal(second.requestId, warm.$metadata.requestId);
      assert.equal(first.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:with-extensions');
      assert.equal(first.tracing.type, 'X-Amzn-Trace-Id');
      assert.match(first.tracing.value, /^Root=1-/);
      assert.ok(first.deadlineMs > Date.now() - 60_000);
      assert.equal(shutdown.shutdownReason, 'spindown');
      assert.ok(shutdown.deadlineMs > first.deadlineMs - 3_000);
    }
  });

  it('delivers every platform event of a cold and a warm invoke to a Telemetry API subscriber, in order', async () => {
    const cold = await invoke('telemetry');
    const warm = await invoke('telemetry');
    assert.equal(cold.FunctionError, undefined);
    await h.runtime.stopEnvironments('telemetry');
    const events = lines('telemetry.events');
    const platform = events.filter((e) => e.type.startsWith('platform.'));
    // The subscription comes after the extension registered and before init ends (the extension
    // subscribes before its first `next`); the runtime's init may finish on either side of it.
    const types = platform.map((e) => e.type);
    const subscribedAt = types.indexOf('platform.telemetrySubscription');
    assert.ok(subscribedAt > types.indexOf('platform.extension') && subscribedAt < types.indexOf('platform.initReport'), types.join());
    assert.deepEqual(
      types.filter((t) => t !== 'platform.telemetrySubscription'),
      [
        'platform.initStart',
        'platform.extension',
        'platform.initRuntimeDone',
        'platform.initReport',
        'platform.start',
        'platform.runtimeDone',
        'platform.report',
        'platform.start',
        'platform.runtimeDone',
        'platform.report',
      ],
    );
    const byType = (type: string) => platform.filter((e) => e.type === type);
    assert.deepEqual(byType('platform.extension')[0].record, { name: 'telemetry-ext', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] });
    assert.deepEqual(byType('platform.telemetrySubscription')[0].record, {
      name: 'telemetry-ext',
      state: 'Subscribed',
      types: ['platform', 'function', 'extension'],
    });
    assert.equal(byType('platform.initStart')[0].record.functionName, 'telemetry');
    assert.equal(byType('platform.initReport')[0].record.status, 'success');
    const [start1, start2] = byType('platform.start');
    assert.equal(start1.record.requestId, cold.$metadata.requestId);
    assert.equal(start2.record.requestId, warm.$metadata.requestId);
    const [done1] = byType('platform.runtimeDone');
    assert.equal(done1.record.status, 'success');
    assert.ok(done1.record.metrics.producedBytes > 0);
    const [report1, report2] = byType('platform.report');
    assert.equal(report1.record.requestId, cold.$metadata.requestId);
    assert.ok(report1.record.metrics.initDurationMs > 0);
    assert.equal(report2.record.metrics.initDurationMs, undefined);
    assert.equal(report2.record.metrics.memorySizeMB, 128);
    for (const e of events) assert.ok(!Number.isNaN(Date.parse(e.time)), e.time);
    // The handler's output as `function`, the extension's own as `extension`.
    assert.equal(events.filter((e) => e.type === 'function' && String(e.record).includes('handler ran')).length, 2);
    assert.ok(events.some((e) => e.type === 'extension' && e.record === 'telemetry-ext subscribed: 200'));
    const [stream] = h.runtime.logs.listStreams('telemetry');
    const stored = [...h.runtime.logs.readStream('telemetry', stream.logStreamName)].map((e) => e.message);
    const start = stored.findIndex((l) => l.startsWith('START'));
    assert.deepEqual(stored.slice(start - 2, start), [
      'TELEMETRY\tName: telemetry-ext\tState: Subscribed\tTypes: [Platform, Function, Extension]',
      'EXTENSION\tName: telemetry-ext\tState: Ready\tEvents: [INVOKE, SHUTDOWN]',
    ]);
  });

  it('runs the runtime through AWS_LAMBDA_EXEC_WRAPPER, with its command line as arguments, and NODE_OPTIONS from /opt', async () => {
    const o = await invoke('wrapped');
    assert.equal(o.FunctionError, undefined, Buffer.from(o.Payload ?? []).toString());
    const result = json(o.Payload) as { wrappedBy: string; wrapperArgs: string; execPath: string; preloaded: string };
    assert.equal(result.preloaded, 'preload.js');
    assert.equal(result.wrappedBy, 'wrapper.sh');
    assert.equal(result.wrapperArgs.split(' ')[0], result.execPath);
  });

  it('fails init with the error an extension reports on init/error', async () => {
    const o = await invoke('failing-extension');
    assert.equal(o.FunctionError, 'Unhandled');
    assert.deepEqual(json(o.Payload), {
      errorType: 'Extension.InitError',
      errorMessage: 'extension failing-ext failed to initialize (Extension.ConfigInvalid): failing-ext: no API key configured',
    });
    assert.match(
      tail(o),
      /EXTENSION\tName: failing-ext\tState: Ready\tEvents: \[INVOKE\]\nINIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Extension.InitError/,
    );
  });

  it('fails init with Extension.Crash when an extension exits before registering', async () => {
    const o = await invoke('crashing-extension');
    assert.equal(o.FunctionError, 'Unhandled');
    assert.deepEqual(json(o.Payload), {
      errorType: 'Extension.Crash',
      errorMessage: 'extension crash-ext exited with error: exit status 3',
    });
  });

  it('fails the running invocation with Extension.Crash when an extension exits during it', async () => {
    const o = await invoke('crash-on-invoke');
    assert.equal(o.FunctionError, 'Unhandled');
    assert.deepEqual(json(o.Payload), {
      errorType: 'Extension.Crash',
      errorMessage: 'extension crash-on-invoke-ext exited with error: exit status 2',
    });
    // The environment is gone: the next invoke starts a new one, which fails the same way.
    const again = await invoke('crash-on-invoke');
    assert.equal(json(again.Payload).errorType, 'Extension.Crash');
  });

  it('fails init with Sandbox.Timedout when an extension never registers, and kills it', async () => {
    const o = await invoke('silent-extension');
    assert.equal(o.FunctionError, 'Unhandled');
    assert.deepEqual(json(o.Payload), { errorType: 'Sandbox.Timedout', errorMessage: 'INIT phase timed out after 10.00 seconds' });
    await h.runtime.stopEnvironments('silent-extension');
    const pid = Number(readFileSync(join(out, 'silent-ext.pid'), 'utf8'));
    await gone(pid);
  });

  it("answers misuse of the Extensions and Telemetry APIs with 403s and Lambda's error types", async () => {
    const o = await invoke('probe');
    assert.deepEqual(json(o.Payload), {
      unknownId: { status: 403, errorType: 'Extension.UnknownExtensionIdentifier' },
      lateRegister: { status: 403, errorType: 'Extension.RegistrationClosed' },
      noName: { status: 403, errorType: 'Extension.InvalidExtensionName' },
      telemetryNoId: { status: 403, errorType: 'Extension.UnknownExtensionIdentifier' },
    });
  });

  it('serves the Logs API, and refuses a second subscription through the Telemetry API', async () => {
    const o = await invoke('logs-api');
    assert.equal(o.FunctionError, undefined);
    await h.runtime.stopEnvironments('logs-api');
    const [logs, telemetry] = lines('logs-api.answers');
    assert.deepEqual(logs, { status: 200, body: 'OK' });
    assert.equal(telemetry.status, 400);
    const events = lines('logs-api.events');
    const types = events.filter((e) => e.type.startsWith('platform.')).map((e) => e.type);
    const subscribedAt = types.indexOf('platform.logsSubscription');
    assert.ok(subscribedAt > types.indexOf('platform.extension') && subscribedAt < types.indexOf('platform.initReport'), types.join());
    assert.deepEqual(
      types.filter((t) => t !== 'platform.logsSubscription'),
      [
        'platform.initStart',
        'platform.extension',
        'platform.initRuntimeDone',
        'platform.initReport',
        'platform.start',
        'platform.runtimeDone',
        'platform.report',
      ],
    );
    assert.ok(events.some((e) => e.type === 'function' && String(e.record).includes('handler ran')));
  });

  it('answers the caller, then times out the invocation an extension never finishes, and ends the environment and the extension', async () => {
    const o = await invoke('hanging-extension');
    // The runtime answered: the caller has its answer, whatever the extension does.
    assert.equal(o.FunctionError, undefined);
    const pid = Number(readFileSync(join(out, 'hanging-ext.pid'), 'utf8'));
    // The invoke phase (the extension's part of it included) times out after 1 s: the environment ends.
    await until(() => h.runtime.environments('hanging-extension').length === 0);
    const [stream] = h.runtime.logs.listStreams('hanging-extension');
    const stored = [...h.runtime.logs.readStream('hanging-extension', stream.logStreamName)].map((e) => e.message);
    const id = o.$metadata.requestId;
    assert.ok(
      stored.some((l) => l.includes(`${id} Task timed out after 1.00 seconds`)),
      stored.join('\n'),
    );
    assert.match(stored.find((l) => l.startsWith(`REPORT RequestId: ${id}`)) ?? '', /Status: timeout/);
    await gone(pid);
  });

  // Last: its extension appends to the Logs API test's files.
  it('sends the runtime SIGTERM before the extensions SHUTDOWN when the environment ends', async () => {
    const o = await invoke('graceful');
    assert.equal(o.FunctionError, undefined);
    await h.runtime.stopEnvironments('graceful');
    assert.equal(readFileSync(join(out, 'graceful.sigterm'), 'utf8'), 'SIGTERM');
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), 'condition not met within 10 s');
}

/**
 * Waits until the process is gone. An environment that failed on its own ends its extensions
 * after its invoke answered (within the shutdown budget), not when the test asks.
 */
async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(pid), false, `extension process ${pid} still alive`);
}

/** Whether the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
