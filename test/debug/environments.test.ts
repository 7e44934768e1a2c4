// Every execution environment is a thread: scale-out under concurrency, and replacements after
// a code change, each start under the debugger and stop in init.
import * as assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: execution environments as threads', function () {
  this.timeout(60_000);
  const { dir, h } = useDebugFixture('js', { copyPerTest: true });
  const app = path.join(dir, 'src/app.js');

  it('with invocations: 0, three concurrent invokes are three threads, each stopping in init', async () => {
    await h.configure('launch', { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 0 }, { [app]: [3] });
    const invokes = [h.invoke({ name: 'a' }), h.invoke({ name: 'b' }), h.invoke({ name: 'c' })];
    const stops: DebugProtocol.StoppedEvent[] = [];
    for (let i = 0; i < 3; i++) stops.push(await h.stopped());
    const ids = new Set(stops.map((s) => s.body.threadId));
    assert.equal(ids.size, 3, 'three different threads stopped');
    for (const s of stops) assert.equal((await h.location(s.body.threadId!)).line, 3);
    const threads = await h.dc.threadsRequest();
    assert.deepEqual(threads.body.threads.map((t) => t.name).sort(), ['Hello $LATEST #1', 'Hello $LATEST #2', 'Hello $LATEST #3']);
    for (const s of stops) await h.dc.continueRequest({ threadId: s.body.threadId! });
    const results = await Promise.all(invokes);
    assert.deepEqual(results.map((r) => JSON.parse(r.body.payload).text).sort(), ['hello a', 'hello b', 'hello c']);
  });

  it('a new environment after a code change stops in init again', async () => {
    await h.configure('launch', { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 0 }, { [app]: [3] });
    const first = h.invoke();
    const cold = await h.stopped();
    await h.dc.continueRequest({ threadId: cold.body.threadId! });
    await first;

    appendFileSync(app, '// edited by the test\n');
    const exited = await h.next<DebugProtocol.ThreadEvent>('thread', (e) => e.body.reason === 'exited');
    assert.equal(exited.body.threadId, cold.body.threadId);

    const second = h.invoke();
    const again = await h.stopped();
    assert.notEqual(again.body.threadId, cold.body.threadId);
    assert.equal((await h.location(again.body.threadId!)).line, 3);
    const threads = await h.dc.threadsRequest();
    assert.deepEqual(
      threads.body.threads.map((t) => t.name),
      ['Hello $LATEST #2'],
    );
    await h.dc.continueRequest({ threadId: again.body.threadId! });
    assert.equal(JSON.parse((await second).body.payload).invocations, 1, 'a fresh environment ran init again');
  });

  it('attach debugs new environments of the listed functions only', async () => {
    const thrower = path.join(dir, 'src/thrower.js');
    await h.configure('attach', { template: path.join(dir, 'template.yaml'), functions: ['Hello'] }, { [app]: [3], [thrower]: [3] });
    const hello = h.invoke({}, 'Hello');
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 3);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    assert.equal(JSON.parse((await hello).body.payload).text, 'hello world');

    const other = await h.invoke({}, 'Thrower');
    assert.equal(JSON.parse(other.body.payload).ok, true, 'Thrower is not debugged: its breakpoint does not stop it');
    assert.deepEqual(
      (await h.dc.threadsRequest()).body.threads.map((t) => t.name),
      ['Hello $LATEST #1'],
    );
  });

  it('attach names an unknown function', async () => {
    await h.dc.initializeRequest({ adapterID: 'lambda-lab', pathFormat: 'path' });
    await assert.rejects(
      h.dc.attachRequest({ template: path.join(dir, 'template.yaml'), functions: ['Hello', 'Nope'] } as never),
      /Function "Nope" is not defined/,
    );
  });
});
