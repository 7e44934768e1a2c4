// Logs at volume: a stream over 512 MB (more than a JavaScript string can hold) breaks
// nothing, retention reads no more of a stream than its ends whatever its size, and no live
// stream is deleted, whichever Lambda Lab process writes it. Big inputs are generated here.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { LogStore } from '../../src/runtime/logs/logStore';
import { cli, CLI, makeProject } from './processHarness';

/** Writes a finished stream file of about `megabytes` MB of 4 KB events, without holding it in memory. */
function writeBigStream(file: string, logStreamName: string, megabytes: number): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, JSON.stringify({ logStreamName, functionName: 'Hello', createdAt: 1 }) + '\n');
  const event = (i: number) =>
    JSON.stringify({ timestamp: 1_000 + i, message: `big ${String(i).padStart(8, '0')} ${'y'.repeat(4000)}`, kind: 'function' }) + '\n';
  const perChunk = 1024;
  const events = Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(event(0)));
  for (let i = 0; i < events; i += perChunk) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(events, i + perChunk); j++) lines.push(event(j));
    fs.writeSync(fd, lines.join(''));
  }
  fs.writeSync(fd, '{"closed":true}\n');
  fs.closeSync(fd);
  return events;
}

describe('reliability: logs at volume', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = makeProject();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a stream over 512 MB: cold starts work, it is listed, and `lambda-lab logs` prints every event', async function () {
    if (!fs.existsSync(CLI)) this.skip();
    const logs = path.join(dir, '.lambda-lab', 'logs', 'Hello');
    const events = writeBigStream(path.join(logs, 'big.jsonl'), 'big', 540);
    assert.ok(fs.statSync(path.join(logs, 'big.jsonl')).size > 512 * 1024 * 1024);

    const runtime = new LocalRuntime({ watchCode: false });
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    try {
      const result = await runtime.invoke('Hello', '{}');
      assert.equal(result.functionError, undefined, result.payload.toString());
      const listed = runtime.logs.listStreams('Hello');
      assert.deepEqual(listed.map((s) => s.logStreamName).slice(0, 1), ['big']);
      assert.equal(listed[0].firstEventTimestamp, 1_000);
      assert.equal(listed[0].lastEventTimestamp, 1_000 + events - 1);
    } finally {
      await runtime.dispose();
    }

    const child = cli(['logs', 'Hello', '--template', path.join(dir, 'template.yaml')]);
    // Counted as it streams by: the test holds no more of it than the command does.
    let printed = 0;
    let last = '';
    child.stdout!.removeAllListeners('data');
    child.stdout!.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) printed++;
      last = d.toString('latin1', Math.max(0, d.length - 5000));
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 0, child.err());
    // Two stream headers, the big stream's events, Hello's own invocation (INIT_START, START, END, REPORT).
    assert.equal(printed, 2 + events + 4);
    assert.match(last, /REPORT RequestId/);
  });

  it('retention reads only the ends of a stream: 8 GB streams are pruned at a cold start without being read', async () => {
    const logs = path.join(dir, '.lambda-lab', 'logs', 'Hello');
    fs.mkdirSync(logs, { recursive: true });
    // A writer that has exited: its pid is free.
    const gone = spawnSync('true').pid;
    for (let i = 0; i < 12; i++) {
      const file = path.join(logs, `huge-${i}.jsonl`);
      fs.writeFileSync(file, JSON.stringify({ logStreamName: `huge-${i}`, functionName: 'Hello', createdAt: i, pid: gone }) + '\n');
      // Sparse: 8 GB long, no disk used; reading it whole would fail (larger than any Buffer).
      fs.truncateSync(file, 8 * 1024 ** 3);
    }
    const runtime = new LocalRuntime({ watchCode: false, logRetention: 5 });
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    try {
      const result = await runtime.invoke('Hello', '{}');
      assert.equal(result.functionError, undefined);
      const left = fs.readdirSync(logs).sort();
      assert.equal(left.length, 5);
      assert.deepEqual(
        left.filter((f) => f.startsWith('huge')),
        ['huge-10.jsonl', 'huge-11.jsonl', 'huge-8.jsonl', 'huge-9.jsonl'],
      );
    } finally {
      await runtime.dispose();
    }
  });

  it('never deletes a stream an environment still writes, in this process or another', async () => {
    const logsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-live-logs-'));
    const store = new LogStore(logsDir, 2);
    const record = (message: string) => ({
      functionName: 'Fn',
      version: '$LATEST',
      environmentId: 'e',
      logGroup: 'g',
      logStreamName: 's',
      timestamp: Date.now(),
      message,
      kind: 'function' as const,
    });
    // A warm environment of this process, and one of another Lambda Lab process still running.
    const warm = store.openStream('Fn', 'warm');
    warm.append(record('before'));
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    const foreign = path.join(logsDir, 'Fn', 'foreign.jsonl');
    fs.writeFileSync(foreign, JSON.stringify({ logStreamName: 'foreign', functionName: 'Fn', createdAt: 0, pid: other.pid }) + '\n');
    try {
      for (const name of ['a', 'b', 'c', 'd']) store.openStream('Fn', name).close();
      const names = () => store.listStreams('Fn').map((s) => s.logStreamName);
      // Kept past retention (2): both live streams, and the newest finished one.
      assert.deepEqual(names(), ['foreign', 'warm', 'd']);
      warm.append(record('after'));
      warm.flush();
      assert.deepEqual(
        [...store.readStream('Fn', 'warm')].map((e) => e.message),
        ['before', 'after'],
        'later lines land in the kept stream',
      );
      // Once finished, they go like any other.
      warm.close();
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
      store.openStream('Fn', 'e').close();
      assert.deepEqual(names(), ['d', 'e']);
    } finally {
      other.kill('SIGKILL');
      fs.rmSync(logsDir, { recursive: true, force: true });
    }
  });
});
