// Sending a request to one of a function's API routes or function URL from the Functions view:
// the front doors are started if they are not running, the request goes over a real socket with
// Node's fetch, and the response (status, headers, pretty body, timings; streamed chunks as they
// arrive) fills a read-only document.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STATUS_CODES } from 'node:http';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { HttpFrontDoors } from '../runtime/http/frontDoors';
import { routeRows, type RouteRow } from '../runtime/http/routeListing';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { ApiServerControl } from './apiServerControl';
import { asComments, isTextual, languageOf, renderBody, type BodyLanguage, type RenderedBody } from './responseBody';

export const RESPONSE_SCHEME = 'lambda-lab-response';

export interface FunctionRoute {
  row: RouteRow;
  /** Position among the function's rows, stable whether or not the front doors run. */
  index: number;
  /** Path as clients call it, without the server's origin (`/orders/{orderId}`, `/` for a URL). */
  path: string;
  /** Where it is served, while the front doors run. */
  url?: string;
}

/** A request as saved in `requests/*.json` next to the template, or passed by a caller. */
export interface RouteRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | object;
}

export function routesOf(runtime: LocalRuntime, fn: FunctionConfig, served?: HttpFrontDoors): FunctionRoute[] {
  const model = runtime.templateModels().find((m) => m.templatePath === fn.templatePath);
  if (!model) return [];
  const own = (rows: RouteRow[]) => rows.filter((r) => r.functionId === fn.logicalId);
  const declared = own(routeRows(model));
  const live = served ? own(routeRows(model, served)) : [];
  return declared.map((row, index) => {
    const clientPath = row.path.replace(/\*? \(\$default\)$/, '');
    const servedRow = live[index];
    const url = servedRow && /^https?:/.test(servedRow.path) ? servedRow.path.replace(/\*? \(\$default\)$/, '') : undefined;
    return { row, index, path: clientPath, url };
  });
}

/** Origin and stage prefix under which `route.path` is served. */
function baseUrl(route: FunctionRoute): string {
  const url = route.url!;
  if (route.row.door === 'function URL') return url.replace(/\/$/, '');
  return url.endsWith(route.path) ? url.slice(0, url.length - route.path.length) : new URL(url).origin;
}

/** Read-only documents holding the responses; each grows while its body streams. */
export class ResponseDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private next = 0;

  create(title: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: RESPONSE_SCHEME, path: `/${++this.next}/${title.replace(/[/\\?#]+/g, '_')}.http` });
    this.texts.set(uri.toString(), '');
    return uri;
  }

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Asks for (or takes) the request, sends it and opens the response; returns its document. */
export async function sendRequest(
  runtime: LocalRuntime,
  apiServer: ApiServerControl,
  responses: ResponseDocuments,
  node: { fn: FunctionConfig; route: FunctionRoute } | undefined,
  given?: RouteRequest,
): Promise<vscode.TextDocument | undefined> {
  if (!node?.route) {
    void vscode.window.showInformationMessage(
      'Lambda Lab: pick a route under a function’s Routes in the Functions view to send a request to it.',
    );
    return undefined;
  }
  const request = given ?? (await askRequest(node.fn, node.route));
  if (!request) return undefined;
  if (!apiServer.frontDoors && !(await apiServer.start({ templatePath: node.fn.templatePath }))) return undefined;
  await apiServer.frontDoors!.settled();
  const route = routesOf(runtime, node.fn, apiServer.frontDoors)[node.route.index];
  if (!route?.url) {
    void vscode.window.showErrorMessage(
      `Lambda Lab: ${node.route.row.method} ${node.route.path} of ${node.fn.logicalId} is not served; is the template still loaded?`,
    );
    return undefined;
  }
  const method = (request.method ?? (route.row.method === 'ANY' ? 'GET' : route.row.method)).toUpperCase();
  const target = `${baseUrl(route)}${request.path ?? route.path}`;
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const uri = responses.create(`${method} ${request.path ?? route.path}`);
  const requestLine = `${method} ${target}`;
  responses.set(uri, `${requestLine}\n\n(waiting for the response…)`);
  let doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  const started = performance.now();
  try {
    const response = await fetch(target, {
      method,
      headers: request.headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    });
    const view = new ResponseView(requestLine, response, performance.now() - started);
    let language = languageOf(view.contentType);
    doc = await inLanguage(doc, language);
    responses.set(uri, view.render(language));
    if (response.body) {
      for await (const chunk of response.body) {
        view.received(Buffer.from(chunk), performance.now() - started);
        responses.set(uri, view.render(language));
      }
    }
    const final = view.finish(performance.now() - started);
    if (final.language !== language) {
      language = final.language;
      doc = await inLanguage(doc, language);
    }
    responses.set(uri, view.render(language, final));
  } catch (err) {
    responses.set(uri, `${requestLine}\n\nThe request failed: ${(err as Error).message}\n`);
  }
  return doc;
}

/** The document in `language`; one the user closed meanwhile stays closed. */
async function inLanguage(doc: vscode.TextDocument, language: BodyLanguage): Promise<vscode.TextDocument> {
  return doc.isClosed || doc.languageId === language ? doc : vscode.languages.setTextDocumentLanguage(doc, language);
}

/**
 * One response as it arrives: the request line, status and headers, the body so far, and when
 * each chunk came (ms since the request was sent), so a streamed body shows as it streams.
 * The lines around the body are comments in the body's language.
 */
class ResponseView {
  readonly contentType: string;
  private readonly head: string[];
  private readonly chunks: Buffer[] = [];
  private readonly arrivals: string[] = [];
  private readonly decoder = new TextDecoder();
  private text = '';
  private size = 0;
  private summary: string | undefined;

  constructor(
    requestLine: string,
    response: Response,
    private readonly firstByteMs: number,
  ) {
    this.contentType = response.headers.get('content-type') ?? '';
    const status = `HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}`.trimEnd();
    this.head = [requestLine, '', status, ...[...response.headers].map(([k, v]) => `${k}: ${v}`)];
  }

  received(chunk: Buffer, atMs: number): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.text += this.decoder.decode(chunk, { stream: true });
    this.arrivals.push(`chunk ${this.chunks.length} · ${atMs.toFixed(1)} ms · ${chunk.length} bytes`);
  }

  finish(totalMs: number): RenderedBody {
    this.summary = `first byte ${this.firstByteMs.toFixed(1)} ms · total ${totalMs.toFixed(1)} ms · ${this.chunks.length} chunk(s)`;
    return renderBody(Buffer.concat(this.chunks, this.size), this.contentType);
  }

  render(language: BodyLanguage, final?: RenderedBody): string {
    const bodyText = final?.text ?? (isTextual(this.contentType) ? this.text : `(${this.size} bytes so far)`);
    const status = this.summary ?? `receiving… ${this.chunks.length} chunk(s)`;
    const timings = [status, ...(this.summary && this.chunks.length < 2 ? [] : this.arrivals)];
    return [...asComments(this.head, language), '', bodyText, '', ...asComments(timings, language), ''].join('\n');
  }
}

/** Saved requests (`requests/*.json` next to the template) or a method/path/headers/body typed in. */
async function askRequest(fn: FunctionConfig, route: FunctionRoute): Promise<RouteRequest | undefined> {
  const saved = savedRequests(fn.templatePath);
  if (saved.length) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(edit) New request…', request: undefined },
        ...saved.map((s) => ({ label: s.name, description: `${s.request.method ?? ''} ${s.request.path ?? ''}`, request: s.request })),
      ],
      { title: `Send a request to ${route.row.method} ${route.path}` },
    );
    if (!pick) return undefined;
    if (pick.request) return pick.request;
  }
  const method = await vscode.window.showInputBox({
    title: 'HTTP method',
    value: route.row.method === 'ANY' ? 'GET' : route.row.method,
  });
  if (!method) return undefined;
  const placeholder = route.path.search(/\{[^}]+\}/);
  const pathValue = await vscode.window.showInputBox({
    title: 'Path (replace the {parameters})',
    value: route.path,
    valueSelection: placeholder < 0 ? undefined : [placeholder, route.path.indexOf('}', placeholder) + 1],
  });
  if (pathValue === undefined) return undefined;
  const headerLine = await vscode.window.showInputBox({ title: 'Headers (Name: value; Name: value), optional', value: '' });
  if (headerLine === undefined) return undefined;
  const headers = Object.fromEntries(
    headerLine
      .split(';')
      .map((h) => h.split(/:(.*)/s).map((p) => p.trim()))
      .filter(([k]) => k),
  );
  const body = /^(GET|HEAD)$/i.test(method) ? undefined : await vscode.window.showInputBox({ title: 'Body, optional', value: '' });
  return { method, path: pathValue, headers, body: body || undefined };
}

function savedRequests(templatePath: string): { name: string; request: RouteRequest }[] {
  const dir = path.join(path.dirname(templatePath), 'requests');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return [{ name: f, request: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RouteRequest }];
    } catch (err) {
      void vscode.window.showWarningMessage(
        `Lambda Lab: ${path.join(dir, f)} is not JSON ({method, path, headers, body}): ${(err as Error).message}`,
      );
      return [];
    }
  });
}
