// The Functions view's extension and asynchronous rows on real-world/async-payments: ChargeCard
// has an extension layer (audit-ext), one retry, an SQS OnFailure destination and an SNS
// dead-letter topic, and a handler that always fails.
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EventInvokeConfigStore } from '../../../src/runtime/async/eventInvokeConfigStore';
import type { AsyncRecord } from '../../../src/vscode/asyncRecords';
import type { FailureReport } from '../../../src/vscode/failureReports';
import type { FunctionsNode, FunctionsTree } from '../../../src/vscode/functionsTree';
import { api, eventually } from './helpers';

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : item.label?.label);
const template = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'real-world', 'async-payments', 'template.yaml');

function functionNode(tree: FunctionsTree, templatePath: string, name: string): FunctionsNode {
  const root = tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === templatePath);
  assert.ok(root, `no template row for ${templatePath}`);
  const fn = tree.getChildren(root).find((n) => n.kind === 'function' && n.fn.functionName === name);
  assert.ok(fn, `no function row ${name}`);
  return fn;
}

const rowOf = (tree: FunctionsTree, parent: FunctionsNode, text: string) =>
  tree.getChildren(parent).find((n) => label(tree.getTreeItem(n)) === text);

/** The async event rows of ChargeCard as records. */
function records(tree: FunctionsTree, fn: FunctionsNode): Array<{ node: FunctionsNode; record: AsyncRecord }> {
  const group = rowOf(tree, fn, 'Async events');
  if (!group) return [];
  return tree.getChildren(group).flatMap((node) => (node.kind === 'asyncEvent' ? [{ node, record: node.record }] : []));
}

describe('asynchronous events and extensions in the Functions view', () => {
  /** The harness's user setting (the UI tests after this suite rely on it). */
  let scaleBefore: number | undefined;
  before(async () => {
    const lab = await api();
    scaleBefore = vscode.workspace.getConfiguration('lambdaLab').inspect<number>('asyncRetryDelayScale')?.globalValue;
    // One retry a minute after a failure becomes 6 s: long enough to see the event queued.
    await vscode.workspace.getConfiguration('lambdaLab').update('asyncRetryDelayScale', 0.1, vscode.ConfigurationTarget.Global);
    await eventually('the retry delay scale in the runtime', () => lab.runtime.options.asyncRetryDelayScale === 0.1);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('lambdaLab').update('asyncRetryDelayScale', scaleBefore, vscode.ConfigurationTarget.Global);
  });

  it('shows the extension and async setup only where a function has them', async () => {
    const { functionsTree: tree } = await api();
    const charge = functionNode(tree, template(), 'ChargeCard');
    const setup = await eventually('the Async setup row', () => rowOf(tree, charge, 'Async setup'));
    assert.equal(tree.getTreeItem(setup).description, '1 retry · OnFailure · DLQ');
    assert.deepEqual(
      tree.getChildren(setup).map((n) => `${label(tree.getTreeItem(n))}: ${tree.getTreeItem(n).description}`),
      ['Retries: 1', 'Maximum event age: 3600 s', 'OnFailure: SQS failed-charges', 'Dead-letter queue: SNS charge-dead-letters'],
    );
    const extensions = rowOf(tree, charge, 'Extensions');
    assert.ok(extensions);
    assert.equal(tree.getTreeItem(extensions).description, '1');
    const [audit] = tree.getChildren(extensions);
    assert.equal(label(tree.getTreeItem(audit)), 'audit-ext');
    assert.match(String(tree.getTreeItem(audit).description), /^audit · /);

    const hello = tree.getChildren(
      functionNode(tree, path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'hello', 'template.yaml'), 'HelloFunction'),
    );
    const labels = hello.map((n) => label(tree.getTreeItem(n)));
    for (const absent of ['Extensions', 'Async setup', 'Async events'])
      assert.ok(!labels.includes(absent), `HelloFunction shows ${absent}`);
  });

  it('shows the EventInvokeConfig of a version or alias, put through the Lambda API store, under Async setup', async () => {
    const lab = await api();
    const tree = lab.functionsTree;
    const charge = functionNode(tree, template(), 'ChargeCard');
    const configs = new EventInvokeConfigStore(() => lab.runtime.templateModels(), lab.runtime.stateDirFor(template()));
    await configs.put('ChargeCard', 'live', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sqs:us-east-1:123456789012:charged' } },
    });
    try {
      const setup = await eventually('the Async setup row', () => rowOf(tree, charge, 'Async setup'));
      const live = await eventually('the live row', () => rowOf(tree, setup, 'live'));
      assert.equal(tree.getTreeItem(live).description, '0 retries · OnSuccess');
      assert.deepEqual(
        tree.getChildren(live).map((n) => `${label(tree.getTreeItem(n))}: ${tree.getTreeItem(n).description}`),
        ['Retries: 0', 'Maximum event age: 21600 s (default)', 'OnSuccess: SQS charged'],
      );
      // $LATEST's own rows and summary are unchanged by it.
      assert.equal(tree.getTreeItem(setup).description, '1 retry · OnFailure · DLQ');
    } finally {
      await configs.delete('ChargeCard', 'live');
    }
    const setup = rowOf(tree, charge, 'Async setup')!;
    await eventually('the live row gone once its configuration is deleted', () => !rowOf(tree, setup, 'live'));
  });

  it('invokes asynchronously: the event queued with its failed attempt, then its OnFailure record and dead-letter message; re-drive sends it again', async () => {
    const { functionsTree: tree } = await api();
    const charge = functionNode(tree, template(), 'ChargeCard');
    const before = new Set(records(tree, charge).map((r) => r.record.file));
    const reports: FailureReport[] = [];
    const listening = (await api()).failures.onDidReport((r) => reports.push(r));

    const requestId = await vscode.commands.executeCommand<string>('lambdaLab.invokeAsync', 'ChargeCard');
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    // Between its attempts (6 s apart here) the event waits in the queue, its failed attempt counted.
    await eventually('the queued event after its first failed attempt', () =>
      records(tree, charge).find(
        (r) =>
          r.record.requestId === requestId &&
          r.record.kind === 'queued' &&
          /^1 attempt failed · next at /.test(String(tree.getTreeItem(r.node).description)),
      ),
    );

    const outcome = await eventually(
      'the OnFailure record and the dead-letter message',
      () => {
        const mine = records(tree, charge).filter((r) => r.record.requestId === requestId);
        const failure = mine.find((r) => r.record.kind === 'OnFailure');
        const dlq = mine.find((r) => r.record.kind === 'DeadLetterQueue');
        return failure && dlq && !mine.some((r) => r.record.kind === 'queued') ? { failure, dlq } : undefined;
      },
      30_000,
    );
    // Two failed attempts, one notification: the event's outcome.
    const notified = await eventually('the outcome notification', () => reports.find((r) => r.requestId === requestId));
    listening.dispose();
    assert.equal(notified.kind, 'async-failed');
    assert.match(
      notified.message,
      /^ChargeCard event [0-9a-f]{8} failed: RetriesExhausted after 2 attempt\(s\), sent to OnFailure, DeadLetterQueue; last error: Error: card declined/,
    );
    assert.deepEqual(
      reports.filter((r) => r.functionName === 'ChargeCard').map((r) => r.kind),
      ['async-failed'],
    );
    const failureItem = tree.getTreeItem(outcome.failure.node);
    assert.equal(label(failureItem), 'OnFailure record');
    assert.match(String(failureItem.description), /^2 attempts · sqs\/failed-charges · /);
    assert.equal(failureItem.contextValue, 'asyncRecord');
    assert.equal(outcome.dlq.record.detail, 'Error: card declined for order A-1001');
    assert.deepEqual(JSON.parse(outcome.failure.record.payload), { orderId: 'A-1001', amount: 42.5 });

    // The extension ran in that environment: registered, and its output in the function's log stream.
    const extensions = rowOf(tree, charge, 'Extensions')!;
    const audit = tree.getChildren(extensions)[0];
    assert.match(String(tree.getTreeItem(audit).description), /^audit · registered · INVOKE, SHUTDOWN$/);
    const openLog = tree.getTreeItem(audit).command!;
    assert.equal(openLog.command, 'lambdaLab.openLogStream');
    await vscode.commands.executeCommand(openLog.command, ...openLog.arguments!);
    await eventually('the extension output in the log stream', () =>
      vscode.window.activeTextEditor?.document.getText().includes(`[audit-ext] INVOKE ${requestId}`),
    );

    // Open: the record itself, as JSON.
    await vscode.commands.executeCommand(failureItem.command!.command, ...failureItem.command!.arguments!);
    const doc = await eventually('the record document', () =>
      vscode.window.activeTextEditor?.document.uri.fsPath === outcome.failure.record.file
        ? vscode.window.activeTextEditor.document
        : undefined,
    );
    assert.equal(doc.languageId, 'json');
    const opened = JSON.parse(doc.getText());
    assert.equal(opened.requestContext.condition, 'RetriesExhausted');
    assert.equal(opened.requestContext.approximateInvokeCount, 2);

    // Re-drive: the same event as a new Event invoke, which fails the same way.
    const redriven = await vscode.commands.executeCommand<string>('lambdaLab.redriveAsyncEvent', outcome.failure.node);
    assert.notEqual(redriven, requestId);
    const again = await eventually(
      'the re-driven event OnFailure record',
      () => records(tree, charge).find((r) => r.record.requestId === redriven && r.record.kind === 'OnFailure'),
      30_000,
    );
    assert.deepEqual(JSON.parse(again.record.payload), { orderId: 'A-1001', amount: 42.5 });
    assert.ok(!before.has(again.record.file));

    // Delete: the file and its row go.
    await vscode.commands.executeCommand('lambdaLab.deleteAsyncRecord', outcome.dlq.node);
    assert.ok(!existsSync(outcome.dlq.record.file));
    await eventually('the deleted row gone', () => !records(tree, charge).some((r) => r.record.file === outcome.dlq.record.file));
    assert.ok(existsSync(outcome.failure.record.file), 'only that record is deleted');
    assert.match(readFileSync(outcome.failure.record.file, 'utf8'), /RetriesExhausted/);
  });

  it('runs the events an earlier window left queued, once, but not those a live process holds', async () => {
    const lab = await api();
    const tree = lab.functionsTree;
    const charge = functionNode(tree, template(), 'ChargeCard');
    const async = path.join(path.dirname(template()), '.lambda-lab', 'async');
    const queued = (requestId: string) => ({
      requestId,
      functionName: 'ChargeCard',
      payload: Buffer.from(JSON.stringify({ orderId: requestId.slice(0, 4), amount: 1 })).toString('base64'),
      enqueuedAt: Date.now(),
      invokeCount: 0,
      throttles: 0,
      notBefore: 0,
    });
    const left = randomUUID();
    const held = randomUUID();
    mkdirSync(path.join(async, 'queue'), { recursive: true });
    mkdirSync(path.join(async, 'claims'), { recursive: true });
    // Held by the extension host's parent, alive for the whole run: as a `serve` running these events.
    writeFileSync(path.join(async, 'claims', `${held}.json`), JSON.stringify({ pid: process.ppid, owner: 'another process' }));
    writeFileSync(path.join(async, 'queue', `${held}.json`), JSON.stringify(queued(held)));
    writeFileSync(path.join(async, 'queue', `${left}.json`), JSON.stringify(queued(left)));
    try {
      const failure = await eventually(
        'the OnFailure record of the event taken over',
        () => records(tree, charge).find((r) => r.record.requestId === left && r.record.kind === 'OnFailure'),
        30_000,
      );
      assert.equal(failure.record.attempts, 2, 'run by one queue: two attempts (one retry), not four');
      assert.ok(!records(tree, charge).some((r) => r.record.requestId === left && r.record.kind === 'queued'));
      const heldRow = records(tree, charge).find((r) => r.record.requestId === held);
      assert.equal(heldRow?.record.kind, 'queued');
      assert.equal(heldRow.record.attempts, 0, 'the event a live process holds is not run from this window');
    } finally {
      rmSync(path.join(async, 'queue', `${held}.json`), { force: true });
      rmSync(path.join(async, 'claims', `${held}.json`), { force: true });
    }
  });

  it('shows records other processes write (the CLI, lambda-lab serve) as they appear, and what they dropped', async () => {
    const { functionsTree: tree } = await api();
    const charge = functionNode(tree, template(), 'ChargeCard');
    const async = path.join(path.dirname(template()), '.lambda-lab', 'async');
    const requestId = randomUUID();
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ChargeCard:$LATEST',
        condition: 'EventAgeExceeded',
        approximateInvokeCount: 0,
      },
      requestPayload: { orderId: 'B-7' },
    };
    const file = path.join(async, 'destinations', 'sqs', 'failed-charges', `${record.timestamp.replace(/:/g, '-')}-${requestId}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(record));
    const row = await eventually('the record written by another process', () =>
      records(tree, charge).find((r) => r.record.requestId === requestId),
    );
    assert.equal(row.record.kind, 'OnFailure');
    assert.equal(row.record.detail, 'EventAgeExceeded');
    assert.match(String(tree.getTreeItem(row.node).description), /^0 attempts · sqs\/failed-charges · /);

    const dropped = randomUUID();
    mkdirSync(path.join(async, 'dropped'), { recursive: true });
    writeFileSync(
      path.join(async, 'dropped', `${dropped}.json`),
      JSON.stringify({
        reason: 'function ChargeCard is no longer defined by a loaded template',
        droppedAt: new Date().toISOString(),
        functionName: 'ChargeCard',
        requestId: dropped,
        payload: '{"orderId":"C-3"}',
      }),
    );
    const droppedRow = await eventually('the dropped event', () => records(tree, charge).find((r) => r.record.requestId === dropped));
    assert.equal(label(tree.getTreeItem(droppedRow.node)), 'dropped');
    assert.equal(droppedRow.record.payload, '{"orderId":"C-3"}');

    // Over Lambda's 1 MB asynchronous limit, a re-drive is refused before anything is queued.
    const big = { ...droppedRow.record, payload: JSON.stringify({ blob: 'x'.repeat(1024 * 1024) }) };
    assert.equal(await vscode.commands.executeCommand('lambdaLab.redriveAsyncEvent', big), undefined);
    assert.ok(!records(tree, charge).some((r) => r.record.kind === 'queued'));
  });
});
