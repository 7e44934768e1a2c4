// The session's breakpoints against fake threads: every thread gets each change, the exception
// filter reaches every thread, and the client hears why a breakpoint is unbound, and where it
// bound, once per change.
import * as assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { UserBreakpoint } from '../../src/debug/breakpoints';
import type { DebugThread, ExceptionState } from '../../src/debug/debugThread';
import { SessionBreakpoints } from '../../src/debug/sessionBreakpoints';
import type { FunctionConfig } from '../../src/runtime/functionConfig';

/** A thread that records what the session asked of it. */
function fakeThread() {
  const updates: Array<{ added: number[]; removed: number[] }> = [];
  const states: ExceptionState[] = [];
  const thread = {
    updateBreakpoints: async (added: UserBreakpoint[], removed: UserBreakpoint[]) => {
      updates.push({ added: added.map((b) => b.id), removed: removed.map((b) => b.id) });
    },
    setExceptionState: async (state: ExceptionState) => states.push(state),
  } as unknown as DebugThread;
  return { thread, updates, states };
}

describe('session breakpoints', () => {
  const app = '/work/app/src/handler.js';
  const elsewhere = '/work/other/lib.js';
  const fn = { functionName: 'Hello', codeDir: '/work/app/src' } as FunctionConfig;
  let functions: FunctionConfig[];
  let changed: DebugProtocol.Breakpoint[];
  let threads: ReturnType<typeof fakeThread>[];
  let breakpoints: SessionBreakpoints;

  beforeEach(() => {
    functions = [];
    changed = [];
    threads = [fakeThread(), fakeThread()];
    breakpoints = new SessionBreakpoints({
      threads: () => threads.map((t) => t.thread),
      debuggedFunctions: () => functions,
      mapsCover: async () => false,
      changed: (bp) => changed.push(bp),
    });
  });

  it('hands each change of a file to every thread and answers with the unbound breakpoints', async () => {
    const first = await breakpoints.setForFile(app, [{ line: 3 }, { line: 7 }]);
    assert.deepEqual(
      first.map((b) => [b.line, b.verified, b.message]),
      [
        [3, false, 'Binds when the debugged function loads this file.'],
        [7, false, 'Binds when the debugged function loads this file.'],
      ],
    );
    const second = await breakpoints.setForFile(app, [{ line: 7 }, { line: 9 }]);
    assert.equal(second[0].id, first[1].id, 'an unchanged breakpoint keeps its id');
    for (const { updates } of threads) {
      assert.deepEqual(updates, [
        { added: [first[0].id!, first[1].id!], removed: [] },
        { added: [second[1].id!], removed: [first[0].id!] },
      ]);
    }
  });

  it('says whether a file belongs to the debugged function, once it is known', async () => {
    await breakpoints.setForFile(app, [{ line: 3 }]);
    await breakpoints.setForFile(elsewhere, [{ line: 1 }]);
    functions = [fn];
    await breakpoints.refreshMessages();
    assert.deepEqual(
      changed.map((b) => [b.source?.path, b.message]),
      [
        [app, 'Binds when Hello loads this file (next cold start).'],
        [elsewhere, `${elsewhere} is not part of the code of Hello; this breakpoint binds only if that code loads the file.`],
      ],
    );
    await breakpoints.refreshMessages();
    assert.equal(changed.length, 2, 'unchanged messages are not sent again');
  });

  it('reports a binding once per line it bound to', async () => {
    const [set] = await breakpoints.setForFile(app, [{ line: 4 }]);
    const bp = breakpoints.registry.get(set.id!)!;
    breakpoints.bound(bp, 5);
    breakpoints.bound(bp, 5);
    breakpoints.bound(bp, 6);
    assert.deepEqual(
      changed.map((b) => [b.verified, b.line, b.message]),
      [
        [true, 5, undefined],
        [true, 6, undefined],
      ],
    );
  });

  it('applies the exception filters to every thread', () => {
    breakpoints.setExceptionFilters(['uncaught']);
    breakpoints.setExceptionFilters(['uncaught', 'all']);
    breakpoints.setExceptionFilters([]);
    assert.equal(breakpoints.exceptionState, 'none');
    for (const { states } of threads) assert.deepEqual(states, ['uncaught', 'all', 'none']);
  });
});
