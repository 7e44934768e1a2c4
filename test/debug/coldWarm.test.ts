// Breakpoints bind before init on every cold start and stay bound for warm starts.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: cold and warm starts', function () {
  this.timeout(60_000);
  const { dir, h } = useDebugFixture('js');
  const app = path.join(dir, 'src/app.js');

  it('stops in init code on the cold start, then in the handler on the cold and the warm invoke', async () => {
    await h.configure(
      'launch',
      { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 2, payload: { name: 'dap' } },
      { [app]: [3, 7] },
    );

    const init = await h.stopped();
    assert.equal(init.body.reason, 'breakpoint');
    assert.deepEqual(await h.location(init.body.threadId!), { file: app, line: 3, name: '(anonymous)' });
    const threads = await h.dc.threadsRequest();
    assert.deepEqual(
      threads.body.threads.map((t) => t.name),
      ['Hello $LATEST #1'],
    );
    const [verified] = h.breakpoints.get(app)!;
    assert.equal(verified.verified, false, 'unbound until the function loads the file');

    await h.dc.continueRequest({ threadId: init.body.threadId! });
    const cold = await h.stopped();
    assert.equal(cold.body.threadId, init.body.threadId);
    assert.equal((await h.location(cold.body.threadId!)).line, 7);

    await h.dc.continueRequest({ threadId: cold.body.threadId! });
    const warm = await h.stopped();
    assert.equal(warm.body.threadId, init.body.threadId, 'the warm invoke runs in the same environment');
    assert.equal((await h.location(warm.body.threadId!)).line, 7);
    const locals = await h.locals((await h.topFrame(warm.body.threadId!)).id);
    assert.equal(locals.get('event')?.value, '{name: "dap"}');

    await h.dc.continueRequest({ threadId: warm.body.threadId! });
    await h.next('terminated');
    const results = h.outputs().filter((o) => o.includes('returned'));
    assert.equal(results.length, 2);
    assert.match(results[1], /"invocations":2/);
  });

  it("shows the handler's console output with its call site and request id", async () => {
    await h.configure('launch', { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 0 });
    const result = await h.invoke();
    const log = await h.next<DebugProtocol.OutputEvent>('output', (e) => e.body.output.includes('handled'));
    assert.equal(log.body.category, 'stdout');
    assert.ok(log.body.output.includes(result.body.requestId), `request id in ${JSON.stringify(log.body.output)}`);
    assert.deepEqual([log.body.source?.path, log.body.line], [app, 10]);
  });
});
