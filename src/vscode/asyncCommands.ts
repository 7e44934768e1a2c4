// Commands of the asynchronous rows: invoke a function asynchronously (Event), open a queued
// event or a destination / dead-letter record as JSON, re-drive its event (the same payload as
// a new Event invoke), delete a record.
import * as vscode from 'vscode';
import { MAX_ASYNC_PAYLOAD, type LocalRuntime } from '../runtime/localRuntime';
import type { AsyncEnd, AsyncInvoker } from './asyncInvoker';
import type { AsyncRecord, AsyncRecords } from './asyncRecords';
import { isTreeNode, type FunctionResolver } from './commandArguments';
import { registerCommands } from './commandRegistration';
import { EventFileError, type EventStore } from './eventStore';
import { shownName, shownNameOf } from './functionNames';
import type { TemplateWorkspace } from './templateWorkspace';

export interface AsyncCommandDeps {
  runtime: LocalRuntime;
  templates: TemplateWorkspace;
  events: EventStore;
  asyncInvoker: AsyncInvoker;
  asyncRecords: AsyncRecords;
  functionFrom: FunctionResolver;
}

/** What the record commands are given: the tree node (menus, clicks) or the record itself (tests, API). */
function recordOf(arg: unknown): AsyncRecord | undefined {
  if (isTreeNode(arg) && arg.kind === 'asyncEvent') return arg.record;
  if (typeof arg === 'object' && arg !== null && 'file' in arg && 'requestId' in arg) return arg as AsyncRecord;
  return undefined;
}

export function registerAsyncCommands({
  runtime,
  templates,
  events,
  asyncInvoker,
  asyncRecords,
  functionFrom,
}: AsyncCommandDeps): vscode.Disposable {
  /** Queues the event and reports its outcome when it comes; resolves with the request id once accepted. */
  const send = async (functionName: string, payload: string, what: string): Promise<string | undefined> => {
    const fn = runtime.getFunction(functionName);
    if (!fn) {
      void vscode.window.showErrorMessage(
        `Lambda Lab: cannot ${what}: no loaded template defines the function ${shownNameOf(runtime, functionName)} any more.`,
      );
      return undefined;
    }
    const size = Buffer.byteLength(payload);
    if (size > MAX_ASYNC_PAYLOAD) {
      void vscode.window.showErrorMessage(
        `Lambda Lab: cannot ${what}: the event is ${size} bytes; Lambda accepts at most ${MAX_ASYNC_PAYLOAD} bytes (1 MB) for an asynchronous invoke. Use a smaller event or a synchronous invoke (6 MB).`,
      );
      return undefined;
    }
    const { requestId, end } = await asyncInvoker.invoke(fn, payload);
    asyncInvoker.output.show(true);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `${shownName(fn)}: event ${requestId.slice(0, 8)}` },
      () => end.then((e) => report(shownName(fn), requestId, e)),
    );
    return requestId;
  };

  const invokeAsync = async (arg: unknown) => {
    const fn = await functionFrom(arg);
    if (!fn) return undefined;
    let payload = '{}';
    const event = isTreeNode(arg) && arg.kind === 'event' ? arg.event : events.defaultEvent(fn, templates.functions(fn.templatePath));
    if (event) {
      try {
        payload = events.read(event.file);
      } catch (err) {
        if (!(err instanceof EventFileError)) throw err;
        void vscode.window.showErrorMessage(`Lambda Lab: ${err.message}`);
        return undefined;
      }
    }
    return send(fn.functionName, payload, `invoke ${shownName(fn)}`);
  };

  const open = async (arg: unknown) => {
    const record = recordOf(arg);
    if (!record) return undefined;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(record.file));
    // S3 records sit at extensionless object keys; they hold JSON all the same.
    const json = doc.languageId === 'json' ? doc : await vscode.languages.setTextDocumentLanguage(doc, 'json');
    return vscode.window.showTextDocument(json, { preview: true });
  };

  const redrive = async (arg: unknown) => {
    const record = recordOf(arg);
    return record && send(record.functionName, record.payload, `re-drive event ${record.requestId}`);
  };

  const remove = async (arg: unknown) => {
    const record = recordOf(arg);
    if (record) await asyncRecords.delete(record);
  };

  return registerCommands({
    'lambdaLab.invokeAsync': invokeAsync,
    'lambdaLab.openAsyncRecord': open,
    'lambdaLab.redriveAsyncEvent': redrive,
    'lambdaLab.deleteAsyncRecord': remove,
  });
}

function report(functionName: string, requestId: string, end: AsyncEnd): void {
  if ('dropped' in end) {
    void vscode.window.showWarningMessage(`Lambda Lab: event ${requestId} of ${functionName} was dropped: ${end.dropped.reason}`);
    return;
  }
  const { condition, event, deliveries } = end.outcome;
  const where = deliveries.map((d) => `${d.target}${d.error ? ` (failed: ${d.error})` : ''}`).join(', ');
  const message = `Lambda Lab: event ${requestId} of ${functionName}: ${condition} after ${event.invokeCount} invocation(s)${where ? `, sent to ${where}` : ''}.`;
  if (condition === 'Success') void vscode.window.showInformationMessage(message);
  else void vscode.window.showWarningMessage(message);
}
