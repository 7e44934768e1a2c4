// Exception breakpoints, and never a stop in our bootstrap or Node's internals.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: exceptions and the bootstrap', function () {
  this.timeout(60_000);
  const { dir, template, h } = useDebugFixture('js');
  const thrower = path.join(dir, 'src/thrower.js');

  it('"all" stops on caught and escaping exceptions in the handler, with exception info', async () => {
    await h.configure('launch', { function: 'Thrower', template, payload: { fail: true } }, {}, ['all']);
    const caught = await h.stopped();
    assert.equal(caught.body.reason, 'exception');
    assert.deepEqual(await h.location(caught.body.threadId!), { file: thrower, line: 4, name: 'exports.handler' });
    const info = await h.dc.exceptionInfoRequest({ threadId: caught.body.threadId! });
    assert.equal(info.body.exceptionId, 'SyntaxError');

    await h.dc.continueRequest({ threadId: caught.body.threadId! });
    const escaping = await h.stopped();
    assert.equal((await h.location(escaping.body.threadId!)).line, 9);
    assert.match(escaping.body.text ?? '', /handler failed on purpose/);
    await h.dc.continueRequest({ threadId: escaping.body.threadId! });
    await h.next('terminated');
    assert.ok(h.outputs().some((o) => o.includes('failed') && o.includes('handler failed on purpose')));
  });

  it('"uncaught" stops where nothing catches, not on exceptions the handler catches', async () => {
    await h.configure('launch', { function: 'Thrower', template, payload: { later: true } }, {}, ['uncaught']);
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'exception');
    assert.equal((await h.location(stop.body.threadId!)).line, 12);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    await h.next('terminated');
  });

  it('"uncaught" stops on an error thrown out of an async handler, which is still answered as a handler error', async () => {
    await h.configure('launch', { function: 'Thrower', template, payload: { fail: true } }, {}, ['uncaught']);
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'exception');
    assert.deepEqual(await h.location(stop.body.threadId!), { file: thrower, line: 9, name: 'exports.handler' });
    assert.match(stop.body.text ?? '', /handler failed on purpose/);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    await h.next('terminated');
    assert.equal(h.count('stopped'), 1, 'the exception the handler catches itself (line 4) is not a stop');
    const outputs = h.outputs().join('');
    assert.match(outputs, /handler failed on purpose/);
    assert.doesNotMatch(outputs, /UnhandledPromiseRejection/);
  });

  it('never stops in the bootstrap: all exceptions on, stepping out of the handler, a failing import', async () => {
    const app = path.join(dir, 'src/app.js');
    await h.configure('launch', { function: 'Hello', template, invocations: 1 }, { [app]: [11] }, ['all']);
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 11);
    await h.dc.stepOutRequest({ threadId: stop.body.threadId! });
    await h.next('terminated');
    assert.equal(h.count('stopped'), 1, 'stepping out of the handler runs on through the bootstrap');
    await h.stop();

    await h.open();
    await h.configure('launch', { function: 'BadImport', template }, {}, ['all']);
    await h.next('terminated');
    const failure = h.outputs().find((o) => o.includes('Runtime.ImportModuleError'));
    assert.ok(failure, `an import error in the Debug Console; got ${h.outputs().join('')}`);
    assert.match(failure, /does-not-exist/);
    assert.equal(h.count('stopped'), 0, 'no stop while the bootstrap handles the failed import');
  });
});
