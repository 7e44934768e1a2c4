// The Durable Executions view's actions: answer a pending callback (success, failure,
// heartbeat), stop an execution, and open its replay logs (the log lines of each invocation,
// first run and replays, one after the other) or its history as JSON.
import * as vscode from 'vscode';
import type { ExecutionRecord } from '../runtime/durable/executionRecord';
import { formatDuration, invocations } from '../runtime/durable/executionTimeline';
import type { LocalRuntime } from '../runtime/localRuntime';
import { registerCommands } from './commandRegistration';
import type { ExecutionsNode, ExecutionsTree } from './executionsTree';
import type { LogIndex } from './logIndex';

export interface ExecutionCommandDeps {
  runtime: LocalRuntime;
  logIndex: LogIndex;
  executionsTree: ExecutionsTree;
}

type CallbackNode = Extract<ExecutionsNode, { kind: 'operation' }>;

export function registerExecutionCommands({ runtime, logIndex, executionsTree }: ExecutionCommandDeps): vscode.Disposable {
  /** The durable service's own errors (callback already closed, execution ended) are shown, not thrown. */
  const attempt = async (what: string, work: () => Promise<unknown>): Promise<boolean> => {
    try {
      await work();
      executionsTree.refreshNow();
      return true;
    } catch (err) {
      void vscode.window.showErrorMessage(`Lambda Lab: could not ${what}: ${(err as Error).message}`);
      return false;
    }
  };

  const callbackOf = (node: CallbackNode | undefined): string | undefined => {
    const id = node?.kind === 'operation' ? node.entry.callbackId : undefined;
    if (!id) void vscode.window.showErrorMessage('Lambda Lab: choose a pending callback in the Durable Executions view.');
    return id;
  };

  const sendSuccess = async (node?: CallbackNode, result?: string) => {
    const callbackId = callbackOf(node);
    if (!callbackId || !node) return false;
    const value =
      result ??
      (await vscode.window.showInputBox({
        title: `Callback "${node.entry.name}" of ${node.record.DurableExecutionName} succeeded`,
        prompt: 'The result the function receives (as SendDurableExecutionCallbackSuccess sends it; JSON if the function parses it)',
        value: '{}',
      }));
    if (value === undefined) return false;
    return attempt(`send the callback result of "${node.entry.name}"`, () =>
      runtime.durable.callback({ callbackId, outcome: 'succeed', result: value }),
    );
  };

  const sendFailure = async (node?: CallbackNode, message?: string) => {
    const callbackId = callbackOf(node);
    if (!callbackId || !node) return false;
    const text =
      message ??
      (await vscode.window.showInputBox({
        title: `Callback "${node.entry.name}" of ${node.record.DurableExecutionName} failed`,
        prompt: 'The error message the function receives',
      }));
    if (text === undefined) return false;
    return attempt(`send the callback failure of "${node.entry.name}"`, () =>
      runtime.durable.callback({ callbackId, outcome: 'fail', error: { ErrorType: 'CallbackFailure', ErrorMessage: text } }),
    );
  };

  const sendHeartbeat = async (node?: CallbackNode) => {
    const callbackId = callbackOf(node);
    if (!callbackId || !node) return false;
    return attempt(`send a heartbeat for "${node.entry.name}"`, () => runtime.durable.callback({ callbackId, outcome: 'heartbeat' }));
  };

  const recordOf = async (node?: ExecutionsNode): Promise<ExecutionRecord | undefined> => {
    if (!node || node.kind === 'function') {
      void vscode.window.showErrorMessage('Lambda Lab: choose an execution in the Durable Executions view.');
      return undefined;
    }
    return runtime.durable.get(node.record.DurableExecutionArn).catch(() => node.record);
  };

  const stop = async (node?: ExecutionsNode) => {
    const record = await recordOf(node);
    if (!record) return false;
    return attempt(`stop ${record.DurableExecutionName}`, () =>
      runtime.durable.stop(record.DurableExecutionArn, { ErrorType: 'Execution.Stopped', ErrorMessage: 'Stopped from VS Code.' }),
    );
  };

  const openReplayLogs = async (node?: ExecutionsNode) => {
    const record = await recordOf(node);
    if (!record) return undefined;
    await logIndex.hydrate(record.functionName);
    const lines = [`# ${record.DurableExecutionName} (${record.Status}) — ${record.DurableExecutionArn}`];
    const done = invocations(record);
    for (const inv of done) {
      const log = logIndex.invocation(inv.requestId);
      lines.push(
        '',
        `# ── ${inv.number === 1 ? 'first run' : `replay ${inv.number - 1}`} · request ${inv.requestId} · ${formatDuration(inv.endedAt - inv.startedAt)}${inv.error ? ` · ${inv.error}` : ''}`,
        ...(log ? log.records.map((r) => r.message.replace(/\n$/, '')) : ['(no log lines kept for this invocation)']),
      );
    }
    if (record.Status === 'RUNNING' && record.invocations > done.length) lines.push('', `# ── invocation ${record.invocations} is running`);
    const doc = await vscode.workspace.openTextDocument({ content: lines.join('\n') + '\n', language: 'lambda-log' });
    return vscode.window.showTextDocument(doc, { preview: true });
  };

  const openHistory = async (node?: ExecutionsNode) => {
    const record = await recordOf(node);
    if (!record) return undefined;
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const history = {
      DurableExecutionArn: record.DurableExecutionArn,
      DurableExecutionName: record.DurableExecutionName,
      Status: record.Status,
      StartTimestamp: iso(record.StartTimestamp),
      EndTimestamp: iso(record.EndTimestamp),
      Events: record.events.map((e) => ({ ...e, EventTimestamp: iso(e.EventTimestamp) })),
    };
    const doc = await vscode.workspace.openTextDocument({ content: JSON.stringify(history, null, 2), language: 'json' });
    return vscode.window.showTextDocument(doc, { preview: true });
  };

  return registerCommands({
    'lambdaLab.refreshExecutions': () => executionsTree.refreshNow(),
    'lambdaLab.sendCallbackSuccess': sendSuccess,
    'lambdaLab.sendCallbackFailure': sendFailure,
    'lambdaLab.sendCallbackHeartbeat': sendHeartbeat,
    'lambdaLab.stopExecution': stop,
    'lambdaLab.openReplayLogs': openReplayLogs,
    'lambdaLab.openExecutionHistory': openHistory,
  });
}
