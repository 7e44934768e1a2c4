// Activation: one LocalRuntime shared by the views, commands, CodeLens, inline logs and the
// inline debug adapter; everything is shut down (processes included) on deactivate.
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import { LocalRuntime } from '../runtime/localRuntime';
import { ApiServerControl, type ApiServerStartOptions } from './apiServerControl';
import { DEBUG_TYPE, DebugConfigurations } from './debugConfigurations';
import { registerDebugging } from './debugging';
import { Deployments } from './deployments';
import { EventStore } from './eventStore';
import { FunctionsTree, type FunctionsNode } from './functionsTree';
import { HandlerCodeLens } from './handlerCodeLens';
import { locateHandler } from './handlerLocator';
import { InlineLogs } from './inlineLogs';
import { InvocationHistory } from './invocationHistory';
import { Invoker } from './invoker';
import { LayersTree } from './layersTree';
import { LOG_SCHEME, LogDocuments } from './logDocuments';
import { LogIndex } from './logIndex';
import { LogsTree, type LogsNode } from './logsTree';
import { LocationLinks } from './locationLinks';
import { READONLY_SCHEME, ReadOnlyFiles } from './readOnlyFiles';
import { RESULT_SCHEME, ResultDocuments } from './resultDocuments';
import { SAMPLE_EVENTS } from './sampleEvents';
import { createSampleProject } from './sampleProject';
import { readSettings, templateSettings } from './settings';
import { subscribe } from './subscribe';
import { TemplateWorkspace } from './templateWorkspace';
import { registerVersionCommands } from './versionCommands';
import { VersionsTree } from './versionsTree';

/** What activate() returns: the extension's parts, for other extensions and for the tests. */
export interface LambdaLabApi {
  runtime: LocalRuntime;
  templates: TemplateWorkspace;
  logIndex: LogIndex;
  inlineLogs: InlineLogs;
  history: InvocationHistory;
  functionsTree: FunctionsTree;
  logsTree: LogsTree;
  versionsTree: VersionsTree;
  layersTree: LayersTree;
  codeLens: HandlerCodeLens;
  debugConfigurations: DebugConfigurations;
  deployments: Deployments;
  apiServer: ApiServerControl;
}

let shutdown: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LambdaLabApi> {
  const settings = readSettings();
  const output = vscode.window.createOutputChannel('Lambda Lab', { log: true });
  const runtime = new LocalRuntime({ ...settings.runtime });
  const deployments = new Deployments(runtime, output);

  const templates = new TemplateWorkspace(runtime, output);
  const events = new EventStore(context.workspaceState);
  const history = new InvocationHistory(runtime);
  const logIndex = new LogIndex(runtime);
  const results = new ResultDocuments();
  const logDocuments = new LogDocuments(logIndex);
  const invoker = new Invoker(runtime, templates, events, results);
  const inlineLogs = new InlineLogs(runtime, (name) => runtime.getFunction(name), settings.inlineLogs);
  const functionsTree = new FunctionsTree(runtime, templates, events, history);
  const logsTree = new LogsTree(logIndex, templates);
  const versionsTree = new VersionsTree(runtime, templates, deployments);
  const layersTree = new LayersTree(templates, deployments);
  const apiServer = new ApiServerControl(runtime, templates, deployments);
  shutdown = async () => {
    await apiServer.stop();
    await runtime.dispose();
  };
  const codeLens = new HandlerCodeLens(templates);
  const debugConfigurations = new DebugConfigurations(templates, events);
  const debugging = registerDebugging(runtime, templates, invoker);

  /** Accepts what menus, lenses, trees and tests pass: a tree node, a name, or nothing (ask). */
  const functionFrom = async (arg: unknown): Promise<FunctionConfig | undefined> => {
    const name =
      typeof arg === 'string'
        ? arg
        : isNode(arg) && 'fn' in arg
          ? arg.fn.functionName
          : isNode(arg) && 'functionName' in arg
            ? arg.functionName
            : undefined;
    if (name) {
      const fn = runtime.getFunction(name);
      const unsupported = fn ? undefined : templates.unsupported().find((u) => u.functionName === name || u.logicalId === name);
      if (unsupported) {
        void vscode.window.showErrorMessage(`Lambda Lab: ${unsupported.logicalId} (${unsupported.templatePath}) cannot run locally: ${unsupported.reason}`);
      } else if (!fn) {
        void vscode.window.showErrorMessage(`Lambda Lab: no function "${name}" in the loaded templates (${templates.templates().join(', ') || 'none found'}).`);
      }
      return fn;
    }
    await templates.ready();
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const here = file && templates.functions().find((f) => locateHandler(f)?.file === file);
    if (here) return here;
    const pick = await vscode.window.showQuickPick(
      templates.functions().map((fn) => ({ label: fn.functionName, description: `${fn.runtime} · ${vscode.workspace.asRelativePath(fn.templatePath)}`, fn })),
      { title: 'Lambda Lab: pick a function' },
    );
    return pick?.fn;
  };

  const openInvocationLog = async (...args: unknown[]) => {
    const [first, stream, request] = args;
    if (typeof first === 'string' && typeof stream === 'string') return logDocuments.open(first, stream, request as string | undefined);
    const requestId = typeof first === 'string' ? first : isNode(first) ? requestIdOf(first) : undefined;
    const inv = requestId ? logIndex.invocation(requestId) : undefined;
    if (!inv) return void vscode.window.showInformationMessage(`Lambda Lab: no log lines kept for request ${requestId ?? '(none)'}.`);
    return logDocuments.open(inv.stream.functionName, inv.stream.logStreamName, inv.requestId);
  };

  const command = (id: string, run: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown);

  context.subscriptions.push(
    output,
    templates,
    history,
    logIndex,
    logDocuments,
    invoker,
    inlineLogs,
    functionsTree,
    logsTree,
    versionsTree,
    layersTree,
    deployments,
    apiServer,
    codeLens,
    debugging,
    vscode.window.createTreeView('lambdaLab.functions', { treeDataProvider: functionsTree, showCollapseAll: true }),
    vscode.window.createTreeView('lambdaLab.logs', { treeDataProvider: logsTree, showCollapseAll: true }),
    vscode.window.createTreeView('lambdaLab.versions', { treeDataProvider: versionsTree }),
    vscode.window.createTreeView('lambdaLab.layers', { treeDataProvider: layersTree }),
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, results),
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, logDocuments),
    vscode.workspace.registerTextDocumentContentProvider(READONLY_SCHEME, new ReadOnlyFiles()),
    vscode.languages.registerDocumentLinkProvider([{ language: 'lambda-log' }, { scheme: LOG_SCHEME }, { scheme: RESULT_SCHEME }], new LocationLinks()),
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'javascript' },
        { scheme: 'file', language: 'typescript' },
        { scheme: 'file', language: 'python' },
      ],
      codeLens,
    ),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, debugConfigurations, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, debugConfigurations, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    subscribe(runtime, 'diagnostic', (d) => output[d.level === 'warning' ? 'warn' : d.level](d.message)),
    subscribe(runtime, 'environmentStopped', (env, reason) => {
      if (reason !== 'idle' && reason !== 'stopped') output.info(`${env.id} stopped: ${reason}`);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('lambdaLab')) return;
      const next = readSettings();
      Object.assign(runtime.options, next.runtime); // the runtime reads its options when it creates pools/environments
      inlineLogs.setEnabled(next.inlineLogs);
      if (templateSettings.some((s) => e.affectsConfiguration(s))) void templates.refresh();
    }),

    command('lambdaLab.refresh', () => templates.refresh()),
    command('lambdaLab.invoke', async (arg: unknown) => {
      const fn = await functionFrom(arg);
      return fn && invoker.invoke(fn);
    }),
    command('lambdaLab.invokeWithEvent', async (arg: unknown) => {
      const fn = await functionFrom(arg);
      return fn && invoker.invoke(fn, { kind: 'ask' });
    }),
    command('lambdaLab.invokeEvent', (node: FunctionsNode) => (node.kind === 'event' ? invoker.invoke(node.fn, { kind: 'file', event: node.event }) : undefined)),
    command('lambdaLab.debug', async (arg: unknown) => {
      const fn = await functionFrom(arg);
      return fn && debugging.debugFunction(fn);
    }),
    command('lambdaLab.stopEnvironments', async (arg: unknown) => {
      const fn = await functionFrom(arg);
      if (!fn) return;
      await vscode.window.withProgress({ location: { viewId: 'lambdaLab.functions' }, title: `Stopping ${fn.functionName}` }, () => runtime.stopEnvironments(fn.functionName));
    }),
    command('lambdaLab.stopAllEnvironments', async () => {
      await vscode.window.withProgress({ location: { viewId: 'lambdaLab.functions' }, title: 'Stopping all environments' }, () => runtime.stopEnvironments());
    }),
    command('lambdaLab.openLogs', async (arg: unknown) => {
      const fn = await functionFrom(arg);
      if (!fn) return;
      await logIndex.hydrate(fn.functionName);
      const newest = logIndex.streamsOf(fn.functionName)[0];
      if (!newest) return void vscode.window.showInformationMessage(`Lambda Lab: ${fn.functionName} has no log streams yet. Invoke it first.`);
      return logDocuments.open(fn.functionName, newest.logStreamName);
    }),
    command('lambdaLab.openLogStream', (functionName: string, logStreamName: string) => logDocuments.open(functionName, logStreamName)),
    command('lambdaLab.openInvocationLog', openInvocationLog),
    command('lambdaLab.openInvocationResult', async (arg: string | FunctionsNode) => {
      const requestId = typeof arg === 'string' ? arg : requestIdOf(arg);
      if (!requestId) return undefined;
      const inv = history.find(requestId);
      return inv ? results.show(inv.info.functionName, inv.result) : results.reopen(requestId);
    }),
    command('lambdaLab.revealInTemplate', async (node: FunctionsNode) => {
      if (!('fn' in node)) return;
      const pos = new vscode.Position(node.fn.position.line - 1, node.fn.position.column - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(node.fn.templatePath), { selection: new vscode.Range(pos, pos) });
    }),
    command('lambdaLab.openHandler', async (arg: unknown) => {
      const fn = isNode(arg) && arg.kind === 'handler' && 'fn' in arg ? arg.fn : await functionFrom(arg);
      const at = fn && locateHandler(fn);
      if (!fn) return;
      if (!at) return void vscode.window.showWarningMessage(`Lambda Lab: the handler ${fn.handler} of ${fn.functionName} was not found in ${fn.codeDir}.`);
      const pos = new vscode.Position(at.line, 0);
      await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(pos, pos) });
    }),
    command('lambdaLab.newEventFromSample', async (arg: unknown) => {
      const fn = await functionFrom(arg);
      if (!fn) return;
      const pick = await vscode.window.showQuickPick(
        SAMPLE_EVENTS.map((sample) => ({ label: sample.label, description: sample.description, sample })),
        { title: `New event for ${fn.functionName} from sample` },
      );
      if (!pick) return;
      const saved = events.save(fn, pick.sample.id, pick.sample.create(runtime.region, runtime.accountId));
      functionsTree.refreshSoon();
      await vscode.window.showTextDocument(vscode.Uri.file(saved.file));
      return saved.file;
    }),
    command('lambdaLab.toggleInlineLogs', () => inlineLogs.setEnabled(!inlineLogs.isEnabled())),
    command('lambdaLab.createSampleProject', async () => {
      if (await createSampleProject()) await templates.refresh();
    }),
    command('lambdaLab.showOutput', () => output.show()),
    registerVersionCommands({ deployments, invoker, functionFrom }),
    command('lambdaLab.startApiServer', (options?: ApiServerStartOptions) => apiServer.start(options)),
    command('lambdaLab.stopApiServer', () => apiServer.stop()),
    command('lambdaLab.apiServerActions', () => apiServer.showActions()),
  );

  void vscode.commands.executeCommand('setContext', 'lambdaLab.activated', true);
  await templates.refresh();
  return { runtime, templates, logIndex, inlineLogs, history, functionsTree, logsTree, versionsTree, layersTree, codeLens, debugConfigurations, deployments, apiServer };
}

export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}

type AnyNode = FunctionsNode | LogsNode;

function isNode(arg: unknown): arg is AnyNode {
  return typeof arg === 'object' && arg !== null && 'kind' in arg;
}

function requestIdOf(node: AnyNode): string | undefined {
  if (node.kind !== 'invocation') return undefined;
  return 'info' in node.invocation ? node.invocation.info.requestId : node.invocation.requestId;
}
