// A Python function debugged from the extension: the session its Debug command starts stops at a
// breakpoint in the .py handler (seen through vscode.debug.activeStackItem, as the workbench sees
// it), shows the saved event among the locals, and the invocation completes once continued.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { api, eventually, lineOf } from './helpers';

const PYTHON = '/usr/bin/python3';

/** Why a Python function cannot be debugged here, or undefined. */
function debugpyMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import debugpy']);
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  return probe.status === 0 ? undefined : `${PYTHON} has no debugpy (apt-get install python3-debugpy)`;
}

/** The path a DAP source names, as a local path (code-server hands out vscode-remote URIs). */
const localPath = (p: string) => (p.includes('://') ? vscode.Uri.parse(p).fsPath : p);

describe('debugging a Python function', () => {
  let session: vscode.DebugSession | undefined;
  let handler: string;
  let line: number;

  before(async function () {
    const missing = debugpyMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    await api();
    handler = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'real-world', 'python-orders', 'src', 'app.py');
    line = await lineOf(handler, 'total = round(');
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(handler), new vscode.Position(line, 0)))]);
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (session) await vscode.debug.stopDebugging(session);
  });

  it('stops at the breakpoint in the .py handler with the event in its locals, then completes', async function () {
    this.timeout(120_000);
    session = await vscode.commands.executeCommand<vscode.DebugSession>('lambdaLab.debug', 'PriceOrderFunction');
    assert.ok(session, 'no debug session started');
    assert.equal(session.type, 'lambda-lab');

    const frame = await eventually(
      'the session to stop',
      () => {
        const item = vscode.debug.activeStackItem;
        return item instanceof vscode.DebugStackFrame && item.session.id === session!.id ? item : undefined;
      },
      60_000,
    );
    const trace = (await session.customRequest('stackTrace', {
      threadId: frame.threadId,
      startFrame: 0,
      levels: 1,
    })) as DebugProtocol.StackTraceResponse['body'];
    const top = trace.stackFrames[0];
    assert.deepEqual([localPath(top.source?.path ?? ''), top.line, top.name], [handler, line + 1, 'handler']);

    const { scopes } = (await session.customRequest('scopes', { frameId: top.id })) as DebugProtocol.ScopesResponse['body'];
    const { variables } = (await session.customRequest('variables', {
      variablesReference: scopes[0].variablesReference,
    })) as DebugProtocol.VariablesResponse['body'];
    const event = variables.find((v) => v.name === 'event');
    assert.ok(event, `locals: ${variables.map((v) => v.name).join(', ')}`);
    assert.match(event.value, /'orderId': '1001'/);

    await vscode.commands.executeCommand('workbench.action.debug.continue'); // F5 while paused
    const lab = await api();
    const invocation = await eventually('the invocation to complete', () => lab.history.recent('PriceOrderFunction')[0], 60_000);
    assert.equal(invocation.result.functionError, undefined);
    assert.deepEqual(JSON.parse(invocation.result.payload.toString()), { orderId: '1001', total: 25.2 });
  });
});
