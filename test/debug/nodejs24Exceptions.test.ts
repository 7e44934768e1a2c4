// nodejs24.x (aws-lambda-ric 4.x behaviour) under the debugger: "Uncaught Exceptions" still
// stops on an error thrown out of an async handler, which is then answered as the handler's error.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugHarness, copyFixture, ensureAdapterBuilt, removeFixture } from './debugHarness';

describe('debug adapter: nodejs24.x exceptions', function () {
  this.timeout(60_000);
  let dir: string;
  let h: DebugHarness;
  let template: string;

  before(() => {
    ensureAdapterBuilt();
    dir = copyFixture('js');
    template = path.join(dir, 'template.yaml');
    fs.writeFileSync(template, fs.readFileSync(template, 'utf8').replace('Runtime: nodejs20.x', 'Runtime: nodejs24.x'));
  });
  after(() => removeFixture(dir));
  beforeEach(async () => (h = await DebugHarness.start()));
  afterEach(() => h.stop());

  it('"uncaught" stops on an error thrown out of an async handler, answered as a handler error', async () => {
    await h.configure('launch', { function: 'Thrower', template, payload: { fail: true } }, {}, ['uncaught']);
    const stop = await h.stopped();
    assert.equal(stop.body.reason, 'exception');
    assert.deepEqual(await h.location(stop.body.threadId!), { file: path.join(dir, 'src/thrower.js'), line: 9, name: 'exports.handler' });
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    await h.next('terminated');
    assert.equal(h.count('stopped'), 1);
    const outputs = h.outputs().join('');
    assert.match(outputs, /handler failed on purpose/);
    assert.doesNotMatch(outputs, /Runtime\.ExitError|UnhandledPromiseRejection/);
  });
});
