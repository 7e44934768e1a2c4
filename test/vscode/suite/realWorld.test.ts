// The extension on a workspace shaped like public SAM projects (test/vscode/fixtures/realWorld):
// what cannot run says why where the user looks, failures reach the user whoever invoked, HTTP
// results read as responses, TypeScript minified without source maps still debugs, and the
// sample events follow what the template declares.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LocalRuntime } from '../../../src/runtime/localRuntime';
import type { InvokeResult } from '../../../src/runtime/runtimeEvents';
import { readAwsProfiles } from '../../../src/vscode/awsProfiles';
import type { FailureReport } from '../../../src/vscode/failureReports';
import type { FunctionsNode } from '../../../src/vscode/functionsTree';
import type { InvokeOutcome } from '../../../src/vscode/invoker';
import { RESULT_SCHEME } from '../../../src/vscode/resultDocuments';
import { sampleItems } from '../../../src/vscode/sampleChoices';
import { subscribe } from '../../../src/vscode/subscribe';
import { api, eventually, EXTENSION_ID, lineOf } from './helpers';

const realWorld = (...parts: string[]) => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'real-world', ...parts);
const template = (project: string) => realWorld(project, 'template.yaml');

async function templateRows(): Promise<{ node: FunctionsNode; item: vscode.TreeItem }[]> {
  const { functionsTree: tree } = await api();
  return tree.getChildren().map((node) => ({ node, item: tree.getTreeItem(node) }));
}

async function rowsUnder(project: string): Promise<vscode.TreeItem[]> {
  const { functionsTree: tree } = await api();
  const root = tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === template(project));
  assert.ok(root, `no template row for ${project}`);
  const out: vscode.TreeItem[] = [];
  for (const child of tree.getChildren(root)) {
    out.push(tree.getTreeItem(child));
    if (child.kind === 'unsupported') for (const note of tree.getChildren(child)) out.push(tree.getTreeItem(note));
  }
  return out;
}

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

function nextReport(match: (r: FailureReport) => boolean, timeoutMs = 60_000): Promise<FailureReport> {
  return api().then(
    (lab) =>
      new Promise<FailureReport>((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error('no failure was reported'));
        }, timeoutMs);
        const sub = lab.failures.onDidReport((r) => {
          if (!match(r)) return;
          clearTimeout(timer);
          sub.dispose();
          resolve(r);
        });
      }),
  );
}

describe('a workspace of real-world SAM projects', () => {
  it('names each template row by its folder, with the detail in the description', async () => {
    const rows = await templateRows();
    const orders = rows.find((r) => r.node.kind === 'template' && r.node.templatePath === template('orders-api'))!;
    assert.equal(label(orders.item), path.join('real-world', 'orders-api'));
    assert.equal(orders.item.description, '5 functions');
    assert.equal(orders.item.tooltip, template('orders-api'));
  });

  it('keeps a template that fails to load in the tree as an error row, with the problem on the offending token', async () => {
    const rows = await templateRows();
    const broken = rows.find((r) => r.node.kind === 'template' && r.node.templatePath === template('broken'));
    assert.ok(broken, 'the broken template has no row');
    assert.equal(broken.item.description, 'failed to load');
    const [error, fix] = await rowsUnder('broken');
    assert.equal(label(error), 'Line 11: Nested mappings are not allowed in compact mappings');
    assert.equal((error.iconPath as vscode.ThemeIcon).id, 'error');
    assert.equal(label(fix), 'fix the YAML/JSON syntax');

    const [problem] = vscode.languages.getDiagnostics(vscode.Uri.file(template('broken'))).filter((d) => d.source === 'Lambda Lab');
    const doc = await vscode.workspace.openTextDocument(template('broken'));
    assert.equal(
      doc.getText(problem.range),
      'nodejs20.x',
      `squiggle on "${doc.getText(problem.range)}" at ${problem.range.start.line + 1}:${problem.range.start.character + 1}`,
    );
  });

  it('shows why a function cannot run on its row, with the fix, and as a problem on its resource', async () => {
    const rows = await rowsUnder('wrong-case');
    assert.equal(label(rows[0]), 'ReportFunction');
    assert.match(String(rows[0].description), /^cannot run here: CodeUri folder Src does not exist/);
    assert.equal(
      label(rows[2]),
      "set CodeUri to src/, the folder on disk (names differ only in case, and Lambda's file system is case-sensitive)",
    );
    assert.equal((rows[2].iconPath as vscode.ThemeIcon).id, 'lightbulb');

    const problems = vscode.languages.getDiagnostics(vscode.Uri.file(template('wrong-case'))).filter((d) => d.source === 'Lambda Lab');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(problems[0].range.start.line, await lineOf(template('wrong-case'), 'ReportFunction:'));
    assert.match(problems[0].message, /ReportFunction cannot run locally: .*set CodeUri to src\//);

    const java = await rowsUnder('java-orders');
    assert.match(String(java[0].description), /^cannot run here: runtime java21 is not supported yet/);
  });

  it('says each template problem once: the language server for an open template, the extension for the others', async () => {
    const uri = vscode.Uri.file(template('java-orders'));
    const doc = (u: vscode.Uri) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === u.toString())!;
    const ours = (source: string) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === source);
    // Not open in any editor: the extension's own check of the saved template is what Problems shows.
    const before = ours('Lambda Lab');
    assert.equal(before.length, 1);
    assert.match(before[0].message, /^InvoiceFunction cannot run locally: runtime java21 is not supported yet/);
    await vscode.workspace.openTextDocument(uri);
    const after = await eventually('the language server to report the open template, and the extension to step aside', () =>
      ours('lambda-lab').length > 0 && ours('Lambda Lab').length === 0 ? vscode.languages.getDiagnostics(uri) : undefined,
    );
    // The server's runtime check says it on the Runtime value; its loader's note on the resource is then left out.
    const cannotRun = after.filter((d) => d.message.startsWith('InvoiceFunction cannot run'));
    assert.deepEqual(
      cannotRun.map((d) => [d.source, d.severity, doc(uri).getText(d.range)]),
      [['lambda-lab', vscode.DiagnosticSeverity.Warning, 'java21']],
      'the same problem, said once, by the server',
    );

    // What only the extension's check said (the folder to set CodeUri to) the server says too once it takes over.
    const wrongCase = vscode.Uri.file(template('wrong-case'));
    await vscode.workspace.openTextDocument(wrongCase);
    const all = await eventually('the server to say why ReportFunction cannot run', () => {
      const now = vscode.languages.getDiagnostics(wrongCase);
      return now.some((d) => d.source === 'lambda-lab' && /^ReportFunction cannot run locally: .*set CodeUri to src\//.test(d.message)) &&
        !now.some((d) => d.source === 'Lambda Lab')
        ? now
        : undefined;
    });
    assert.equal(all.filter((d) => d.message.startsWith('ReportFunction cannot run')).length, 1);
  });

  it('renders an HTTP API result as a response: status, headers, pretty JSON body', async function () {
    this.timeout(120_000);
    const outcome = (await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invoke', 'GetOrderFunction'))!;
    const text = outcome.document!.getText();
    assert.match(outcome.document!.uri.path, /GetOrderFunction [0-9a-f]{8} response\.http$/);
    assert.match(text, /^HTTP\/1\.1 200 OK\ncontent-type: application\/json\nx-order-source: lambda-lab\n\n\{\n {2}"orderId": /m);
    assert.equal(vscode.window.activeTextEditor?.document, outcome.document, 'the result opens in the active group, full width');
  });

  it('builds a MainFields project with the dependency field it names', async function () {
    this.timeout(120_000);
    const outcome = (await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invoke', 'FormatFunction'))!;
    assert.deepEqual(JSON.parse(outcome.result.payload.toString()), { flavour: 'module' });
  });

  it('names a function by its logical id everywhere, its different FunctionName beside it, and reads events saved under either', async function () {
    this.timeout(120_000);
    const lab = await api();
    const fn = lab.runtime.getFunction('FormatFunction')!;
    assert.equal(fn.functionName, 'main-fields-format');
    const [row] = await rowsUnder('main-fields');
    assert.equal(label(row), 'FormatFunction');
    assert.match(String(row.description), /^main-fields-format · nodejs20\.x/);

    const { functionsTree: tree } = lab;
    const root = tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === template('main-fields'))!;
    const fnNode = tree.getChildren(root).find((n) => n.kind === 'function')!;
    const eventsNode = tree.getChildren(fnNode).find((n) => n.kind === 'events')!;
    assert.match(String(tree.getTreeItem(eventsNode).tooltip), /^Saved in events\/FormatFunction\//);
    const saved = tree
      .getChildren(eventsNode)
      .map((n) => (n.kind === 'event' ? path.relative(realWorld('main-fields'), n.event.file) : ''));
    assert.deepEqual(
      saved,
      [path.join('events', 'main-fields-format', 'legacy.json')],
      'events saved under the FunctionName still belong to it',
    );

    assert.equal(lab.debugConfigurations.configurationFor(fn, vscode.workspace.workspaceFolders![0]).name, 'Debug FormatFunction');
    const outcome = (await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invoke', fnNode))!;
    assert.match(outcome.document!.uri.path, /\/FormatFunction [0-9a-f]{8}\.jsonc$/);
    assert.match(outcome.document!.lineAt(0).text, /^\/\/ FormatFunction · \$LATEST · /);
    const logRow = (await lab.logsTree.getChildren()).find((n) => n.kind === 'function' && n.functionName === 'main-fields-format');
    assert.ok(logRow, 'no Logs row for the log group /aws/lambda/main-fields-format');
    const logItem = lab.logsTree.getTreeItem(logRow);
    assert.deepEqual([label(logItem), String(logItem.description).split(' · ')[0]], ['FormatFunction', 'main-fields-format']);
  });

  it('notifies when a debugged function fails at init, with Go to Error on the line that threw', async function () {
    this.timeout(120_000);
    const reported = nextReport((r) => r.functionName === 'BrokenInitFunction');
    const session = await vscode.commands.executeCommand<vscode.DebugSession>('lambdaLab.debug', 'BrokenInitFunction');
    try {
      const report = await reported;
      assert.equal(report.kind, 'function-error');
      assert.match(report.message, /^BrokenInitFunction failed: Error: ORDERS_TABLE is not set$/);
      assert.deepEqual(report.location && [report.location.file, report.location.line], [
        realWorld('orders-api', 'src', 'broken-init', 'app.js'),
        3,
      ]);
    } finally {
      if (session) await vscode.debug.stopDebugging(session);
    }
  });

  it('binds a .ts breakpoint in a minified build without source maps, with the source names', async function () {
    this.timeout(120_000);
    const price = realWorld('ts-esbuild', 'src', 'price.ts');
    const line = await lineOf(price, 'const subtotal = quantity * unitPrice;');
    const bp = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(price), new vscode.Position(line, 0)));
    const stops: DebugProtocol.StoppedEvent[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('lambda-lab', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => {
          if (m.type === 'event' && (m as DebugProtocol.Event).event === 'stopped') stops.push(m as DebugProtocol.StoppedEvent);
        },
      }),
    });
    vscode.debug.addBreakpoints([bp]);
    let session: vscode.DebugSession | undefined;
    try {
      session = await vscode.commands.executeCommand<vscode.DebugSession>('lambdaLab.debug', 'PriceFunction');
      assert.ok(session, 'no debug session');
      const stop = await eventually('a stop in price.ts', () => stops[0], 60_000);
      const trace = (await session.customRequest('stackTrace', {
        threadId: stop.body.threadId,
        startFrame: 0,
        levels: 1,
      })) as DebugProtocol.StackTraceResponse['body'];
      const frame = trace.stackFrames[0];
      const file = frame.source?.path ?? '';
      assert.equal(file.includes('://') ? vscode.Uri.parse(file).fsPath : file, price);
      assert.deepEqual([frame.line, frame.name], [line + 1, 'computeTotal']);
      const [locals] = ((await session.customRequest('scopes', { frameId: frame.id })) as DebugProtocol.ScopesResponse['body']).scopes;
      const vars = (await session.customRequest('variables', {
        variablesReference: locals.variablesReference,
      })) as DebugProtocol.VariablesResponse['body'];
      assert.ok(
        vars.variables.some((v) => v.name === 'quantity'),
        `locals: ${vars.variables.map((v) => v.name).join(', ')}`,
      );
      const lab = await api();
      const ended = new Promise<InvokeResult>((resolve) => {
        const sub = subscribe(lab.runtime, 'invocationEnded', (info, result) => {
          if (info.functionName !== 'PriceFunction') return;
          sub.dispose();
          resolve(result);
        });
      });
      // Stopped at least this long: the adapter counts the stop from before the test saw it until the continue below.
      const stoppedFor = 1_200;
      await new Promise((r) => setTimeout(r, stoppedFor));
      await session.customRequest('continue', { threadId: stop.body.threadId });
      const result = await ended;
      assert.ok(
        result.pausedMs !== undefined && result.pausedMs >= stoppedFor && result.pausedMs <= result.durationMs,
        `paused ${result.pausedMs} ms of ${result.durationMs} ms`,
      );
      const doc = await eventually('the result document', () =>
        vscode.workspace.textDocuments.find((d) => d.uri.scheme === RESULT_SCHEME && d.uri.query === result.requestId),
      );
      assert.match(doc.lineAt(2).text, /^\/\/ Duration [0-9.]+ s \([0-9.]+ s paused in the debugger, [0-9.]+ m?s running\)/);
    } finally {
      vscode.debug.removeBreakpoints([bp]);
      tracker.dispose();
      if (session) await vscode.debug.stopDebugging(session);
    }
  });

  it('offers first the sample events the function declares, filled from the template', async () => {
    const lab = await api();
    const worker = lab.runtime.getFunction('QueueWorkerFunction')!;
    const [sqs] = sampleItems(worker);
    assert.match(sqs.label, /SQS messages/);
    assert.match(String(sqs.description), /OrdersQueue · declared as OrderQueued \(SQS\)/);
    const event = sqs.sample.create('eu-west-1', '123456789012') as { Records: Array<{ eventSourceARN: string }> };
    assert.equal(event.Records[0].eventSourceARN, 'arn:aws:sqs:eu-west-1:123456789012:OrdersQueue');

    const [http] = sampleItems(lab.runtime.getFunction('GetOrderFunction')!);
    assert.match(http.label, /API Gateway HTTP API/);
    const request = http.sample.create('eu-west-1', '123456789012') as {
      routeKey: string;
      rawPath: string;
      pathParameters: Record<string, string>;
      body?: string;
    };
    assert.deepEqual(
      [request.routeKey, request.rawPath, request.pathParameters, request.body],
      ['GET /orders/{orderId}', '/orders/1001', { orderId: '1001' }, undefined],
    );
  });

  it('lists invocations its log streams remember (an earlier window, the CLI) under Recent invocations', async function () {
    this.timeout(120_000);
    const lab = await api();
    const other = new LocalRuntime({ watchCode: false }); // as the CLI or the previous window would
    let requestId: string;
    try {
      await other.loadTemplate(template('orders-api'));
      requestId = (await other.invoke('QueueWorkerFunction', JSON.stringify({ Records: [{ messageId: 'm-1' }] }))).requestId;
    } finally {
      await other.dispose();
    }
    const tree = lab.functionsTree;
    const fn = tree
      .getChildren(tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === template('orders-api')))
      .find((n) => n.kind === 'function' && n.fn.functionName === 'QueueWorkerFunction')!;
    const recent = tree.getChildren(fn).find((n) => n.kind === 'invocations')!;
    const logged = await eventually('the logged invocation', () =>
      tree.getChildren(recent).find((n) => n.kind === 'loggedInvocation' && n.invocation.requestId === requestId),
    );
    const item = tree.getTreeItem(logged);
    assert.match(String(item.description), /^cold · .* · from log$/);
    assert.deepEqual(item.command?.arguments, [requestId]);
  });

  it('F5 in a handler file debugs its function without asking which debugger', async function () {
    this.timeout(120_000);
    const binding = (
      vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
        contributes: { keybindings: Array<{ key: string; command: string; when: string }> };
      }
    ).contributes.keybindings.find((k) => k.key === 'f5');
    assert.equal(binding?.command, 'lambdaLab.debugHandlerFile');
    assert.match(binding.when, /lambdaLab\.handlerFile/);

    await vscode.window.showTextDocument(vscode.Uri.file(realWorld('orders-api', 'src', 'orders', 'app.js')));
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        sub.dispose();
        resolve(s);
      });
    });
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession(() => {
        sub.dispose();
        resolve();
      });
    });
    assert.equal(await vscode.commands.executeCommand('lambdaLab.debugHandlerFile'), true);
    const session = await started;
    assert.deepEqual([session.type, session.configuration.function], ['lambda-lab', 'GetOrderFunction']);
    await ended; // the F5 configuration invokes once, then ends
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('marks the functions of a runtime that runs on another Node major on their rows until the setting changes', async function () {
    this.timeout(120_000);
    const lab = await api();
    const tree = lab.functionsTree;
    const row = () => {
      const root = tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === template('orders-api'));
      return tree.getTreeItem(tree.getChildren(root).find((n) => n.kind === 'function' && n.fn.logicalId === 'GetOrderFunction')!);
    };
    // A real node that says it is Node 18: set for nodejs20.x, the runtime warns that the function runs on another major.
    const node18 = path.join(mkdtempSync(path.join(tmpdir(), 'lambda-lab-node18-')), 'node');
    writeFileSync(node18, `#!/bin/sh\n[ "$1" = --version ] && echo v18.20.0 && exit 0\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const settings = vscode.workspace.getConfiguration('lambdaLab');
    try {
      await settings.update('nodeBinaries', { 'nodejs20.x': node18 }, vscode.ConfigurationTarget.Workspace);
      await eventually('the runtime to take the setting', () => lab.runtime.options.nodeBinaries?.['nodejs20.x'] === node18 || undefined);
      await lab.runtime.stopEnvironments('GetOrderFunction');
      await lab.runtime.invoke('GetOrderFunction', '{}');
      const marked = await eventually('the mark on the row', () => (/not on Node 20/.test(String(row().description)) ? row() : undefined));
      assert.match(String(marked.description), /^nodejs20\.x · not on Node 20( · \d+ warm)?$/);
      assert.equal((marked.iconPath as vscode.ThemeIcon).id, 'warning');
      assert.match(
        (marked.tooltip as vscode.MarkdownString).value,
        /\*\*Not on Node 20:\*\* GetOrderFunction: runtime nodejs20\.x runs on local Node 18/,
      );
    } finally {
      await settings.update('nodeBinaries', undefined, vscode.ConfigurationTarget.Workspace);
      await lab.runtime.stopEnvironments('GetOrderFunction');
      rmSync(path.dirname(node18), { recursive: true, force: true });
    }
    await eventually('the mark to clear', () => /^nodejs20\.x( · \d+ warm)?$/.test(String(row().description)) || undefined);
  });

  describe('AWS credentials', () => {
    const configFile = realWorld('aws-config');
    const before = process.env.AWS_CONFIG_FILE;
    after(async () => {
      if (before === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = before;
      await vscode.workspace.getConfiguration('lambdaLab').update('awsProfile', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.getConfiguration('lambdaLab').update('region', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('offers the profiles of the config file with their region, and handlers get the chosen one', async function () {
      this.timeout(120_000);
      writeFileSync(configFile, '[default]\nregion = us-east-2\n\n[profile lab-dev]\nregion = eu-west-3\nsso_session = corp\n');
      process.env.AWS_CONFIG_FILE = configFile; // the suite runs in the extension host's process
      assert.deepEqual(
        readAwsProfiles().map((p) => [p.name, p.region]),
        [
          ['default', 'us-east-2'],
          ['lab-dev', 'eu-west-3'],
        ],
      );

      const settings = vscode.workspace.getConfiguration('lambdaLab');
      await settings.update('awsProfile', 'lab-dev', vscode.ConfigurationTarget.Workspace);
      await settings.update('region', 'eu-west-3', vscode.ConfigurationTarget.Workspace);
      const lab = await api();
      await eventually('the runtime to take the profile', () => lab.runtime.options.awsProfile === 'lab-dev' || undefined);
      const outcome = (await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invoke', 'WhoAmIFunction'))!;
      assert.deepEqual(JSON.parse(outcome.result.payload.toString()), { profile: 'lab-dev', region: 'eu-west-3' });
    });

    it('names the profile when a handler could not load credentials', async function () {
      this.timeout(120_000);
      const lab = await api();
      const reported = nextReport((r) => r.functionName === 'WhoAmIFunction');
      await lab.runtime.invoke('WhoAmIFunction', JSON.stringify({ callAws: true }));
      const report = await reported;
      assert.match(
        report.message,
        /^WhoAmIFunction failed: CredentialsProviderError: Could not load credentials from any providers — Handlers ran with AWS profile "lab-dev" \(region eu-west-3\)/,
      );
    });
  });
});
