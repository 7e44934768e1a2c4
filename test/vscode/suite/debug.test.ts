import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { api, eventually, helloDir, lineOf } from './helpers';

/** Every DAP message the lambda-lab adapter sends, seen through a DebugAdapterTracker. */
class Transcript implements vscode.Disposable {
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  private readonly registration = vscode.debug.registerDebugAdapterTrackerFactory('lambda-lab', {
    createDebugAdapterTracker: () => ({ onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => void this.messages.push(m) }),
  });

  stops(): DebugProtocol.StoppedEvent[] {
    return this.messages.filter(
      (m): m is DebugProtocol.StoppedEvent => m.type === 'event' && (m as DebugProtocol.Event).event === 'stopped',
    );
  }

  dispose(): void {
    this.registration.dispose();
  }
}

interface Stop {
  threadId: number;
  frame: DebugProtocol.StackFrame;
}

/** Waits for stop number `n` (1-based) and reads its top frame. */
async function nthStop(session: vscode.DebugSession, transcript: Transcript, n: number): Promise<Stop> {
  const stopped = await eventually(`stop #${n}`, () => transcript.stops()[n - 1], 60_000);
  const threadId = stopped.body.threadId!;
  const trace = (await session.customRequest('stackTrace', {
    threadId,
    startFrame: 0,
    levels: 1,
  })) as DebugProtocol.StackTraceResponse['body'];
  return { threadId, frame: trace.stackFrames[0] };
}

describe('debugging (F5, Debug button)', () => {
  const transcript = new Transcript();
  let session: vscode.DebugSession | undefined;
  let app: string;
  let initLine: number;
  let handlerLine: number;

  before(async () => {
    await api();
    app = path.join(helloDir(), 'src', 'hello', 'app.js');
    initLine = await lineOf(app, "console.log('init: hello module loaded");
    handlerLine = await lineOf(app, 'invocations += 1;');
    const at = (line: number) => new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(app), new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([at(initLine), at(handlerLine)]);
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (session) await vscode.debug.stopDebugging(session);
    transcript.dispose();
  });

  it('the Debug button starts a session that stops in init code on the cold start, then in the handler', async function () {
    this.timeout(120_000);
    session = await vscode.commands.executeCommand<vscode.DebugSession>('lambdaLab.debug', 'HelloFunction');
    assert.ok(session, 'no debug session started');
    assert.equal(session.type, 'lambda-lab');

    const init = await nthStop(session, transcript, 1);
    // Remote workbenches (code-server) see paths as vscode-remote URIs.
    const framePath = init.frame.source?.path ?? '';
    assert.equal(framePath.includes('://') ? vscode.Uri.parse(framePath).fsPath : framePath, app);
    assert.equal(init.frame.line, initLine + 1, 'stopped at the breakpoint in init code');
    await session.customRequest('continue', { threadId: init.threadId });

    const handler = await nthStop(session, transcript, 2);
    assert.equal(handler.frame.line, handlerLine + 1, 'stopped at the breakpoint in the handler');
    await session.customRequest('continue', { threadId: handler.threadId });
    const lab = await api();
    await eventually('the cold invoke to finish', () =>
      lab.history.recent('HelloFunction').find((i) => i.result.cold && i.endedAt > Date.now() - 60_000),
    );
  });

  it('a warm invoke from the sidebar stops in the handler only, with its variables', async function () {
    this.timeout(120_000);
    const invoked = vscode.commands.executeCommand<{ result: { cold: boolean } }>('lambdaLab.invoke', 'HelloFunction');
    const stop = await nthStop(session!, transcript, 3);
    assert.equal(stop.frame.line, handlerLine + 1);
    const scopes = (await session!.customRequest('scopes', { frameId: stop.frame.id })) as DebugProtocol.ScopesResponse['body'];
    const local = scopes.scopes[0];
    const vars = (await session!.customRequest('variables', {
      variablesReference: local.variablesReference,
    })) as DebugProtocol.VariablesResponse['body'];
    const names = vars.variables.map((v) => v.name);
    assert.ok(names.includes('event') && names.includes('context'), `locals: ${names.join(', ')}`);
    await session!.customRequest('continue', { threadId: stop.threadId });
    const outcome = await invoked;
    assert.equal(outcome.result.cold, false, 'the debugged environment stayed warm');
    assert.equal(transcript.stops().length, 3, 'no stop in init code on a warm start');
  });

  it('F5 with the offered configuration invokes the function with its saved event, then ends', async function () {
    this.timeout(120_000);
    const lab = await api();
    const folder = vscode.workspace.workspaceFolders![0];
    const config = (await lab.debugConfigurations.provideDebugConfigurations(folder)).find((c) => c.function === 'ColdStartFunction')!;
    assert.equal(config.event, '${workspaceFolder}/hello/events/coldstart.json');
    const ended = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.configuration.function !== 'ColdStartFunction') return;
        sub.dispose();
        resolve(s);
      });
    });
    assert.equal(await vscode.debug.startDebugging(folder, config), true);
    await ended;
    const invocation = lab.history.recent('ColdStartFunction')[0];
    assert.ok(invocation, 'the session invoked the function');
    assert.equal(invocation.result.functionError, undefined);
    assert.match(invocation.result.payload.toString(), /nthPrime/);
  });
});
