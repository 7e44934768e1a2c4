// The asynchronous queue across real processes: events still queued when `lambda-lab serve`
// stops run when it starts again (unreadable ones are set aside and reported), and
// `lambda-lab invoke --invocation-type Event` reports attempts and destinations.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attempts, copyAsyncFixture, eventually, filesUnder, readJson } from '../fixtures/async/asyncHarness';

const CLI = join(__dirname, '..', '..', 'out', 'cli.js');

interface Serve {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startServe(dir: string, scale: string): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--template', join(dir, 'template.yaml'), '--port', '0', '--no-freeze', '--async-retry-delay-scale', scale],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /Lambda API listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) ok(m[1]);
    });
    void exited.then((code) => fail(new Error(`serve exited ${code} before printing its URL: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) =>
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => ok({ code: err ? Number(err.code) : 0, stdout, stderr })),
  );
}

describe('asynchronous queue across processes (integration)', function () {
  this.timeout(90_000);
  let dir: string;
  const running: ChildProcess[] = [];

  before(function () {
    if (!existsSync(CLI)) {
      console.log('      skipped: out/cli.js is missing; run `npm run build` first');
      this.skip();
    }
    dir = copyAsyncFixture();
  });
  after(() => {
    for (const child of running) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a queued event across a restart of serve and runs its retry then; reports what it could not keep', async () => {
    const queueDir = join(dir, '.lambda-lab', 'async', 'queue');
    const attemptsFile = join(dir, 'restart.log');
    // Scale 0.05: the first retry waits 3 s, long enough to stop serve in between.
    const first = await startServe(dir, '0.05');
    running.push(first.child);
    const client = new LambdaClient({
      endpoint: first.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const sent = await client.send(
      new InvokeCommand({
        FunctionName: 'Flaky',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ attemptsFile, failTimes: 1 })),
      }),
    );
    client.destroy();
    const requestId = sent.$metadata.requestId!;
    const queued = join(queueDir, `${requestId}.json`);
    await eventually(
      () => (existsSync(queued) && readJson(queued).invokeCount === 1 ? true : undefined),
      'the first attempt to be recorded',
    );
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.stderr(), /attempt 1 failed \(Error: flaky attempt 1\); retrying in 3 s/);
    assert.match(first.stderr(), /1 asynchronous event\(s\) not done are kept in .*async[/\\]queue/);
    assert.equal(attempts(attemptsFile).length, 1);
    assert.ok(existsSync(queued), 'the event is still queued on disk');
    writeFileSync(join(queueDir, 'torn.json'), '{"requestId": "tor');

    const second = await startServe(dir, '0.05');
    running.push(second.child);
    const busDir = join(dir, '.lambda-lab', 'async', 'destinations', 'events', 'results');
    const [busFile] = await eventually(
      () => (filesUnder(busDir).length ? filesUnder(busDir) : undefined),
      'the Success record after the restart',
    );
    const record = readJson(join(busDir, busFile)).detail;
    assert.equal(record.requestContext.requestId, requestId);
    assert.equal(record.requestContext.condition, 'Success');
    assert.equal(record.requestContext.approximateInvokeCount, 2, 'the count carried over the restart');
    assert.deepEqual(
      attempts(attemptsFile).map((a) => a.requestId),
      [requestId, requestId],
    );
    assert.ok(!existsSync(queued), 'done: no longer queued');
    assert.match(second.stderr(), /torn\.json dropped: unreadable queued event/);
    assert.deepEqual(readdirSync(join(dir, '.lambda-lab', 'async', 'dropped')), ['torn.json']);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });

  it('runs an event again after serve was killed -9 during its attempt (at least once, as Lambda)', async () => {
    const attemptsFile = join(dir, 'killed.log');
    const first = await startServe(dir, '0.05');
    running.push(first.child);
    const client = new LambdaClient({
      endpoint: first.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const sent = await client.send(
      new InvokeCommand({
        FunctionName: 'Slow',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ attemptsFile, ms: 1500 })),
      }),
    );
    client.destroy();
    const requestId = sent.$metadata.requestId!;
    await eventually(() => (attempts(attemptsFile).length === 1 ? true : undefined), 'the handler to start');
    first.child.kill('SIGKILL');
    await first.exited;
    const queued = readJson(join(dir, '.lambda-lab', 'async', 'queue', `${requestId}.json`));
    assert.equal(queued.invokeCount, 0, 'the interrupted attempt was never recorded as done');

    const second = await startServe(dir, '0.05');
    running.push(second.child);
    const doneDir = join(dir, '.lambda-lab', 'async', 'destinations', 'sqs', 'slow-done');
    const [file] = await eventually(
      () => (filesUnder(doneDir).length ? filesUnder(doneDir) : undefined),
      'the Success record after the restart',
    );
    const record = readJson(join(doneDir, file));
    assert.equal(record.requestContext.requestId, requestId);
    assert.equal(record.requestContext.approximateInvokeCount, 1);
    assert.deepEqual(
      attempts(attemptsFile).map((a) => a.requestId),
      [requestId, requestId],
      'the handler saw the event twice',
    );
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });

  it('lambda-lab invoke --invocation-type Event prints each attempt and where the outcome went', async () => {
    const attemptsFile = join(dir, 'cli.log');
    const failing = await cli([
      'invoke',
      'FailsToQueue',
      '--template',
      join(dir, 'template.yaml'),
      '--invocation-type',
      'Event',
      '--async-retry-delay-scale',
      '0.001',
      '--payload',
      JSON.stringify({ attemptsFile }),
      '--quiet',
    ]);
    assert.equal(failing.code, 1, failing.stderr);
    const lines = failing.stderr.split('\n').filter((l) => l.includes('FailsToQueue event'));
    assert.equal(lines.length, 3);
    assert.match(lines[0], /attempt 1 failed \(Error: boom\); retrying in 60 ms$/);
    assert.match(lines[1], /attempt 2 failed \(Error: boom\); retrying in 120 ms$/);
    assert.match(lines[2], /attempt 3 failed \(Error: boom\)$/);
    assert.match(
      failing.stdout,
      /^FailsToQueue [0-9a-f-]{36}: RetriesExhausted after 3 invocation\(s\)\n {2}OnFailure arn:aws:sqs:us-east-1:123456789012:failures: .*destinations[/\\]sqs[/\\]failures[/\\].*\.json\n {2}DeadLetterQueue arn:aws:sns:us-east-1:123456789012:dead-letters: .*dead-letter[/\\]sns[/\\]dead-letters[/\\].*\.json\n$/,
    );
    assert.equal(attempts(attemptsFile).length, 3);

    const ok = await cli([
      'invoke',
      'OkToFunction',
      '--template',
      join(dir, 'template.yaml'),
      '--invocation-type',
      'Event',
      '--json',
      '--quiet',
      '--payload',
      JSON.stringify({ sinkFile: join(dir, 'cli-sink.json') }),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const outcomes = ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { functionName: string; condition: string; deliveries: Array<{ requestId?: string }> });
    assert.deepEqual(
      outcomes.map((o) => [o.functionName, o.condition]),
      [
        ['OkToFunction', 'Success'],
        ['Sink', 'Success'],
      ],
    );
    assert.equal(readJson(join(dir, 'cli-sink.json')).requestContext.condition, 'Success');
  });
});
