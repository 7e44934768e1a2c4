// Starts and stops AWS Lambda's API on localhost (what `lambda-lab serve` runs) inside the
// extension, on the shared runtime, so the AWS SDKs and CLI reach the same environments,
// versions and aliases as the sidebar. Its URL stays in the status bar while it runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLambdaApiServer, type LambdaApiServer } from '../runtime/lambdaApi/lambdaApiServer';
import { DEFAULT_FRONT_DOOR_PORT, HttpFrontDoors } from '../runtime/http/frontDoors';
import { routeRows } from '../runtime/http/routeListing';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { Deployments } from './deployments';
import type { TemplateWorkspace } from './templateWorkspace';

export interface ApiServerStartOptions {
  /** Default: the `lambdaLab.apiServer.port` setting (3001); 0 picks a free port. */
  port?: number;
  host?: string;
  /** Whose versions/aliases/layers the management operations use when templates keep them apart. */
  templatePath?: string;
}

const RUNNING_CONTEXT = 'lambdaLab.apiServerRunning';

export class ApiServerControl implements vscode.Disposable {
  private server: LambdaApiServer | undefined;
  /** The templates' API Gateway APIs and function URLs, served beside the Lambda API. */
  private doors: HttpFrontDoors | undefined;
  private readonly statusBar = vscode.window.createStatusBarItem('lambdaLab.apiServer', vscode.StatusBarAlignment.Left, 9);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the server starts or stops (the route rows show URLs only while it runs). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
    private readonly deployments: Deployments,
  ) {
    this.statusBar.name = 'Lambda Lab: Lambda API server';
    this.statusBar.command = 'lambdaLab.apiServerActions';
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  get frontDoors(): HttpFrontDoors | undefined {
    return this.server && this.doors;
  }

  /** Starts the server (or returns the running one's URL); undefined when it could not start (reported). */
  async start(options: ApiServerStartOptions = {}): Promise<string | undefined> {
    if (this.server) return this.server.url;
    await this.templates.ready();
    const templatePath = options.templatePath ?? (await this.pickTemplate());
    if (!templatePath) return undefined;
    const config = vscode.workspace.getConfiguration('lambdaLab.apiServer');
    const port = options.port ?? config.get<number>('port', 3001);
    const host = options.host ?? config.get<string>('host', '127.0.0.1');
    try {
      const deployment = await this.deployments.forTemplate(templatePath);
      this.doors = await HttpFrontDoors.start(this.runtime, { host, port: DEFAULT_FRONT_DOOR_PORT }).catch(() =>
        HttpFrontDoors.start(this.runtime, { host, port: 0 }),
      );
      this.server = await startLambdaApiServer(this.runtime, { host, port, deployment, frontDoors: this.doors });
    } catch (err) {
      await this.doors?.close();
      this.doors = undefined;
      const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      const message = busy
        ? `Lambda Lab: port ${port} on ${host} is in use (another \`sam local start-lambda\` or \`lambda-lab serve\`?). Set lambdaLab.apiServer.port or use any free port.`
        : `Lambda Lab: the Lambda API server could not start on ${host}:${port}: ${(err as Error).message}`;
      void vscode.window.showErrorMessage(message, ...(busy ? ['Use a Free Port'] : [])).then((pick) => {
        if (pick) void this.start({ ...options, templatePath, port: 0 });
      });
      return undefined;
    }
    const { url } = this.server;
    this.statusBar.text = `$(radio-tower) Lambda API ${url.replace(/^http:\/\//, '')}`;
    this.statusBar.tooltip = new vscode.MarkdownString(
      `Lambda API server at \`${url}\` for the AWS SDKs and CLI, e.g.\n\n\`aws lambda invoke --endpoint-url ${url} --function-name NAME out.json\`\n\n` +
        `Versions and aliases of ${vscode.workspace.asRelativePath(templatePath)}. Click to copy the URL or stop the server.` +
        this.routeLines(),
    );
    this.statusBar.show();
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    this.changed.fire();
    return url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.doors?.close();
    this.doors = undefined;
    this.statusBar.hide();
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    this.changed.fire();
    await server.close();
  }

  /** What a click on the status bar item offers. */
  async showActions(): Promise<void> {
    const url = this.server?.url;
    if (!url) return;
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(copy) Copy URL', description: url, id: 'copy' },
        { label: '$(debug-stop) Stop the Lambda API server', id: 'stop' },
      ],
      {
        title: `Lambda API server at ${url}`,
      },
    );
    if (pick?.id === 'copy') {
      await vscode.env.clipboard.writeText(url);
      vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
    } else if (pick?.id === 'stop') {
      await this.stop();
    }
  }

  /** The API routes and function URLs being served, as Markdown lines for the tooltip. */
  private routeLines(): string {
    const doors = this.doors;
    if (!doors) return '';
    const rows = this.runtime.templateModels().flatMap((m) => routeRows(m, doors));
    return rows.length
      ? '\n\nAPI routes and function URLs:\n\n' + rows.map((r) => `- \`${r.method} ${r.path}\` → ${r.functionId}`).join('\n')
      : '';
  }

  /** With templates in several state folders, asks whose versions the server manages. */
  private async pickTemplate(): Promise<string | undefined> {
    const templates = this.templates.templates();
    if (!templates.length) {
      void vscode.window.showErrorMessage(
        'Lambda Lab: no SAM template is loaded, so the Lambda API server would have no functions to serve.',
      );
      return undefined;
    }
    if (this.deployments.stateDirs().length <= 1) return templates[0];
    const pick = await vscode.window.showQuickPick(
      templates.map((t) => ({ label: path.basename(path.dirname(t)), description: vscode.workspace.asRelativePath(t), t })),
      { title: 'Serve the Lambda API: every function is served; publish/alias operations use the versions of…' },
    );
    return pick?.t;
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
    this.changed.dispose();
  }
}
