// Finds the SAM templates of the workspace, loads each into the shared runtime, reloads
// them when they change, and reports load failures as problems at their position while
// the views keep the last good state.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig, LayerConfig, TemplateModel, UnsupportedFunction } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { readSettings } from './settings';

/** Only files that declare Lambda functions count as templates (a Helm `template.yaml` does not). */
const LAMBDA_TEMPLATE = /AWS::Serverless::Function|AWS::Lambda::Function|AWS::Serverless-2016-10-31/;

/** What a failed loadTemplate may carry; TemplateError's shape is duck-typed so any error with a position works. */
interface PositionedError {
  message: string;
  /** TemplateError's message without the location prefix. */
  problem?: string;
  resource?: string;
  templatePath?: string;
  position?: { line: number; column: number };
  line?: number;
  column?: number;
}

export class TemplateWorkspace implements vscode.Disposable {
  private readonly models = new Map<string, TemplateModel>();
  private readonly envVarsFiles = new Map<string, string | undefined>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('lambda-lab');
  private readonly changed = new vscode.EventEmitter<void>();
  private watchers: vscode.Disposable[] = [];
  private discovery: Promise<void> | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Finds and loads every template; resolves when all have been tried. Safe to call again. */
  refresh(): Promise<void> {
    this.discovery = this.discover();
    return this.discovery;
  }

  /** Waits for the discovery in progress, if any. */
  ready(): Promise<void> {
    return this.discovery ?? this.refresh();
  }

  templates(): string[] {
    return [...this.models.keys()].sort();
  }

  model(templatePath: string): TemplateModel | undefined {
    return this.models.get(templatePath);
  }

  /** Functions of one template (or all), as the runtime currently knows them. */
  functions(templatePath?: string): FunctionConfig[] {
    const known = new Set(templatePath ? [templatePath] : this.models.keys());
    return this.runtime.functions().filter((f) => known.has(f.templatePath));
  }

  /** Functions the template defines that cannot run here (last good load). */
  unsupported(templatePath?: string): UnsupportedFunction[] {
    return this.selected(templatePath).flatMap((m) => m.unsupported);
  }

  layers(templatePath?: string): LayerConfig[] {
    return this.selected(templatePath).flatMap((m) => m.layers);
  }

  /** Loads (or reloads) one template, optionally with a SAM env-vars file. Throws what loadTemplate throws. */
  async load(templatePath: string, envVarsFile?: string): Promise<TemplateModel> {
    const file = path.resolve(templatePath);
    if (envVarsFile !== undefined) this.envVarsFiles.set(file, envVarsFile);
    try {
      const model = await this.runtime.loadTemplate(file, { envVarsFile: this.envVarsFiles.get(file) ?? this.defaultEnvVarsFile(file) });
      this.models.set(file, model);
      this.diagnostics.set(vscode.Uri.file(file), model.diagnostics.map(toDiagnostic));
      this.log.info(`Loaded ${file}: ${model.functions.length} function(s), ${model.layers.length} layer(s)`);
      for (const u of model.unsupported) this.log.warn(`${u.logicalId} in ${file} cannot run locally: ${u.reason}`);
      return model;
    } catch (err) {
      const e = err as PositionedError;
      const line = e.position?.line ?? e.line ?? 1;
      const column = e.position?.column ?? e.column ?? 1;
      const problem = e.problem ? `${e.resource ? `${e.resource}: ` : ''}${e.problem}` : e.message;
      const d = new vscode.Diagnostic(at(line, column), problem, vscode.DiagnosticSeverity.Error);
      d.source = 'Lambda Lab';
      this.diagnostics.set(vscode.Uri.file(e.templatePath ?? file), [d]);
      this.log.error((e.position ? e.message : `${file}:${line}:${column}: ${e.message}`) + (this.models.has(file) ? ' (showing the last good version)' : ''));
      throw err;
    } finally {
      this.changed.fire();
    }
  }

  private selected(templatePath?: string): TemplateModel[] {
    if (templatePath) {
      const m = this.models.get(templatePath);
      return m ? [m] : [];
    }
    return [...this.models.values()];
  }

  private defaultEnvVarsFile(templatePath: string): string | undefined {
    const setting = readSettings().envVarsFile;
    if (!setting) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(templatePath));
    return path.resolve(folder?.uri.fsPath ?? path.dirname(templatePath), setting);
  }

  private async discover(): Promise<void> {
    const settings = readSettings();
    this.watch(settings.templateGlobs);
    const found = new Set<string>();
    for (const glob of settings.templateGlobs) {
      for (const uri of await vscode.workspace.findFiles(glob, settings.templateExclude)) {
        if (await isLambdaTemplate(uri)) found.add(uri.fsPath);
      }
    }
    for (const gone of [...this.models.keys()].filter((p) => !found.has(p))) this.forget(gone);
    await Promise.all([...found].map((p) => this.load(p).catch(() => undefined)));
    void vscode.commands.executeCommand('setContext', 'lambdaLab.hasTemplates', this.models.size > 0);
    this.changed.fire();
  }

  private watch(globs: string[]): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = globs.map((glob) => {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      watcher.onDidChange((uri) => this.schedule(uri.fsPath));
      watcher.onDidCreate((uri) => this.schedule(uri.fsPath));
      watcher.onDidDelete((uri) => {
        this.forget(uri.fsPath);
        this.changed.fire();
      });
      return watcher;
    });
  }

  /** Editors save in bursts; reload once the file settles. */
  private schedule(file: string): void {
    clearTimeout(this.pending.get(file));
    this.pending.set(
      file,
      setTimeout(async () => {
        this.pending.delete(file);
        if (this.models.has(file) || (await isLambdaTemplate(vscode.Uri.file(file)))) {
          await this.load(file).catch(() => undefined);
          void vscode.commands.executeCommand('setContext', 'lambdaLab.hasTemplates', this.models.size > 0);
        }
      }, 300),
    );
  }

  private forget(file: string): void {
    this.models.delete(file);
    void this.runtime.unloadTemplate(file);
    this.diagnostics.delete(vscode.Uri.file(file));
    void vscode.commands.executeCommand('setContext', 'lambdaLab.hasTemplates', this.models.size > 0);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const w of this.watchers) w.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}

async function isLambdaTemplate(uri: vscode.Uri): Promise<boolean> {
  try {
    return LAMBDA_TEMPLATE.test(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
  } catch {
    return false;
  }
}

function at(line: number, column: number): vscode.Range {
  const p = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  return new vscode.Range(p, p.translate(0, 1));
}

function toDiagnostic(d: TemplateModel['diagnostics'][number]): vscode.Diagnostic {
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
  const diagnostic = new vscode.Diagnostic(at(d.position.line, d.position.column), d.message, severity);
  diagnostic.source = 'Lambda Lab';
  return diagnostic;
}
