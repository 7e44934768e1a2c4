// Opening what an invocation left behind: a function's newest log stream, one stream, one
// invocation's lines within its stream, and an invocation's result document.
import * as vscode from 'vscode';
import { isTreeNode, requestIdOf, type FunctionResolver } from './commandArguments';
import { registerCommands } from './commandRegistration';
import { shownName } from './functionNames';
import type { FunctionsNode } from './functionsTree';
import type { InvocationHistory } from './invocationHistory';
import type { LogDocuments } from './logDocuments';
import type { LogIndex } from './logIndex';
import type { ResultDocuments } from './resultDocuments';

export interface LogCommandDeps {
  logIndex: LogIndex;
  logDocuments: LogDocuments;
  history: InvocationHistory;
  results: ResultDocuments;
  functionFrom: FunctionResolver;
}

export function registerLogCommands({ logIndex, logDocuments, history, results, functionFrom }: LogCommandDeps): vscode.Disposable {
  const openLogs = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    if (!fn) return;
    await logIndex.hydrate(fn.functionName);
    const newest = logIndex.streamsOf(fn.functionName)[0];
    if (!newest) return void vscode.window.showInformationMessage(`Lambda Lab: ${shownName(fn)} has no log streams yet. Invoke it first.`);
    return logDocuments.open(fn.functionName, newest.logStreamName);
  };

  const openLogStream = (functionName: string, logStreamName: string) => logDocuments.open(functionName, logStreamName);

  /** (function, stream, request id) from links; a request id or an invocation node from views. */
  const openInvocationLog = async (...args: unknown[]) => {
    const [first, stream, request] = args;
    if (typeof first === 'string' && typeof stream === 'string') return logDocuments.open(first, stream, request as string | undefined);
    const requestId = typeof first === 'string' ? first : isTreeNode(first) ? requestIdOf(first) : undefined;
    const inv = requestId ? logIndex.invocation(requestId) : undefined;
    if (!inv) return void vscode.window.showInformationMessage(`Lambda Lab: no log lines kept for request ${requestId ?? '(none)'}.`);
    return logDocuments.open(inv.stream.functionName, inv.stream.logStreamName, inv.requestId);
  };

  const openInvocationResult = async (arg: string | FunctionsNode) => {
    const requestId = typeof arg === 'string' ? arg : requestIdOf(arg);
    if (!requestId) return undefined;
    const inv = history.find(requestId);
    return inv ? results.show(inv.info.functionName, inv.result) : results.reopen(requestId);
  };

  return registerCommands({
    'lambdaLab.openLogs': openLogs,
    'lambdaLab.openLogStream': openLogStream,
    'lambdaLab.openInvocationLog': openInvocationLog,
    'lambdaLab.openInvocationResult': openInvocationResult,
  });
}
