// The user cache's install lock: installs into one prefix never overlap, across processes too,
// and a lock left by a process that died is taken over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withInstallLock } from '../../src/runtime/userCache';

describe('user cache install lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs holders one at a time, in this process and against another process', async () => {
    const events: string[] = [];
    let firstIn = 0;
    const hold = (name: string) =>
      withInstallLock(dir, async () => {
        firstIn ||= Date.now();
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        events.push(`${name} out`);
      });
    // Another process takes the lock first and holds it for a while.
    const script = `require(${JSON.stringify(require.resolve('tsx/cjs'))});
      const { withInstallLock } = require(${JSON.stringify(join(__dirname, '../../src/runtime/userCache.ts'))});
      withInstallLock(${JSON.stringify(dir)}, async () => { process.stdout.write('in\\n'); await new Promise((r) => setTimeout(r, 600)); process.stdout.write('out ' + Date.now() + '\\n'); });`;
    const other = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => other.on('exit', resolve));
    let otherOut = '';
    await new Promise<void>((resolve) =>
      other.stdout.on('data', (c: Buffer) => {
        otherOut += c;
        if (otherOut.includes('in')) resolve();
      }),
    );
    await Promise.all([hold('a'), hold('b')]);
    await exited;
    const [, otherOutAt] = /^in\nout (\d+)\n$/.exec(otherOut) ?? [];
    assert.ok(otherOutAt, otherOut);
    assert.ok(firstIn >= Number(otherOutAt), 'this process entered while the other held the lock');
    assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out']);
  });

  it('takes over a stale lock', async () => {
    const lock = join(dir, '.install-lock');
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    assert.equal(await withInstallLock(dir, async () => 'ran', 30_000), 'ran');
  });
});
