// Limits Lambda enforces, enforced here with Lambda's errors: reserved concurrency carved from
// the account limit (configurable), the local cap on asynchronous invokes whatever the
// reservation, the 250 MB unzipped limit on code plus layers (a zip bomb layer never unpacks),
// and the 1 MB asynchronous payload.
import {
  GetAccountSettingsCommand,
  InvokeCommand,
  LambdaServiceException,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLambdaApiServer, type LambdaApiServer } from '../../src/runtime/lambdaApi/lambdaApiServer';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { buildZip } from '../../src/runtime/store/codePackage';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { makeProject } from './stateHelpers';

interface Setup {
  dir: string;
  runtime: LocalRuntime;
  server: LambdaApiServer;
  client: LambdaClient;
  stop(): Promise<void>;
}

async function setup(dir: string, opts: { concurrencyCap?: number; accountConcurrency?: number } = {}): Promise<Setup> {
  const runtime = new LocalRuntime({ freeze: false, concurrencyCap: opts.concurrencyCap });
  const deployment = new DeploymentStore(runtime, { stateDir: join(dir, '.lambda-lab'), accountConcurrency: opts.accountConcurrency });
  await deployment.attach();
  await runtime.loadTemplate(join(dir, 'template.yaml'));
  await deployment.settled();
  const server = await startLambdaApiServer(runtime, { port: 0, deployment });
  const client = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  return {
    dir,
    runtime,
    server,
    client,
    async stop() {
      client.destroy();
      await server.close();
      deployment.detach();
      await runtime.dispose();
    },
  };
}

async function serviceError(p: Promise<unknown>): Promise<LambdaServiceException> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LambdaServiceException) return err;
    throw err;
  }
  assert.fail('expected a service error');
}

function du(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((n, name) => n + du(join(path, name)), 0);
}

describe('limits Lambda enforces (reliability)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  let s: Setup | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("caps reserved concurrency by the account limit (1,000 by default, configurable) with Lambda's error", async () => {
    const dir = makeProject();
    dirs.push(dir);
    s = await setup(dir);
    const tooMuch = await serviceError(
      s.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 1e9 })),
    );
    assert.equal(tooMuch.name, 'InvalidParameterValueException');
    assert.equal(tooMuch.$metadata.httpStatusCode, 400);
    assert.match(tooMuch.message, /decreases account's UnreservedConcurrentExecution below its minimum value of \[100\]/);
    await s.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 850 }));
    // The reservations of all functions together leave 100 unreserved.
    const sum = await serviceError(
      s.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'other', ReservedConcurrentExecutions: 51 })),
    );
    assert.equal(sum.name, 'InvalidParameterValueException');
    await s.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'other', ReservedConcurrentExecutions: 50 }));
    const settings = await s.client.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountLimit?.ConcurrentExecutions, 1000);
    assert.equal(settings.AccountLimit?.UnreservedConcurrentExecutions, 100);
    assert.equal(settings.AccountLimit?.CodeSizeUnzipped, 262_144_000);
    await s.stop();
    s = await setup(dir, { accountConcurrency: 200 });
    const lowered = await serviceError(
      s.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'sleeper', ReservedConcurrentExecutions: 101 })),
    );
    assert.equal(lowered.name, 'InvalidParameterValueException');
  });

  it('runs Event invokes at most the local cap at a time, whatever the reserved concurrency', async () => {
    const dir = makeProject();
    dirs.push(dir);
    s = await setup(dir, { concurrencyCap: 3 });
    await s.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'sleeper', ReservedConcurrentExecutions: 500 }));
    let running = 0;
    let peak = 0;
    const ran = new Set<string>();
    s.runtime.on('invocationStarted', (i) => {
      if (i.functionName !== 'sleeper') return;
      ran.add(i.requestId);
      peak = Math.max(peak, ++running);
    });
    s.runtime.on('invocationEnded', (i) => {
      if (i.functionName === 'sleeper') running--;
    });
    const EVENTS = 30;
    const accepted = await Promise.all(
      Array.from({ length: EVENTS }, () =>
        s!.client.send(new InvokeCommand({ FunctionName: 'sleeper', InvocationType: 'Event', Payload: Buffer.from('{"ms":100}') })),
      ),
    );
    assert.ok(accepted.every((a) => a.StatusCode === 202));
    await s.server.events.drain();
    assert.equal(ran.size, EVENTS, 'every event ran once');
    assert.ok(peak <= 3, `${peak} events ran at once with a local cap of 3`);
    assert.ok(peak >= 2, `events ran one at a time (peak ${peak}): the cap was not what limited them`);
  });

  it('accepts Event payloads up to 1 MB and refuses larger ones with RequestTooLargeException', async () => {
    const dir = makeProject();
    dirs.push(dir);
    s = await setup(dir);
    const justUnder = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1024 * 1024 - 100) }));
    const ok = await s.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: justUnder }));
    assert.equal(ok.StatusCode, 202);
    const over = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }));
    const err = await serviceError(s.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: over })));
    assert.equal(err.name, 'RequestTooLargeException');
    await s.server.events.drain();
  });

  it("never unpacks a layer past 250 MB: a 60 MB-per-entry zip bomb fails with Lambda's unzipped size error", async () => {
    const zeros = Buffer.alloc(60 * 1024 * 1024);
    const bomb = buildZip(Array.from({ length: 5 }, (_, i) => ({ name: `nodejs/zero${i}.bin`, data: zeros, mode: 0o100644 })));
    assert.ok(bomb.length < 2 * 1024 * 1024, `the bomb is small (${bomb.length} bytes)`);
    const dir = makeProject({
      resources: `  BombLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: bomb
      ContentUri: bomb.zip
  BombedFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: bombed
      CodeUri: src/
      Handler: app.handler
      Layers:
        - !Ref BombLayer
`,
    });
    dirs.push(dir);
    writeFileSync(join(dir, 'bomb.zip'), bomb);
    s = await setup(dir);
    const invoke = await serviceError(s.client.send(new InvokeCommand({ FunctionName: 'bombed' })));
    assert.match(invoke.message, /Unzipped size must be smaller than 262144000 bytes/);
    const publish = await serviceError(s.client.send(new PublishVersionCommand({ FunctionName: 'bombed' })));
    assert.match(publish.message, /Unzipped size must be smaller than 262144000 bytes/);
    const state = join(dir, '.lambda-lab');
    assert.ok(du(state) < 100 * 1024 * 1024, `${du(state)} bytes were written to the state folder`);
    // Functions without the layer are unaffected.
    assert.equal((await s.client.send(new InvokeCommand({ FunctionName: 'echo' }))).StatusCode, 200);
  });

  it("counts a function's own code with its layers: 250 MB of code plus a small layer does not start", async () => {
    const dir = makeProject({
      resources: `  HeavyFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: heavy
      CodeUri: heavy/
      Handler: app.handler
      Layers:
        - !Ref SharedLayer
`,
    });
    dirs.push(dir);
    mkdirSync(join(dir, 'heavy'));
    copyFileSync(join(dir, 'src', 'app.js'), join(dir, 'heavy', 'app.js'));
    copyFileSync(join(dir, 'src', 'marker.json'), join(dir, 'heavy', 'marker.json'));
    // A sparse file: its size counts, no disk is used.
    writeFileSync(join(dir, 'heavy', 'data.bin'), '');
    // The code alone is 10 bytes under the limit; the layer's few bytes put the function over it.
    const small = statSync(join(dir, 'heavy', 'app.js')).size + statSync(join(dir, 'heavy', 'marker.json')).size;
    const layer = statSync(join(dir, 'layer', 'nodejs', 'shared.js')).size;
    assert.ok(layer > 10);
    truncateSync(join(dir, 'heavy', 'data.bin'), 262_144_000 - small - 10);
    s = await setup(dir);
    const err = await serviceError(s.client.send(new InvokeCommand({ FunctionName: 'heavy' })));
    assert.equal(err.name, 'ResourceConflictException');
    assert.match(err.message, /code and layers of HeavyFunction unpack to \d+ bytes.*Unzipped size must be smaller than 262144000 bytes/);
    assert.equal((await s.client.send(new InvokeCommand({ FunctionName: 'echo' }))).StatusCode, 200);
  });
});
