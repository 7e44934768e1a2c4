// Handler processes never outlive their owner, however it dies, and no exit path of an
// environment leaves any of its processes behind: real owners (the CLI, serve, the standalone
// debug adapter) killed with SIGKILL mid-invocation, survivors counted in /proc.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { ADAPTER, cli, CLI, makeProject, processesIn, RIC_INSTALLED, socketFolderOf, survivorsGone, waitUntil } from './processHarness';

const START_LIMIT_MS = 20_000;

describe('reliability: handler processes never outlive their owner', function () {
  this.timeout(60_000);
  let dir: string;
  /** Owners this test started, killed afterwards even when it fails early. */
  const owners: ChildProcess[] = [];

  before(function () {
    if (!fs.existsSync(CLI) || !fs.existsSync(ADAPTER)) {
      console.log('      skipped: out/ is missing; run `npm run build` first');
      this.skip();
    }
  });
  beforeEach(() => {
    dir = makeProject();
  });
  afterEach(() => {
    for (const owner of owners.splice(0)) owner.kill('SIGKILL');
    for (const p of processesIn(dir)) process.kill(p.pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGKILL', 'SIGTERM', 'SIGINT'] as const) {
    it(`lambda-lab invoke killed with ${signal} while its handler spins at 100% CPU: the handler and its children are gone`, async () => {
      const owner = cli(['invoke', 'Family', '-t', path.join(dir, 'template.yaml'), '--payload', '{"then":"spin"}']);
      owners.push(owner);
      // The handler and its three children.
      await waitUntil('the handler and its children', START_LIMIT_MS, () => processesIn(dir).length >= 4);
      const sockets = socketFolderOf(dir);
      assert.ok(sockets && fs.existsSync(sockets), 'the handler was given a Runtime API socket in its owner folder');
      const killedAt = Date.now();
      owner.kill(signal);
      await survivorsGone(dir, killedAt, `invoke killed with ${signal}`);
      await waitUntil('the owner socket folder to be removed', 5000, () => !fs.existsSync(sockets));
    });
  }

  it('a handler that leaves the moment its owner dies still takes its children with it', async () => {
    const owner = cli(['invoke', 'Family', '-t', path.join(dir, 'template.yaml'), '--payload', '{"then":"follow-owner"}']);
    owners.push(owner);
    await waitUntil('the handler and its children', START_LIMIT_MS, () => processesIn(dir).length >= 4);
    const killedAt = Date.now();
    owner.kill('SIGKILL');
    await survivorsGone(dir, killedAt, 'invoke killed -9, its handler leaving by itself');
  });

  it('lambda-lab serve killed -9: frozen, spinning, provided shell runtime and aws-lambda-ric environments all gone', async () => {
    const owner = cli(['serve', '--template', path.join(dir, 'template.yaml'), '--port', '0']);
    owners.push(owner);
    const url = await waitUntil(
      'serve to print its URL',
      START_LIMIT_MS,
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(owner.out())?.[1],
    );
    const client = new LambdaClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const hello = JSON.parse(Buffer.from((await client.send(new InvokeCommand({ FunctionName: 'Hello' }))).Payload!).toString());
    const pending = ['Family', 'Shell', ...(RIC_INSTALLED ? ['Ric'] : [])].map((name) =>
      client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"then":"spin"}') })).catch(() => undefined),
    );
    // Hello frozen (state T) between invokes; Family with its children; the shell runtime and its sleeps; the ric.
    const within = (folder: string) => processesIn(path.join(dir, folder));
    try {
      await waitUntil('every environment running, Hello frozen', START_LIMIT_MS, () => {
        const frozen = within('node').find((p) => p.pid === hello.pid)?.state === 'T';
        return frozen && within('node').length >= 1 + 4 && within('shell').length >= 3 && within('ric').length >= (RIC_INSTALLED ? 1 : 0);
      });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; running: ${processesIn(dir)
          .map((p) => `${p.pid} ${p.state} ${p.command}`)
          .join('; ')}; serve said: ${owner.err()}`,
      );
    }
    const killedAt = Date.now();
    owner.kill('SIGKILL');
    await survivorsGone(dir, killedAt, 'serve killed -9');
    client.destroy();
    await Promise.all(pending);
  });

  it('the standalone debug adapter killed -9 during a debug session: the debugged handler and its children are gone', async () => {
    const adapter = spawn(process.execPath, [ADAPTER], { stdio: ['pipe', 'pipe', 'ignore'] });
    owners.push(adapter);
    let seq = 1;
    const send = (command: string, args: object) => {
      const json = JSON.stringify({ seq: seq++, type: 'request', command, arguments: args });
      adapter.stdin!.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    };
    adapter.stdout!.resume();
    send('initialize', { adapterID: 'lambda-lab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    send('launch', { function: 'Family', template: path.join(dir, 'template.yaml'), payload: { then: 'spin' }, cwd: dir });
    send('configurationDone', {});
    await waitUntil('the debugged handler and its children', START_LIMIT_MS, () => processesIn(dir).length >= 4);
    const killedAt = Date.now();
    adapter.kill('SIGKILL');
    await survivorsGone(dir, killedAt, 'debug adapter killed -9');
  });

  describe('every exit path of an environment ends its whole process tree', () => {
    let runtime: LocalRuntime;
    beforeEach(async () => {
      runtime = new LocalRuntime({ stateDir: path.join(dir, '.state'), watchCode: false });
      await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    });
    afterEach(() => runtime.dispose());

    it('the handler crashes after starting children', async () => {
      const result = await runtime.invoke('Family', '{"then":"crash"}');
      assert.equal(JSON.parse(result.payload.toString()).errorType, 'Runtime.ExitError');
      await survivorsGone(dir, Date.now(), 'a crash');
    });

    it('the invocation times out while the handler spins', async () => {
      const result = await runtime.invoke('FamilyTimeout', '{"then":"spin"}');
      assert.equal(JSON.parse(result.payload.toString()).errorType, 'Sandbox.Timedout');
      await survivorsGone(dir, Date.now(), 'a timeout');
    });

    it('the handler returns with its children running, then the environment is stopped (frozen meanwhile)', async () => {
      const result = await runtime.invoke('Family', '{"then":"return"}');
      assert.equal(result.functionError, undefined, result.payload.toString());
      await waitUntil('the environment frozen', START_LIMIT_MS, () => runtime.environments('Family')[0]?.state === 'frozen');
      assert.ok(processesIn(dir).length >= 4, 'the children are still running while the environment lives');
      await runtime.stopEnvironments('Family');
      await survivorsGone(dir, Date.now(), 'a stop');
    });

    it('the caller gives up on a running invocation', async () => {
      const controller = new AbortController();
      const invoked = runtime.invoke('Family', '{"then":"hang"}', { signal: controller.signal });
      await waitUntil('the handler and its children', START_LIMIT_MS, () => processesIn(dir).length >= 4);
      controller.abort();
      const result = await invoked;
      assert.equal(result.functionError, 'Unhandled');
      await survivorsGone(dir, Date.now(), 'an abort');
    });
  });
});
