// Invocation results as read-only documents: the payload, pretty-printed, under a header
// saying what ran and how long it took. Error payloads keep Lambda's shape (errorType,
// errorMessage, trace) and their stack frames are links; an HTTP-shaped result reads as the
// response it stands for.
import * as vscode from 'vscode';
import { asHttpResponse, renderHttpResponse } from './httpResponseView';
import type { InvokeResult } from '../runtime/runtimeEvents';
import { ms } from './treeFormat';

export const RESULT_SCHEME = 'lambda-lab-result';

interface StoredResult {
  functionName: string;
  result: InvokeResult;
}

const KEEP = 50;

export class ResultDocuments implements vscode.TextDocumentContentProvider {
  private readonly results = new Map<string, StoredResult>();

  /** `nameOf` turns the runtime's name of a function into the one the extension shows. */
  constructor(private readonly nameOf: (functionName: string) => string = (name) => name) {}

  uriFor(functionName: string, result: InvokeResult): vscode.Uri {
    const http = !result.functionError && asHttpResponse(parseJson(result.payload.toString('utf8')));
    const name = `${this.nameOf(functionName)} ${result.requestId.slice(0, 8)}${http ? ' response.http' : '.jsonc'}`;
    return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${name}`, query: result.requestId });
  }

  remember(functionName: string, result: InvokeResult): vscode.Uri {
    this.results.set(result.requestId, { functionName, result });
    if (this.results.size > KEEP) this.results.delete(this.results.keys().next().value as string);
    return this.uriFor(functionName, result);
  }

  /** Reopens a kept result; undefined when it is no longer kept. */
  async reopen(requestId: string): Promise<vscode.TextEditor | undefined> {
    const stored = this.results.get(requestId);
    return stored && this.show(stored.functionName, stored.result);
  }

  async show(functionName: string, result: InvokeResult): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(this.remember(functionName, result));
    // In the editor group being worked in, full width: a narrow split beside the code cuts header lines.
    return vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Active });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const stored = this.results.get(uri.query);
    if (!stored) return `// The result of request ${uri.query} is no longer kept. Invoke the function again.\n`;
    const { functionName, result } = stored;
    const text = result.payload.toString('utf8');
    const value = parseJson(text);
    const http = !result.functionError && asHttpResponse(value);
    // Not JSON (a streamed or binary response): shown as received.
    const body = http ? renderHttpResponse(http) : value === undefined ? text : JSON.stringify(value, null, 2);
    const outcome = result.functionError ? `error (${result.functionError})` : 'success';
    const header = result.durableExecutionArn
      ? [
          `// ${this.nameOf(functionName)} · ${result.version} · durable execution · ${outcome}`,
          `// ${result.durableExecutionArn}`,
          `// Execution duration ${ms(result.durationMs)} (all its invocations; each one's figures are in the Durable Executions view)`,
        ]
      : [
          `// ${this.nameOf(functionName)} · ${result.version} · ${result.cold ? 'cold start' : 'warm start'} · ${outcome}`,
          `// RequestId ${result.requestId} · environment ${result.environmentId}`,
          `// Duration ${durationText(result.durationMs, result.pausedMs)} · billed ${ms(result.billedDurationMs)}` +
            (result.initDurationMs !== undefined ? ` · init ${ms(result.initDurationMs)}` : '') +
            ` · memory ${result.maxMemoryUsedMB}/${result.memorySizeMB} MB` +
            (result.streamed ? ' · streamed response' : ''),
        ];
    return `${header.join('\n')}\n${body}\n`;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Duration as Lambda counts it; a debugged invoke says how much of it was spent stopped. */
export function durationText(durationMs: number, pausedMs: number | undefined): string {
  if (!pausedMs) return ms(durationMs);
  return `${ms(durationMs)} (${ms(pausedMs)} paused in the debugger, ${ms(Math.max(0, durationMs - pausedMs))} running)`;
}
