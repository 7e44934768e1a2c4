// Many templates build with `Sourcemap: false` and `Minify: true`; locally the build still
// writes a map for the debugger and keeps the code readable, so .ts breakpoints bind and the
// Variables view shows the source's names.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { useDebugFixture } from './debugFixture';

describe('debug adapter: TypeScript built with Sourcemap: false and Minify: true', function () {
  this.timeout(60_000);
  const { dir, h } = useDebugFixture('ts');

  it('binds .ts breakpoints in init and handler code and shows the source names', async () => {
    const app = path.join(dir, 'src/app.ts');
    await h.configure(
      'launch',
      { function: 'TsMinified', template: path.join(dir, 'template.yaml'), payload: { name: 'min' } },
      { [app]: [7, 15] },
    );

    const init = await h.stopped();
    const tid = init.body.threadId!;
    assert.deepEqual(await h.location(tid), { file: app, line: 7, name: '(anonymous)' });
    const bound = await h.next<DebugProtocol.BreakpointEvent>(
      'breakpoint',
      (e) => e.body.breakpoint.verified && e.body.breakpoint.line === 15,
    );
    assert.equal(bound.body.breakpoint.source?.path, app);

    await h.dc.continueRequest({ threadId: tid });
    await h.stopped((e) => e.body.reason === 'breakpoint');
    const frame = await h.topFrame(tid);
    assert.deepEqual([frame.source?.path, frame.line, frame.name], [app, 15, 'shape']);
    assert.equal((await h.locals(frame.id)).get('text')?.value, '"ts says min"');
    await h.dc.continueRequest({ threadId: tid });
    await h.next('terminated');
  });
});
