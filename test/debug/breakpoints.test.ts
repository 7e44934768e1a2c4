// Conditional breakpoints, hit counts, logpoints, and the verified state of breakpoints.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: breakpoint kinds', function () {
  this.timeout(60_000);
  const { dir, h } = useDebugFixture('js');
  const app = path.join(dir, 'src/app.js');

  it('stops on a condition, on the third hit, and logs without stopping', async () => {
    await h.configure(
      'launch',
      { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 0 },
      {
        [app]: [
          { line: 7, condition: "event.name === 'b'" },
          { line: 10, logMessage: 'count is {invocations} for {event}' },
          { line: 11, hitCondition: '3' },
        ],
      },
    );

    await h.invoke({ name: 'a' }); // no stop: condition false, hit 1 of 3

    const second = h.invoke({ name: 'b' });
    const cond = await h.stopped();
    assert.equal((await h.location(cond.body.threadId!)).line, 7);
    await h.dc.continueRequest({ threadId: cond.body.threadId! });
    await second; // hit 2 of 3: no stop

    const third = h.invoke({ name: 'c' });
    const hit = await h.stopped();
    assert.equal((await h.location(hit.body.threadId!)).line, 11);
    await h.dc.continueRequest({ threadId: hit.body.threadId! });
    await third;

    const logs: DebugProtocol.OutputEvent[] = [];
    for (let i = 0; i < 3; i++) logs.push(await h.next<DebugProtocol.OutputEvent>('output', (e) => e.body.output.startsWith('count is')));
    assert.deepEqual(
      logs.map((l) => l.body.output),
      ['count is 1 for {"name":"a"}\n', 'count is 2 for {"name":"b"}\n', 'count is 3 for {"name":"c"}\n'],
    );
    assert.deepEqual([logs[0].body.source?.path, logs[0].body.line], [app, 10]);
  });

  it('reports breakpoints unverified until they bind, and says which files the function does not contain', async () => {
    const elsewhere = path.join(dir, 'template.yaml.js');
    await h.configure(
      'launch',
      { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 1 },
      { [app]: [5, { line: 7, hitCondition: 'often' }], [elsewhere]: [1] },
    );
    const [blank, badHit] = h.breakpoints.get(app)!;
    assert.equal(blank.verified, false);
    assert.equal(badHit.verified, false);
    assert.match(badHit.message ?? '', /Invalid hit condition "often"/);
    // Depending on whether launch knew the function when the breakpoint came, the response or a later event says it.
    const [answered] = h.breakpoints.get(elsewhere)!;
    const notPart = answered.message?.includes('not part')
      ? answered
      : (await h.next<DebugProtocol.BreakpointEvent>('breakpoint', (e) => e.body.breakpoint.source?.path === elsewhere)).body.breakpoint;
    assert.equal(notPart.verified, false);
    assert.match(notPart.message ?? '', /is not part of the code of Hello/);

    // Line 5 is blank: the breakpoint binds on the next line with code, and says so.
    const bound = await h.next<DebugProtocol.BreakpointEvent>(
      'breakpoint',
      (e) => e.body.breakpoint.id === blank.id && e.body.breakpoint.verified,
    );
    assert.equal(bound.body.breakpoint.line, 6);
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 6);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    await h.next('terminated');
  });
});
