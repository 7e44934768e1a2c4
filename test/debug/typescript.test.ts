// TypeScript: breakpoints set in .ts bind through the build's source maps before the script
// runs; frames and steps show .ts positions.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { useDebugFixture } from './debugFixture';
import { copyFixture, removeFixture } from './debugHarness';

describe('debug adapter: TypeScript through source maps', function () {
  this.timeout(60_000);
  const { dir, h } = useDebugFixture('ts', {
    // As `tsc --sourceMap` would: one .js per .ts with a sourceMappingURL to a .map beside it.
    prepare: async (d) => {
      await build({
        entryPoints: [path.join(d, 'tsc/src/greet.ts')],
        outdir: path.join(d, 'tsc/dist'),
        sourcemap: true,
        format: 'cjs',
        platform: 'node',
      });
    },
  });

  it('stops at .ts lines in init and handler code of an esbuild-built function, and steps in .ts', async () => {
    const app = path.join(dir, 'src/app.ts');
    await h.configure(
      'launch',
      { function: 'TsHello', template: path.join(dir, 'template.yaml'), payload: { name: 'map' } },
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
    const stack = await h.dc.stackTraceRequest({ threadId: tid });
    const [shape, handler] = stack.body.stackFrames;
    assert.deepEqual([shape.source?.path, shape.line, shape.name], [app, 15, 'shape']);
    assert.deepEqual([handler.source?.path, handler.line], [app, 11]);
    const locals = await h.locals(shape.id);
    assert.equal(locals.get('text')?.value, '"ts says map"');

    await h.dc.nextRequest({ threadId: tid });
    await h.stopped((e) => e.body.reason === 'step');
    assert.equal((await h.location(tid)).line, 16);
    await h.dc.stepOutRequest({ threadId: tid });
    await h.stopped((e) => e.body.reason === 'step');
    const back = await h.location(tid);
    assert.equal(back.file, app);
    assert.equal(back.line, 11);

    await h.dc.continueRequest({ threadId: tid });
    await h.next('terminated');
    assert.ok(h.outputs().some((o) => o.includes('"text":"ts says map"')));
  });

  it('binds .ts breakpoints in init code of tsc output whose map the build did not announce', async () => {
    const greet = path.join(dir, 'tsc/src/greet.ts');
    await h.configure('launch', { function: 'TscHello', template: path.join(dir, 'template.yaml') }, { [greet]: [2, 6] });
    const init = await h.stopped();
    const tid = init.body.threadId!;
    assert.deepEqual(await h.location(tid), { file: greet, line: 2, name: '(anonymous)' });
    await h.dc.continueRequest({ threadId: tid });
    await h.stopped();
    const frame = await h.topFrame(tid);
    assert.deepEqual([frame.source?.path, frame.line, frame.name], [greet, 6, 'greet']);
    assert.equal((await h.locals(frame.id)).get('text')?.value, '"greetings, tsc"');
    await h.dc.continueRequest({ threadId: tid });
    await h.next('terminated');
  });

  it('moves a .ts breakpoint when an edit shifts its line, on the next environment', async () => {
    const own = copyFixture('ts'); // this test edits the source
    try {
      await shiftedBreakpoint(own);
    } finally {
      removeFixture(own);
    }
  });

  async function shiftedBreakpoint(own: string): Promise<void> {
    const app = path.join(own, 'src/app.ts');
    await h.configure('launch', { function: 'TsHello', template: path.join(own, 'template.yaml'), invocations: 0 }, { [app]: [16] });
    const first = h.invoke();
    const stop = await h.stopped();
    assert.equal((await h.location(stop.body.threadId!)).line, 16);
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    await first;

    // Two lines inserted above: line 16 now holds the `function shape(...)` header, so the
    // breakpoint binds to the first statement of its body, line 17.
    writeFileSync(app, `// edited\n// by the test\n${readFileSync(app, 'utf8')}`);
    await h.next('thread', (e: DebugProtocol.ThreadEvent) => e.body.reason === 'exited');
    const second = h.invoke();
    const moved = await h.stopped();
    const bound = await h.next<DebugProtocol.BreakpointEvent>('breakpoint', (e) => e.body.breakpoint.line !== 16);
    assert.equal(bound.body.breakpoint.line, 17);
    assert.deepEqual(await h.location(moved.body.threadId!), { file: app, line: 17, name: 'shape' });
    await h.dc.continueRequest({ threadId: moved.body.threadId! });
    await second;
  }
});
