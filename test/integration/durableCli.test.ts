// The CLI with durable functions: `invoke` follows an execution to its end (or, as an Event,
// prints its ARN), `executions` lists them and their history, and sends callbacks — driving an
// execution no process drives, or handing the callback to the `serve` that drives it.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cachedNodeBinary } from '../../src/runtime/families/node/nodeBinaries';
import { eventually, hasNode22, NODE22, runs } from '../fixtures/durable/durableHarness';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'out', 'cli.js');

describe('cli: durable functions', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let serve: ChildProcess | undefined;

  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const event = (extra: object) => JSON.stringify({ dir, ...extra });
  const callbackId = () =>
    eventually(() => existsSync(join(dir, 'callback-id')) && readFileSync(join(dir, 'callback-id'), 'utf8'), 'the callback id');

  before(function () {
    if (!hasNode22()) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22); run scripts/installRic.sh');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-durable-cli-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'durable'), dir, { recursive: true });
    // The handlers find AWS's durable execution SDK as an installed project would.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const cache = join(dir, 'cache');
    const node = cachedNodeBinary(22, cache);
    mkdirSync(dirname(node), { recursive: true });
    symlinkSync(NODE22, node);
    env = { ...process.env, LAMBDA_LAB_CACHE_DIR: cache, LAMBDA_LAB_OFFLINE: '1' };
  });
  afterEach(() => {
    serve?.kill('SIGTERM');
    serve = undefined;
    rmSync(join(dir, 'runs.log'), { force: true });
    rmSync(join(dir, 'callback-id'), { force: true });
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('invoke follows a durable execution to its end; executions lists it and prints its history', () => {
    const r = run(['invoke', 'Sequential', '--payload', event({ waitSeconds: 60 }), '--durable-time-scale', '0.01']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '{"sum":6}\n');
    const arn = /durable execution (\S+)/.exec(r.stderr)?.[1];
    assert.ok(arn, r.stderr);
    assert.deepEqual(runs(dir), { one: 1, two: 1, three: 1 });
    const list = run(['executions', 'Sequential']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^SUCCEEDED .* ${arn.replace(/[$/]/g, '\\$&')}$`, 'm'));
    const history = run(['executions', 'Sequential', '--history', arn]);
    assert.match(history.stdout, /WaitStarted +pause\n/);
    assert.match(history.stdout, /ExecutionSucceeded/);
    assert.equal(run(['executions', 'Doubler']).code, 2);

    const json = run(['invoke', 'Sequential', '--payload', event({ waitSeconds: 60 }), '--durable-time-scale', '0', '--json', '--quiet']);
    assert.equal(json.code, 0, json.stderr);
    const line = JSON.parse(json.stdout);
    assert.deepEqual(line.payload, { sum: 6 });
    assert.match(line.durableExecutionArn, /^arn:aws:lambda:.*:function:Sequential:\$LATEST\/durable-execution\//);
    assert.notEqual(line.durableExecutionArn, arn, 'a new execution');
    assert.equal(typeof line.durationMs, 'number');
    assert.equal('billedDurationMs' in line, false, 'no billing of its own');
  });

  it('an Event invoke prints the ARN; a callback sent from the CLI drives the execution to its end', async () => {
    const started = run(['invoke', 'Approval', '--invocation-type', 'Event', '--payload', event({ orderId: 'c-1' })]);
    assert.equal(started.code, 0, started.stderr);
    const arn = started.stdout.trim();
    assert.match(arn, /^arn:aws:lambda:.*:function:Approval:\$LATEST\/durable-execution\//);
    const id = await callbackId();
    const sent = run(['executions', 'Approval', '--succeed', id, '--result', '{"ok":true}', '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const outcome = JSON.parse(sent.stdout);
    assert.equal(outcome.Status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(outcome.Result), { order: { id: 'c-1' }, answer: { ok: true } });
    assert.deepEqual(runs(dir), { reserve: 1 });
    const again = run(['executions', 'Approval', '--succeed', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no longer open/);
  });

  it('serve resumes an execution and applies a callback the CLI sends it', async () => {
    const started = run(['invoke', 'Approval', '--invocation-type', 'Event', '--payload', event({ orderId: 'c-2' })]);
    const arn = started.stdout.trim();
    const id = await callbackId();
    serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--http-port', '0'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    serve.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await eventually(() => err.includes('resumed 1 durable execution'), `serve resuming (${err})`, 600);
    const sent = run(['executions', 'Approval', '--succeed', id, '--result', '"yes"']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /Sent; the process driving the execution applies it/);
    let status = '';
    for (let i = 0; i < 200 && status !== 'SUCCEEDED'; i++) {
      const listed = JSON.parse(run(['executions', 'Approval', '--json']).stdout) as Array<{ DurableExecutionArn: string; Status: string }>;
      status = listed.find((e) => e.DurableExecutionArn === arn)!.Status;
      if (status !== 'SUCCEEDED') await new Promise((ok) => setTimeout(ok, 100));
    }
    assert.equal(status, 'SUCCEEDED');
    assert.deepEqual(runs(dir), { reserve: 1 });
  });
});
