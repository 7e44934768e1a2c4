// Scopes, variables (with pages of large arrays), evaluate, setVariable, stepping and pause.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: inspecting and stepping', function () {
  this.timeout(60_000);
  const { dir, h } = useDebugFixture('js');
  const app = path.join(dir, 'src/app.js');

  it('shows scopes and variables, evaluates, sets variables and steps', async () => {
    await h.configure(
      'launch',
      { function: 'Hello', template: path.join(dir, 'template.yaml'), payload: { name: 'vars', nested: { deep: [1, 2] } } },
      { [app]: [9] },
    );
    const stop = await h.stopped();
    const threadId = stop.body.threadId!;
    const frame = await h.topFrame(threadId);
    assert.equal(frame.line, 9);

    const scopes = (await h.dc.scopesRequest({ frameId: frame.id })).body.scopes;
    assert.deepEqual(
      scopes.map((s) => s.name),
      ['Local', 'Closure', 'Global'],
    );
    assert.equal(scopes.at(-1)!.expensive, true);
    const closure = await h.dc.variablesRequest({ variablesReference: scopes[1].variablesReference });
    assert.equal(closure.body.variables.find((v) => v.name === 'greeting')?.value, '"hello"');

    const locals = await h.locals(frame.id);
    const event = locals.get('event')!;
    assert.equal(event.value, '{name: "vars", nested: {…}}');
    const eventProps = await h.dc.variablesRequest({ variablesReference: event.variablesReference });
    const nested = eventProps.body.variables.find((v) => v.name === 'nested')!;
    assert.equal(nested.evaluateName, 'event.nested');
    const deep = (await h.dc.variablesRequest({ variablesReference: nested.variablesReference })).body.variables.find(
      (v) => v.name === 'deep',
    )!;
    assert.equal(deep.value, '(2) [1, 2]');

    const items = locals.get('items')!;
    assert.equal(items.indexedVariables, 250, 'large arrays are paged');
    const page = await h.dc.variablesRequest({ variablesReference: items.variablesReference, filter: 'indexed', start: 100, count: 3 });
    assert.deepEqual(
      page.body.variables.map((v) => [v.name, v.value]),
      [
        ['100', '200'],
        ['101', '202'],
        ['102', '204'],
      ],
    );
    const named = await h.dc.variablesRequest({ variablesReference: items.variablesReference, filter: 'named' });
    assert.ok(named.body.variables.some((v) => v.name === 'length' && v.value === '250'));

    const sum = await h.dc.evaluateRequest({ expression: 'items.length + invocations', frameId: frame.id, context: 'watch' });
    assert.equal(sum.body.result, '251');
    await assert.rejects(h.dc.evaluateRequest({ expression: 'invocations = 99', frameId: frame.id, context: 'hover' }), /side-effect/i);
    const assigned = await h.dc.evaluateRequest({ expression: 'invocations = 40', frameId: frame.id, context: 'repl' });
    assert.equal(assigned.body.result, '40');

    const set = await h.dc.setVariableRequest({
      variablesReference: scopes[0].variablesReference,
      name: 'event',
      value: '({ name: "changed" })',
    });
    assert.equal(set.body.value, '{name: "changed"}');

    await h.dc.stepInRequest({ threadId });
    await h.stopped((e) => e.body.reason === 'step');
    const inside = await h.location(threadId);
    assert.deepEqual([inside.name, inside.line], ['describe', 15]);
    await h.dc.stepOutRequest({ threadId });
    await h.stopped((e) => e.body.reason === 'step');
    const out = await h.location(threadId);
    assert.equal(out.name, 'exports.handler');
    assert.equal(out.line, 10, 'back in the caller, at the statement after the call');
    await h.dc.nextRequest({ threadId });
    await h.stopped((e) => e.body.reason === 'step');
    const after = await h.topFrame(threadId);
    assert.equal(after.line, 11);
    const text = await h.dc.evaluateRequest({ expression: 'result.text + " " + result.invocations', frameId: after.id, context: 'watch' });
    assert.equal(text.body.result, '"hello changed 40"');

    await h.dc.continueRequest({ threadId });
    await h.next('terminated');
  });

  it('pauses an idle environment when its next invoke starts, outside user code, and continues', async () => {
    await h.configure('launch', { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 0 });
    await h.invoke(); // cold start, no breakpoints: runs through
    const [thread] = (await h.dc.threadsRequest()).body.threads;
    await h.dc.pauseRequest({ threadId: thread.id });
    const next = h.invoke({ name: 'paused' });
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'pause');
    const top = await h.topFrame(thread.id);
    assert.equal(top.presentationHint, 'subtle', 'no user code runs yet: the frame is shown as skipped code');
    await h.dc.continueRequest({ threadId: thread.id });
    assert.equal(JSON.parse((await next).body.payload).text, 'hello paused');
  });
});
