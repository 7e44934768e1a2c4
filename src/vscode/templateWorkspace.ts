// Finds the SAM templates of the workspace, loads each into the shared runtime, reloads
// them when they change, and reports load failures as problems on the offending token while
// the views keep the last good state (or, for a template never loaded, show its failure).
// Functions that cannot run here are problems too, on their resource. Where the template language
// server reports the same problem (on the same words, or that the same function cannot run here),
// only the server's is shown: it checks the text as it is typed, this checks what was saved.
import { readFileSync } from 'node:fs';
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

/** Why a template failed to load, where. */
export interface TemplateFailure {
  message: string;
  /** From 1. */
  line: number;
  column: number;
}

export class TemplateWorkspace implements vscode.Disposable {
  private readonly models = new Map<string, TemplateModel>();
  private readonly failures = new Map<string, TemplateFailure>();
  private readonly envVarsFiles = new Map<string, string | undefined>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('lambda-lab');
  /** This side's problems per file URI (with the function one is about), before stepping aside for the server's. */
  private readonly own = new Map<string, Array<{ diagnostic: vscode.Diagnostic; cannotRun?: string }>>();
  /** The language server's problems per file URI. */
  private readonly server = new Map<string, readonly vscode.Diagnostic[]>();
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

  /** Every template found, including those whose last load failed. */
  templates(): string[] {
    return [...new Set([...this.models.keys(), ...this.failures.keys()])].sort();
  }

  /** Why the last load of a template failed; undefined once it loads. */
  failure(templatePath: string): TemplateFailure | undefined {
    return this.failures.get(templatePath);
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
      this.failures.delete(file);
      const text = readText(file);
      this.setOwn(vscode.Uri.file(file), [
        ...model.diagnostics.map((d) => ({ diagnostic: toDiagnostic(d, text) })),
        ...model.unsupported.map((u) => ({
          diagnostic: problem(
            text,
            u.position.line,
            u.position.column,
            `${u.logicalId} cannot run locally: ${u.reason}`,
            vscode.DiagnosticSeverity.Warning,
          ),
          cannotRun: u.logicalId,
        })),
      ]);
      this.log.info(`Loaded ${file}: ${model.functions.length} function(s), ${model.layers.length} layer(s)`);
      for (const u of model.unsupported) this.log.warn(`${u.logicalId} in ${file} cannot run locally: ${u.reason}`);
      return model;
    } catch (err) {
      const e = err as PositionedError;
      const line = e.position?.line ?? e.line ?? 1;
      const column = e.position?.column ?? e.column ?? 1;
      const message = e.problem ? `${e.resource ? `${e.resource}: ` : ''}${e.problem}` : e.message;
      const where = e.templatePath ?? file;
      this.failures.set(file, { message, line, column });
      this.setOwn(vscode.Uri.file(where), [
        { diagnostic: problem(readText(where), line, column, message, vscode.DiagnosticSeverity.Error) },
      ]);
      this.log.error(
        (e.position ? e.message : `${file}:${line}:${column}: ${e.message}`) +
          (this.models.has(file) ? ' (showing the last good version)' : ''),
      );
      throw err;
    } finally {
      this.changed.fire();
    }
  }

  /** What the template language server publishes (languageClient's middleware). */
  readonly serverDiagnostics = {
    published: (uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): void => {
      if (diagnostics.length) this.server.set(uri.toString(), diagnostics);
      else this.server.delete(uri.toString());
      this.show(uri);
    },
    stopped: (): void => {
      const uris = [...this.server.keys()];
      this.server.clear();
      for (const uri of uris) this.show(vscode.Uri.parse(uri));
    },
  };

  private setOwn(uri: vscode.Uri, problems: Array<{ diagnostic: vscode.Diagnostic; cannotRun?: string }>): void {
    this.own.set(uri.toString(), problems);
    this.show(uri);
  }

  /**
   * This side's problems of a file but those the server reports too: a problem on the same words
   * (the rule the server merges its own checks by), or, for a function that cannot run here, the
   * server saying so of it ("X cannot run locally" from the loader, "X cannot run in Lambda Lab"
   * from its runtime check) wherever it puts it.
   */
  private show(uri: vscode.Uri): void {
    const own = this.own.get(uri.toString());
    if (!own) return;
    const server = this.server.get(uri.toString()) ?? [];
    const overlaps = (a: vscode.Range, b: vscode.Range) => !a.end.isBefore(b.start) && !b.end.isBefore(a.start);
    const said = ({ diagnostic, cannotRun }: { diagnostic: vscode.Diagnostic; cannotRun?: string }) =>
      server.some(
        (s) => overlaps(s.range, diagnostic.range) || (cannotRun !== undefined && s.message.startsWith(`${cannotRun} cannot run `)),
      );
    this.diagnostics.set(
      uri,
      own.filter((p) => !said(p)).map((p) => p.diagnostic),
    );
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
    for (const gone of this.templates().filter((p) => !found.has(p))) this.forget(gone);
    await Promise.all([...found].map((p) => this.load(p).catch(() => undefined)));
    this.announceTemplates();
    this.changed.fire();
  }

  private announceTemplates(): void {
    void vscode.commands.executeCommand('setContext', 'lambdaLab.hasTemplates', this.templates().length > 0);
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
        if (this.models.has(file) || this.failures.has(file) || (await isLambdaTemplate(vscode.Uri.file(file)))) {
          await this.load(file).catch(() => undefined);
          this.announceTemplates();
        }
      }, 300),
    );
  }

  private forget(file: string): void {
    this.models.delete(file);
    this.failures.delete(file);
    void this.runtime.unloadTemplate(file);
    this.own.delete(vscode.Uri.file(file).toString());
    this.diagnostics.delete(vscode.Uri.file(file));
    this.announceTemplates();
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

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The token at a position (line and column from 1): a position in a line's indentation moves to
 * its first character, and the range spans to the end of the word, so the squiggle is visible.
 */
export function tokenRange(text: string, line: number, column: number): vscode.Range {
  const l = Math.max(0, line - 1);
  const lineText = text.split(/\r?\n/)[l] ?? '';
  let start = Math.max(0, column - 1);
  const indent = /^\s*/.exec(lineText)![0].length;
  if (start < indent || start >= lineText.length) start = Math.min(indent, lineText.length);
  const end = start + (/^[^\s,:{}[\]]+/.exec(lineText.slice(start))?.[0].length || /^\S*/.exec(lineText.slice(start))![0].length || 1);
  return new vscode.Range(l, start, l, end);
}

function problem(text: string, line: number, column: number, message: string, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const d = new vscode.Diagnostic(tokenRange(text, line, column), message, severity);
  d.source = 'Lambda Lab';
  return d;
}

function toDiagnostic(d: TemplateModel['diagnostics'][number], text: string): vscode.Diagnostic {
  return problem(
    text,
    d.position.line,
    d.position.column,
    d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
}
