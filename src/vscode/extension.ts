// Activation, the composition root: one LocalRuntime shared by the views, commands, CodeLens,
// inline logs and the inline debug adapter, each built here and handed what it needs;
// everything is shut down (processes included) on deactivate. Command bodies live in the
// *Commands files; only one-line commands are wired here.
import * as vscode from 'vscode';
import { LocalRuntime } from '../runtime/localRuntime';
import { AwsCredentials } from './awsCredentials';
import { ApiServerControl, type ApiServerStartOptions } from './apiServerControl';
import { registerAsyncCommands } from './asyncCommands';
import { AsyncInvoker } from './asyncInvoker';
import { AsyncRecords } from './asyncRecords';
import { AsyncRows } from './asyncRows';
import { functionResolver } from './commandArguments';
import { registerCommands } from './commandRegistration';
import { DEBUG_TYPE, DebugConfigurations } from './debugConfigurations';
import { registerDebugging } from './debugging';
import { Deployments } from './deployments';
import { EventStore } from './eventStore';
import { ExtensionRows } from './extensionRows';
import { FailureReports } from './failureReports';
import { shownNameOf } from './functionNames';
import { registerFunctionCommands } from './functionCommands';
import { FunctionExtensions } from './functionExtensions';
import { FunctionsTree, type FunctionsNode } from './functionsTree';
import { HandlerCodeLens } from './handlerCodeLens';
import { registerHandlerF5 } from './handlerF5';
import { InlineLogs } from './inlineLogs';
import { InvocationHistory } from './invocationHistory';
import { Invoker } from './invoker';
import { LayersTree } from './layersTree';
import { ExecutionsTree } from './executionsTree';
import { registerExecutionCommands } from './executionCommands';
import { registerLogCommands } from './logCommands';
import { LOG_SCHEME, LogDocuments } from './logDocuments';
import { LogIndex } from './logIndex';
import { LogsTree } from './logsTree';
import { LocationLinks } from './locationLinks';
import { READONLY_SCHEME, ReadOnlyFiles } from './readOnlyFiles';
import { RESULT_SCHEME, ResultDocuments } from './resultDocuments';
import { RESPONSE_SCHEME, ResponseDocuments, sendRequest, type RouteRequest } from './routeRequests';
import { createSampleProject } from './sampleProject';
import { readSettings, templateSettings } from './settings';
import { subscribe } from './subscribe';
import { TemplateWorkspace } from './templateWorkspace';
import { RuntimeMismatches } from './runtimeMismatches';
import { registerVersionCommands } from './versionCommands';
import { VersionsTree } from './versionsTree';
import { startLanguageClient } from './languageClient';

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
  executionsTree: ExecutionsTree;
  codeLens: HandlerCodeLens;
  debugConfigurations: DebugConfigurations;
  deployments: Deployments;
  apiServer: ApiServerControl;
  failures: FailureReports;
  asyncRecords: AsyncRecords;
  functionExtensions: FunctionExtensions;
}

let shutdown: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LambdaLabApi> {
  const settings = readSettings();
  const output = vscode.window.createOutputChannel('Lambda Lab', { log: true });
  // The editor hosts the debugger: its waiting processes are made ready for one.
  const runtime = new LocalRuntime({ ...settings.runtime, prestartDebugger: true });
  const deployments = new Deployments(runtime, output);

  const templates = new TemplateWorkspace(runtime, output);
  const events = new EventStore(context.workspaceState);
  const history = new InvocationHistory(runtime);
  const logIndex = new LogIndex(runtime);
  const nameOf = (functionName: string) => shownNameOf(runtime, functionName);
  const results = new ResultDocuments(nameOf);
  const responses = new ResponseDocuments();
  const logDocuments = new LogDocuments(logIndex, nameOf);
  const credentials = new AwsCredentials(runtime);
  const failures = new FailureReports(runtime, credentials);
  const invoker = new Invoker(runtime, templates, events, results, failures);
  const inlineLogs = new InlineLogs(runtime, (name) => runtime.getFunction(name), settings.inlineLogs);
  const mismatches = new RuntimeMismatches(runtime);
  const apiServer = new ApiServerControl(runtime, templates, deployments);
  const functionExtensions = new FunctionExtensions(runtime, templates);
  const asyncRecords = new AsyncRecords(runtime, templates);
  const asyncInvoker = new AsyncInvoker(runtime, asyncRecords, failures);
  const functionsTree = new FunctionsTree(
    runtime,
    templates,
    events,
    history,
    logIndex,
    mismatches,
    apiServer,
    new ExtensionRows(functionExtensions),
    new AsyncRows(asyncRecords),
  );
  const logsTree = new LogsTree(logIndex, templates);
  const versionsTree = new VersionsTree(runtime, templates, deployments);
  const layersTree = new LayersTree(templates, deployments);
  const executionsTree = new ExecutionsTree(runtime, templates);
  shutdown = async () => {
    asyncInvoker.close();
    await apiServer.stop();
    await runtime.dispose();
  };
  const codeLens = new HandlerCodeLens(templates);
  const debugConfigurations = new DebugConfigurations(templates, events);
  const debugging = registerDebugging(runtime, templates, invoker);
  const handlerF5 = registerHandlerF5(templates, debugConfigurations);

  const functionFrom = functionResolver(runtime, templates);

  context.subscriptions.push(
    output,
    templates,
    history,
    logIndex,
    logDocuments,
    credentials,
    mismatches,
    failures,
    invoker,
    inlineLogs,
    functionExtensions,
    asyncRecords,
    asyncInvoker,
    functionsTree,
    logsTree,
    versionsTree,
    layersTree,
    executionsTree,
    deployments,
    apiServer,
    codeLens,
    debugging,
    handlerF5,
    vscode.window.createTreeView('lambdaLab.functions', { treeDataProvider: functionsTree, showCollapseAll: true }),
    vscode.window.createTreeView('lambdaLab.logs', { treeDataProvider: logsTree, showCollapseAll: true }),
    vscode.window.createTreeView('lambdaLab.versions', { treeDataProvider: versionsTree }),
    vscode.window.createTreeView('lambdaLab.layers', { treeDataProvider: layersTree }),
    vscode.window.createTreeView('lambdaLab.executions', { treeDataProvider: executionsTree }),
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, results),
    vscode.workspace.registerTextDocumentContentProvider(RESPONSE_SCHEME, responses),
    responses,
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, logDocuments),
    vscode.workspace.registerTextDocumentContentProvider(READONLY_SCHEME, new ReadOnlyFiles()),
    vscode.languages.registerDocumentLinkProvider(
      [{ language: 'lambda-log' }, { scheme: LOG_SCHEME }, { scheme: RESULT_SCHEME }],
      new LocationLinks(),
    ),
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
      if (e.affectsConfiguration('lambdaLab.awsProfile') || e.affectsConfiguration('lambdaLab.region')) {
        credentials.update();
        // Warm environments keep the profile they started with: the next invokes start with the new one.
        for (const fn of runtime.functions()) void runtime.recycleEnvironments(fn.functionName);
      }
      inlineLogs.setEnabled(next.inlineLogs);
      if (templateSettings.some((s) => e.affectsConfiguration(s))) void templates.refresh();
    }),

    registerFunctionCommands({ runtime, invoker, debugging, events, functionsTree, functionFrom }),
    registerLogCommands({ logIndex, logDocuments, history, results, functionFrom }),
    registerVersionCommands({ deployments, invoker, functionFrom }),
    registerAsyncCommands({ runtime, templates, events, asyncInvoker, asyncRecords, functionFrom }),
    registerExecutionCommands({ runtime, logIndex, executionsTree }),
    registerCommands({
      'lambdaLab.refresh': () => templates.refresh(),
      'lambdaLab.toggleInlineLogs': () => inlineLogs.setEnabled(!inlineLogs.isEnabled()),
      'lambdaLab.createSampleProject': async () => {
        if (await createSampleProject()) await templates.refresh();
      },
      'lambdaLab.showOutput': () => output.show(),
      'lambdaLab.selectAwsProfile': () => credentials.select(),
      'lambdaLab.startApiServer': (options?: ApiServerStartOptions) => apiServer.start(options),
      'lambdaLab.stopApiServer': () => apiServer.stop(),
      'lambdaLab.apiServerActions': () => apiServer.showActions(),
      'lambdaLab.sendRequest': (node?: FunctionsNode, request?: RouteRequest) =>
        sendRequest(runtime, apiServer, responses, node?.kind === 'route' ? node : undefined, request),
    }),
  );

  context.subscriptions.push(startLanguageClient(context, templates.serverDiagnostics));
  void vscode.commands.executeCommand('setContext', 'lambdaLab.activated', true);
  // Executions left running by the last window (or a stopped `serve`) go on here, as their templates load.
  context.subscriptions.push(
    subscribe(
      runtime,
      'templateLoaded',
      () => void runtime.durable.resume().catch((err: Error) => output.warn(`durable executions: ${err.message}`)),
    ),
  );
  await templates.refresh();
  return {
    runtime,
    templates,
    logIndex,
    inlineLogs,
    history,
    functionsTree,
    logsTree,
    versionsTree,
    layersTree,
    executionsTree,
    codeLens,
    debugConfigurations,
    deployments,
    apiServer,
    failures,
    asyncRecords,
    functionExtensions,
  };
}

export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}
