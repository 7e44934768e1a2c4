// Log streams and single invocations as read-only `lambda-log` documents that follow new
// lines while their environment lives.
import * as vscode from 'vscode';
import type { LogIndex, LogStream } from './logIndex';
import { shortStream } from './treeFormat';

export const LOG_SCHEME = 'lambda-lab-log';

export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly pending = new Set<string>();
  private readonly lineCounts = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;

  /** `nameOf` turns the runtime's name of a function (its log group's) into the one the extension shows. */
  constructor(
    private readonly index: LogIndex,
    private readonly nameOf: (functionName: string) => string = (name) => name,
  ) {
    this.subscriptions = [
      index.onDidChange((stream) => this.streamChanged(stream)),
      vscode.workspace.onDidChangeTextDocument((e) => this.follow(e.document)),
    ];
  }

  uriFor(functionName: string, logStreamName: string, requestId?: string): vscode.Uri {
    const name = `${this.nameOf(functionName)} ${shortStream(logStreamName)}${requestId ? ` ${requestId.slice(0, 8)}` : ''}.log`;
    const query = new URLSearchParams({ fn: functionName, stream: logStreamName, ...(requestId ? { request: requestId } : {}) });
    return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${name}`, query: query.toString() });
  }

  async open(functionName: string, logStreamName: string, requestId?: string): Promise<vscode.TextEditor> {
    await this.index.hydrate(functionName);
    const doc = await vscode.languages.setTextDocumentLanguage(
      await vscode.workspace.openTextDocument(this.uriFor(functionName, logStreamName, requestId)),
      'lambda-log',
    );
    const editor = await vscode.window.showTextDocument(doc, { preview: true });
    const last = doc.lineAt(Math.max(0, doc.lineCount - 1)).range;
    if (!requestId) editor.revealRange(last, vscode.TextEditorRevealType.Default);
    this.lineCounts.set(doc.uri.toString(), doc.lineCount);
    return editor;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const q = new URLSearchParams(uri.query);
    const stream = this.index.stream(q.get('fn') ?? '', q.get('stream') ?? '');
    if (!stream) return `The log stream ${q.get('stream')} of ${q.get('fn')} is no longer kept.\n`;
    const request = q.get('request');
    const records = request ? (stream.invocations.find((i) => i.requestId === request)?.records ?? []) : stream.records;
    return records.map((r) => r.message.replace(/\n$/, '')).join('\n') + '\n';
  }

  private streamChanged(stream: LogStream): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== LOG_SCHEME) continue;
      const q = new URLSearchParams(doc.uri.query);
      if (q.get('fn') === stream.functionName && q.get('stream') === stream.logStreamName) this.pending.add(doc.uri.toString());
    }
    if (!this.pending.size || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const uri of this.pending) this.changed.fire(vscode.Uri.parse(uri));
      this.pending.clear();
    }, 100);
  }

  /** Editors scrolled to the end stay at the end as lines arrive, like `tail -f`. */
  private follow(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== LOG_SCHEME) return;
    const key = doc.uri.toString();
    const before = this.lineCounts.get(key) ?? 0;
    this.lineCounts.set(key, doc.lineCount);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== doc) continue;
      const bottom = editor.visibleRanges[editor.visibleRanges.length - 1]?.end.line ?? 0;
      if (bottom >= before - 2) editor.revealRange(doc.lineAt(doc.lineCount - 1).range, vscode.TextEditorRevealType.Default);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
