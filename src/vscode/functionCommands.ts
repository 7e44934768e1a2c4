// The Functions view's actions and their command-palette twins: invoke (default event, ask,
// a saved event), debug, stop environments, go to the template or the handler, and new events
// from Lambda's samples.
import * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import { isTreeNode, type FunctionResolver } from './commandArguments';
import { registerCommands } from './commandRegistration';
import type { Debugging } from './debugging';
import type { EventStore } from './eventStore';
import { shownName } from './functionNames';
import type { FunctionsNode, FunctionsTree } from './functionsTree';
import { locateHandler } from './handlerLocator';
import type { Invoker } from './invoker';
import { sampleItems } from './sampleChoices';

export interface FunctionCommandDeps {
  runtime: LocalRuntime;
  invoker: Invoker;
  debugging: Debugging;
  events: EventStore;
  functionsTree: FunctionsTree;
  functionFrom: FunctionResolver;
}

export function registerFunctionCommands({
  runtime,
  invoker,
  debugging,
  events,
  functionsTree,
  functionFrom,
}: FunctionCommandDeps): vscode.Disposable {
  const invoke = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    return fn && invoker.invoke(fn);
  };

  const invokeWithEvent = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    return fn && invoker.invoke(fn, { kind: 'ask' });
  };

  const invokeEvent = (node: FunctionsNode) =>
    node.kind === 'event' ? invoker.invoke(node.fn, { kind: 'file', event: node.event }) : undefined;

  const debug = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    return fn && debugging.debugFunction(fn);
  };

  const stopEnvironments = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    if (!fn) return;
    await vscode.window.withProgress({ location: { viewId: 'lambdaLab.functions' }, title: `Stopping ${shownName(fn)}` }, () =>
      runtime.stopEnvironments(fn.functionName),
    );
  };

  const stopAllEnvironments = async () => {
    await vscode.window.withProgress({ location: { viewId: 'lambdaLab.functions' }, title: 'Stopping all environments' }, () =>
      runtime.stopEnvironments(),
    );
  };

  const revealInTemplate = async (node: FunctionsNode) => {
    const at = node.kind === 'note' ? node : 'fn' in node ? { templatePath: node.fn.templatePath, position: node.fn.position } : undefined;
    if (!at) return;
    const pos = new vscode.Position(at.position.line - 1, at.position.column - 1);
    await vscode.window.showTextDocument(vscode.Uri.file(at.templatePath), { selection: new vscode.Range(pos, pos) });
  };

  const openHandler = async (arg: unknown) => {
    const fn = isTreeNode(arg) && arg.kind === 'handler' && 'fn' in arg ? arg.fn : await functionFrom(arg);
    const at = fn && locateHandler(fn);
    if (!fn) return;
    if (!at)
      return void vscode.window.showWarningMessage(
        `Lambda Lab: the handler ${fn.handler} of ${shownName(fn)} was not found in ${fn.codeDir}.`,
      );
    const pos = new vscode.Position(at.line, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(pos, pos) });
  };

  const newEventFromSample = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    if (!fn) return;
    const pick = await vscode.window.showQuickPick(sampleItems(fn), {
      title: `New event for ${shownName(fn)} from sample`,
      matchOnDescription: true,
    });
    if (!pick) return;
    const saved = events.save(fn, pick.sample.id, pick.sample.create(runtime.region, runtime.accountId));
    functionsTree.refreshSoon();
    await vscode.window.showTextDocument(vscode.Uri.file(saved.file));
    return saved.file;
  };

  return registerCommands({
    'lambdaLab.invoke': invoke,
    'lambdaLab.invokeWithEvent': invokeWithEvent,
    'lambdaLab.invokeEvent': invokeEvent,
    'lambdaLab.debug': debug,
    'lambdaLab.stopEnvironments': stopEnvironments,
    'lambdaLab.stopAllEnvironments': stopAllEnvironments,
    'lambdaLab.revealInTemplate': revealInTemplate,
    'lambdaLab.openHandler': openHandler,
    'lambdaLab.newEventFromSample': newEventFromSample,
  });
}
