import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionsNode } from '../../../src/vscode/functionsTree';
import type { InvokeOutcome } from '../../../src/vscode/invoker';
import { api, eventually, helloDir, lineOf } from './helpers';

/** The saved-event node `name` under `functionName` in the Functions view. */
async function eventNode(functionName: string, name: string): Promise<FunctionsNode> {
  const { functionsTree: tree } = await api();
  const fns = tree.getChildren().flatMap((t) => tree.getChildren(t));
  const fn = fns.find((n) => n.kind === 'function' && n.fn.functionName === functionName)!;
  const events = tree.getChildren(fn).find((n) => n.kind === 'events')!;
  const node = tree.getChildren(events).find((n) => n.kind === 'event' && n.event.name === name);
  assert.ok(node, `no saved event ${name} for ${functionName}`);
  return node;
}

describe('invoke', () => {
  let hello: InvokeOutcome;

  before(async function () {
    this.timeout(120_000);
    hello = (await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invoke', 'HelloFunction'))!;
  });

  it('opens the HTTP-shaped result as the response it stands for', async () => {
    assert.ok(hello, 'the invoke command returned nothing');
    const body = JSON.parse(hello.result.payload.toString()) as { statusCode: number; body: string };
    assert.equal(body.statusCode, 200);
    assert.match(body.body, /Hello, Lambda Lab!/, 'the default event is events/hello.json');
    const text = hello.document!.getText();
    assert.match(text, /^\/\/ HelloFunction · \$LATEST · cold start · success/);
    assert.match(text, /^HTTP\/1\.1 200 OK$/m);
    assert.equal(hello.document!.uri.scheme, 'lambda-lab-result');
  });

  it('records the invocation in the Functions view and its log stream in the Logs view', async () => {
    const lab = await api();
    const id = hello.result.requestId;
    assert.equal(lab.history.recent('HelloFunction')[0]?.info.requestId, id);
    const inv = await eventually('the REPORT line', () => {
      const i = lab.logIndex.invocation(id);
      return i?.done ? i : undefined;
    });
    assert.equal(inv.cold, true);
    const fnNode = (await lab.logsTree.getChildren()).find((n) => n.kind === 'function' && n.functionName === 'HelloFunction')!;
    const streams = await lab.logsTree.getChildren(fnNode);
    assert.equal(streams.length, 1);
    const invocations = await lab.logsTree.getChildren(streams[0]);
    assert.deepEqual(
      invocations.map((n) => n.kind === 'invocation' && n.invocation.requestId),
      [id],
    );
  });

  it('opens the invocation log as a lambda-log document', async () => {
    await vscode.commands.executeCommand('lambdaLab.openInvocationLog', hello.result.requestId);
    const editor = await eventually('the log editor', () =>
      vscode.window.activeTextEditor?.document.languageId === 'lambda-log' ? vscode.window.activeTextEditor : undefined,
    );
    const text = editor.document.getText();
    assert.match(text, new RegExp(`^START RequestId: ${hello.result.requestId} Version: \\$LATEST`, 'm'));
    assert.match(text, /^REPORT RequestId: .*Duration: [0-9.]+ ms/m);
    assert.match(text, /GET \/hello for Lambda/);
  });

  it('a log stream document follows new lines while its environment lives', async function () {
    this.timeout(120_000);
    const editor = (await vscode.commands.executeCommand<vscode.TextEditor>('lambdaLab.openLogs', 'HelloFunction'))!;
    assert.equal(editor.document.languageId, 'lambda-log');
    const warm = (await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invoke', 'HelloFunction'))!;
    assert.equal(warm.result.cold, false);
    await eventually('the warm invoke in the open stream document', () =>
      editor.document.getText().includes(`REPORT RequestId: ${warm.result.requestId}`) ? true : undefined,
    );
  });

  it('shows each console line inline at the line that logged it', async () => {
    const lab = await api();
    const file = path.join(helloDir(), 'src', 'hello', 'app.js');
    const line = await lineOf(file, "console.info('GET %s");
    const messages = await eventually('inline message', () => lab.inlineLogs.messages(file).get(line));
    const first = messages.find((m) => m.requestId === hello.result.requestId);
    assert.ok(first, 'the line keeps the history of its messages, by request id');
    assert.match(first.message, /GET \/hello for Lambda Lab \(invocation 1 in this environment\)/);
    assert.match(messages[messages.length - 1].message, /invocation 2 in this environment/, 'the latest message is shown');
  });

  it('toggles inline logs off and on', async () => {
    const lab = await api();
    await vscode.commands.executeCommand('lambdaLab.toggleInlineLogs');
    assert.equal(lab.inlineLogs.isEnabled(), false);
    await vscode.commands.executeCommand('lambdaLab.toggleInlineLogs');
    assert.equal(lab.inlineLogs.isEnabled(), true);
  });

  it('maps TypeScript logs and errors to the .ts lines through source maps', async function () {
    this.timeout(120_000);
    const lab = await api();
    const crash = (await vscode.commands.executeCommand<InvokeOutcome>(
      'lambdaLab.invokeEvent',
      await eventNode('TypeScriptFunction', 'typescript-crash'),
    ))!;
    assert.equal(crash.result.functionError, 'Unhandled');
    assert.match(crash.document!.getText(), /"errorType": "Error"/);

    const orders = path.join(helloDir(), 'src', 'typescript', 'orders.ts');
    const throwLine = await lineOf(orders, 'throw new Error');
    const errors = await eventually('inline error in orders.ts', () => lab.inlineLogs.messages(orders).get(throwLine));
    assert.equal(errors[0].error, true);
    assert.match(errors[0].message, /order lookup failed for id "crash"/);

    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', crash.document!.uri);
    assert.ok(
      links.some((l) => l.target?.fsPath === orders && l.target.fragment.startsWith(`L${throwLine + 1},`)),
      `the stack trace links to orders.ts:${throwLine + 1}: ${links.map((l) => `${l.target?.fsPath}#${l.target?.fragment}`).join(', ')}`,
    );

    const app = path.join(helloDir(), 'src', 'typescript', 'app.ts');
    const infoLine = await lineOf(app, 'console.info(`${event.httpMethod}');
    await eventually('inline log in app.ts', () => lab.inlineLogs.messages(app).get(infoLine));
  });

  it('refuses an event file with invalid JSON, naming its position', async () => {
    const lab = await api();
    const dir = path.join(helloDir(), 'events', 'HelloFunction');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'broken.json'), '{\n  "a": 1,\n  oops\n}\n');
    const before = lab.history.recent('HelloFunction').length;
    const outcome = await vscode.commands.executeCommand<InvokeOutcome | undefined>(
      'lambdaLab.invokeEvent',
      await eventNode('HelloFunction', 'broken'),
    );
    assert.equal(outcome, undefined);
    assert.equal(lab.history.recent('HelloFunction').length, before, 'nothing was invoked');
  });
});
