// Inline logs: after an invocation, each line of handler code that wrote to the console
// shows its latest message at the end of the line (hover: request id and the line's
// history); a line that threw shows the error. Cleared for a file when it is edited.
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { InvocationInfo, InvokeResult, LogRecord } from '../runtime/runtimeEvents';
import { parseErrorPayload } from './invocationHistory';
import { firstUserFrame, toSource } from './sourceLocations';
import { subscribe } from './subscribe';
import { cell, clock } from './treeFormat';

export interface LineMessage {
  message: string;
  requestId?: string;
  level?: string;
  timestamp: number;
  error: boolean;
}

const HISTORY_PER_LINE = 20;
const MAX_INLINE_CHARS = 120;
const TEXT_PREFIX = /^\S+Z\t[^\t]*\t[A-Z]+\t/;

export class InlineLogs implements vscode.Disposable {
  /** file → 0-based line → messages, oldest first. */
  private readonly lines = new Map<string, Map<number, LineMessage[]>>();
  private readonly logType = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
  });
  private readonly errorType = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorError.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    isWholeLine: true,
  });
  private readonly subscriptions: vscode.Disposable[];
  private readonly dirty = new Set<string>();
  private renderTimer: NodeJS.Timeout | undefined;
  private enabled: boolean;

  constructor(
    runtime: LocalRuntime,
    private readonly functionOf: (name: string) => FunctionConfig | undefined,
    enabled: boolean,
  ) {
    this.enabled = enabled;
    this.subscriptions = [
      subscribe(runtime, 'log', (record) => this.onLog(record)),
      subscribe(runtime, 'invocationEnded', (info, result) => this.onEnded(info, result)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.renderAll()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.lines.delete(e.document.uri.fsPath)) this.render(e.document.uri.fsPath);
      }),
    ];
    void this.setContext();
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    void this.setContext();
    this.renderAll();
  }

  /** The messages recorded for a file, by 0-based line (what the decorations show). */
  messages(file: string): ReadonlyMap<number, readonly LineMessage[]> {
    return this.lines.get(file) ?? new Map();
  }

  private onLog(record: LogRecord): void {
    if (record.kind !== 'function' || !record.source) return;
    const at = toSource(record.source);
    this.add(at.file, at.line - 1, {
      message: messageText(record.message),
      requestId: record.requestId,
      level: record.level,
      timestamp: record.timestamp,
      error: record.level === 'ERROR' || record.level === 'FATAL',
    });
  }

  private onEnded(info: InvocationInfo, result: InvokeResult): void {
    if (!result.functionError) return;
    const error = parseErrorPayload(result.payload);
    const fn = this.functionOf(info.functionName);
    const dirs = fn ? [fn.codeDir, ...(fn.build ? [fn.build.sourceDir] : [])] : [];
    const at = firstUserFrame(error?.trace, dirs);
    if (!at) return;
    this.add(at.file, at.line - 1, {
      message: `${error?.errorType ?? 'Error'}: ${error?.errorMessage ?? ''}`,
      requestId: info.requestId,
      level: 'ERROR',
      timestamp: Date.now(),
      error: true,
    });
  }

  private add(file: string, line: number, message: LineMessage): void {
    let byLine = this.lines.get(file);
    if (!byLine) this.lines.set(file, (byLine = new Map()));
    const history = byLine.get(line) ?? [];
    history.push(message);
    byLine.set(line, history.slice(-HISTORY_PER_LINE));
    this.dirty.add(file);
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => {
      for (const f of this.dirty) this.render(f);
      this.dirty.clear();
    }, 50);
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.renderEditor(editor);
  }

  private render(file: string): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.fsPath === file) this.renderEditor(editor);
  }

  private renderEditor(editor: vscode.TextEditor): void {
    const logs: vscode.DecorationOptions[] = [];
    const errors: vscode.DecorationOptions[] = [];
    const byLine = this.enabled && editor.document.uri.scheme === 'file' ? this.lines.get(editor.document.uri.fsPath) : undefined;
    for (const [line, history] of byLine ?? []) {
      if (line >= editor.document.lineCount) continue;
      const latest = history[history.length - 1];
      const end = editor.document.lineAt(line).range.end;
      const decoration: vscode.DecorationOptions = {
        range: new vscode.Range(end, end),
        hoverMessage: hover(history),
        renderOptions: { after: { contentText: `${latest.error ? '✖' : '▸'} ${truncate(latest.message)}` } },
      };
      (latest.error ? errors : logs).push(decoration);
    }
    editor.setDecorations(this.logType, logs);
    editor.setDecorations(this.errorType, errors);
  }

  private async setContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'lambdaLab.inlineLogsActive', this.enabled);
  }

  dispose(): void {
    clearTimeout(this.renderTimer);
    for (const d of this.subscriptions) d.dispose();
    this.logType.dispose();
    this.errorType.dispose();
  }
}

/** The message part of a record: Text format drops `time\trequestId\tLEVEL\t`, JSON format its `message`. */
function messageText(raw: string): string {
  if (raw.startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as { message?: unknown };
      if (parsed.message !== undefined) return typeof parsed.message === 'string' ? parsed.message : JSON.stringify(parsed.message);
    } catch {
      // not JSON after all: show it as written
    }
  }
  return raw.replace(TEXT_PREFIX, '');
}

function truncate(text: string): string {
  const one = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return one.length > MAX_INLINE_CHARS ? `${one.slice(0, MAX_INLINE_CHARS - 1)}…` : one;
}

function hover(history: readonly LineMessage[]): vscode.MarkdownString {
  const latest = history[history.length - 1];
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Lambda Lab** · RequestId \`${latest.requestId ?? 'init'}\`\n\n`);
  md.appendCodeblock(latest.message, 'text');
  if (history.length > 1) {
    md.appendMarkdown('\n**History of this line** (newest first)\n\n');
    for (const m of [...history].reverse().slice(1)) {
      md.appendMarkdown(`- ${clock(m.timestamp)} \`${(m.requestId ?? 'init').slice(0, 8)}\` ${cell(truncate(m.message))}\n`);
    }
  }
  return md;
}
