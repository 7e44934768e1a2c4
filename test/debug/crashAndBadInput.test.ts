// A process dying while paused ends its thread, not the session; launch configurations a user
// can get wrong fail fast with messages that say what to fix.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: crashes and bad input', function () {
  this.timeout(60_000);
  const { dir, template, h } = useDebugFixture('js');

  it('a handler process killed while paused ends its thread with a message; the session goes on', async () => {
    const app = path.join(dir, 'src/app.js');
    await h.configure('launch', { function: 'Hello', template, invocations: 0 }, { [app]: [7] });
    const first = h.invoke();
    const stop = await h.stopped();
    const pid = Number((await h.dc.evaluateRequest({ expression: 'process.pid', context: 'repl' })).body.result);
    process.kill(pid, 'SIGKILL');

    const exited = await h.next<DebugProtocol.ThreadEvent>('thread', (e) => e.body.reason === 'exited');
    assert.equal(exited.body.threadId, stop.body.threadId);
    const message = await h.next<DebugProtocol.OutputEvent>('output', (e) => e.body.output.includes('ended while paused'));
    assert.match(message.body.output, /Hello \$LATEST #1 ended while paused/);
    const failed = await first;
    assert.equal(failed.body.functionError, 'Unhandled');

    const second = h.invoke();
    const again = await h.stopped();
    assert.notEqual(again.body.threadId, stop.body.threadId);
    await h.dc.continueRequest({ threadId: again.body.threadId! });
    assert.equal(JSON.parse((await second).body.payload).text, 'hello world');
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown function', { function: 'Nope' }, /Function "Nope" is not defined in the template\. Functions: Hello, Thrower, BadImport/],
    ['no function', {}, /"function" is required/],
    ['a missing template', { function: 'Hello', template: 'missing.yaml' }, /"template": file not found: .*missing\.yaml/],
    ['a missing event file', { function: 'Hello', event: 'nope.json' }, /"event": file not found: .*nope\.json/],
    ['an event file that is not JSON', { function: 'Hello', event: 'broken.json' }, /"event": .*broken\.json is not valid JSON/],
    ['event and payload both', { function: 'Hello', event: 'event.json', payload: {} }, /either "event" .* or "payload"/],
    ['a negative invocation count', { function: 'Hello', invocations: -1 }, /"invocations" must be a whole number/],
  ];
  for (const [what, args, expected] of cases) {
    it(`fails the launch on ${what}, naming what to fix`, async () => {
      await h.dc.initializeRequest({ adapterID: 'lambda-lab', pathFormat: 'path' });
      await assert.rejects(h.dc.launchRequest({ template, cwd: dir, ...args } as DebugProtocol.LaunchRequestArguments), expected);
    });
  }

  it('fails the launch when the folder has no template', async () => {
    await h.dc.initializeRequest({ adapterID: 'lambda-lab', pathFormat: 'path' });
    await assert.rejects(
      h.dc.launchRequest({ function: 'Hello', cwd: path.join(dir, 'src') } as DebugProtocol.LaunchRequestArguments),
      /No template\.yaml, template\.yml or template\.json in .*src/,
    );
  });

  it('finds template.yaml in cwd and reads the event file', async () => {
    await h.configure('launch', { function: 'Hello', cwd: dir, event: 'event.json' });
    await h.next('terminated');
    assert.ok(h.outputs().some((o) => o.includes('"text":"hello event file"')));
  });
});
