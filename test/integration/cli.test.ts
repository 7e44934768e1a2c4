// The `lambda-lab` command as a user runs it: the built CLI in a child process.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'out', 'cli.js');
const FIXTURE_DIR = path.join(ROOT, 'test', 'fixtures', 'runtime');

function run(args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? FIXTURE_DIR,
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', function () {
  this.timeout(60_000);
  after(() => fs.rmSync(path.join(FIXTURE_DIR, '.lambda-lab'), { recursive: true, force: true }));

  it('lists functions with runtime, handler, memory and timeout; --json too', () => {
    const r = run(['list']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^FUNCTION\s+RUNTIME\s+HANDLER\s+MEMORY\s+TIMEOUT$/m);
    assert.match(r.stdout, /^Sleep\s+nodejs20\.x\s+sleep\.handler\s+128 MB\s+1 s$/m);
    const j = JSON.parse(run(['list', '--json']).stdout);
    assert.ok(j.functions.some((f: { logicalId: string }) => f.logicalId === 'Provided'));
  });

  it('invokes: response on stdout, Lambda log lines on stderr, exit 0', () => {
    const r = run(['invoke', 'Echo', '--payload', '{"a":1}']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '{"a":1}\n');
    assert.match(r.stderr, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    assert.match(r.stderr, /^REPORT RequestId: .*Init Duration/m);
  });

  it('reads the event from a file and from stdin', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-cli-'));
    fs.writeFileSync(path.join(dir, 'e.json'), '{"from":"file"}');
    assert.equal(run(['invoke', 'Echo', '-e', path.join(dir, 'e.json'), '--quiet']).stdout, '{"from":"file"}\n');
    assert.equal(run(['invoke', 'Echo', '-e', '-', '--quiet'], { input: '{"from":"stdin"}' }).stdout, '{"from":"stdin"}\n');
    fs.rmSync(dir, { recursive: true });
  });

  it('--count with --json prints one object per invocation, the first cold, the rest warm', () => {
    const r = run(['invoke', 'State', '--count', '3', '--json', '--quiet']);
    assert.equal(r.code, 0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.map((x) => x.cold),
      [true, false, false],
    );
    assert.deepEqual(
      rows.map((x) => x.payload.count),
      [1, 2, 3],
    );
    for (const x of rows) {
      assert.match(x.requestId, /^[0-9a-f-]{36}$/);
      assert.equal(typeof x.durationMs, 'number');
      assert.equal(typeof x.billedDurationMs, 'number');
      assert.equal(typeof x.maxMemoryUsedMB, 'number');
      assert.equal(x.environmentId, rows[0].environmentId);
    }
    assert.equal(typeof rows[0].initDurationMs, 'number');
    assert.equal(rows[1].initDurationMs, undefined);
  });

  it('exits 1 when an invocation returns a function error, and still runs all of them', () => {
    const r = run(['invoke', 'InitError', '--count', '2', '--json', '--quiet']);
    assert.equal(r.code, 1);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 2);
    assert.ok(rows.every((x) => x.functionError === 'Unhandled'));
  });

  it('exits 2 with a clear message for usage and template errors', () => {
    const unknown = run(['invoke', 'Nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No function Nope in .*template\.yaml\. Functions: State, Echo/);
    const badJson = run(['invoke', 'Echo', '--payload', '{"a":']);
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /not valid JSON/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-cli-'));
    fs.writeFileSync(path.join(dir, 'template.yaml'), 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [oops\n');
    const broken = run(['list'], { cwd: dir });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /template\.yaml:\d+:\d+/);
    const none = run(['list'], { cwd: os.tmpdir() });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No template\.yaml, template\.yml or template\.json/);
    fs.rmSync(dir, { recursive: true });
  });

  it('prints persisted logs with `logs`, newest stream last', () => {
    run(['invoke', 'Echo', '--payload', '{"tag":"persisted"}', '--quiet']);
    const r = run(['logs', 'Echo']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /==> Echo \d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32} <==/);
    const last = r.stdout.lastIndexOf('==> Echo');
    assert.match(r.stdout.slice(last), /warn line persisted/);
  });

  it('follows new log events written by another process with `logs --follow`', async () => {
    run(['invoke', 'Echo', '--payload', '{}', '--quiet']);
    const follower = spawn(process.execPath, [CLI, 'logs', 'Echo', '--follow', '--streams', '1'], { cwd: FIXTURE_DIR });
    let out = '';
    follower.stdout.on('data', (d) => (out += d));
    try {
      await new Promise<void>((resolve) => follower.stdout.once('data', () => resolve()));
      // Invoked from a separate process: the follower sees only what is written to disk.
      run(['invoke', 'Echo', '--payload', '{"tag":"followed"}', '--quiet']);
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no followed line; got:\n${out}`)), 15_000);
        const check = () => {
          if (/warn line followed/.test(out)) {
            clearTimeout(deadline);
            resolve();
          } else setTimeout(check, 50);
        };
        check();
      });
      assert.match(out, /==> Echo \d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32} <==[\s\S]*warn line followed/);
    } finally {
      follower.kill('SIGTERM');
    }
  });

  it('has --help for every command', () => {
    for (const c of ['list', 'invoke', 'logs', 'serve']) {
      const r = run([c, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Usage: lambda-lab ${c}`));
    }
  });
});
