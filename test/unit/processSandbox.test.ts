// The sandbox sweep against a fake /proc: which processes it recognises as an environment's
// (marker, session, group, descendants), what it spares, and a leader that forks while dying.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sweepSandboxes } from '../../src/runtime/environment/processSandbox';

interface FakeProc {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state?: string;
  env?: Record<string, string>;
}

describe('sandbox sweep (fake /proc)', () => {
  let proc: string;
  const add = (p: FakeProc) => {
    const dir = path.join(proc, String(p.pid));
    fs.mkdirSync(dir);
    // comm with a space and a parenthesis, as /proc allows.
    fs.writeFileSync(path.join(dir, 'stat'), `${p.pid} (we ird) ${p.state ?? 'S'} ${p.ppid} ${p.pgid} ${p.sid} 0 -1 4194560 0 0 0 0 7 3`);
    fs.writeFileSync(
      path.join(dir, 'environ'),
      Object.entries(p.env ?? {})
        .map(([k, v]) => `${k}=${v}\0`)
        .join(''),
    );
  };
  const marker = (env: string) => ({ PATH: '/bin', LAMBDA_LAB_SANDBOX: `owner1/${env}` });
  beforeEach(() => {
    proc = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-proc-'));
    fs.writeFileSync(path.join(proc, 'self'), ''); // not a pid: ignored
  });
  afterEach(() => fs.rmSync(proc, { recursive: true, force: true }));

  it("kills an environment's marked processes, its session and group, and their descendants; spares the rest", () => {
    add({ pid: 100, ppid: 1, pgid: 100, sid: 100, env: marker('envA') }); // the handler, session leader
    add({ pid: 101, ppid: 100, pgid: 100, sid: 100, env: {} }); // cleared environment, same group
    add({ pid: 102, ppid: 1, pgid: 102, sid: 102, env: marker('envA') }); // own session, marker kept, orphaned
    add({ pid: 103, ppid: 102, pgid: 103, sid: 103, env: {} }); // its child: new session, no marker
    add({ pid: 104, ppid: 100, pgid: 100, sid: 100, state: 'Z', env: {} }); // a zombie: already dead
    add({ pid: 200, ppid: 1, pgid: 200, sid: 200, env: marker('envB') }); // another environment
    add({ pid: 300, ppid: 1, pgid: 300, sid: 300, env: { LAMBDA_LAB_SANDBOX_X: 'owner1/envA' } }); // look-alike name
    const killed: number[] = [];
    const kill = (pid: number) => {
      killed.push(pid);
      fs.rmSync(path.join(proc, String(pid)), { recursive: true });
    };
    assert.equal(sweepSandboxes('owner1/envA', [], proc, kill), 4);
    assert.deepEqual(killed.sort(), [100, 101, 102, 103]);
    killed.length = 0;
    assert.equal(sweepSandboxes('owner1/', [], proc, kill), 1, "the owner's prefix takes every environment of it");
    assert.deepEqual(killed, [200]);
  });

  it('kills the group of a leader that is gone, and a child its dying leader started between two passes', () => {
    add({ pid: 100, ppid: 1, pgid: 100, sid: 100, env: marker('envA') });
    add({ pid: 401, ppid: 1, pgid: 400, sid: 400, env: {} }); // the group of a leader that already exited
    const killed: number[] = [];
    const kill = (pid: number) => {
      killed.push(pid);
      fs.rmSync(path.join(proc, String(pid)), { recursive: true });
      // It forked just before dying: a child with a cleared environment, re-parented to init.
      if (pid === 100) add({ pid: 150, ppid: 1, pgid: 100, sid: 100, env: {} });
    };
    sweepSandboxes('owner1/envA', [400], proc, kill);
    assert.deepEqual(killed.sort(), [100, 150, 401]);
  });
});
