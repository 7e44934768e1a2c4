// The runtime's template loader, run on a worker thread so that a large template's full load
// never delays the editor's answers. The result is the runtime's own view of the template:
// its errors and warnings, and each function's effective configuration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { TemplateModel, SourcePosition } from '../runtime/functionConfig';
import { TemplateError } from '../runtime/template/templateError';
import { loadTemplate } from '../runtime/template/templateLoader';

export interface LoaderRequest {
  id: number;
  templatePath: string;
  text: string;
}

export type LoaderResult = { id: number; model: TemplateModel } | { id: number; error: { position: SourcePosition; message: string } };

const WORKER_FLAG = '--lambda-lab-template-loader';

/** True in the worker thread: server.ts then runs serveLoaderRequests() instead of the server. */
export function isLoaderWorker(): boolean {
  return parentPort !== null && process.argv.includes(WORKER_FLAG);
}

export function serveLoaderRequests(): void {
  const { stateDir } = workerData as { stateDir: string };
  parentPort!.on('message', (request: LoaderRequest) => {
    void loadTemplate(request.templatePath, { stateDir, text: request.text }).then(
      (model) => parentPort!.postMessage({ id: request.id, model } satisfies LoaderResult),
      (error: unknown) =>
        parentPort!.postMessage({
          id: request.id,
          error:
            error instanceof TemplateError
              ? { position: error.position, message: `${error.resource ? `${error.resource}: ` : ''}${error.problem}` }
              : { position: { line: 1, column: 1 }, message: `the template could not be loaded: ${(error as Error).message}` },
        } satisfies LoaderResult),
    );
  });
}

/** The main thread's side: one request in flight per document, newer requests replace queued ones. */
export class TemplateLoaderClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (result: LoaderResult) => void>();

  load(templatePath: string, text: string): Promise<LoaderResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, templatePath, text } satisfies LoaderRequest);
    });
  }

  async dispose(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
    this.removeStateDir();
  }

  /** Inline code the loader writes out goes to a folder of the server's own, removed when it exits. */
  private stateDir: string | undefined;
  private readonly removeStateDir = (): void => {
    if (this.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
    this.stateDir = undefined;
  };

  private start(): Worker {
    if (this.worker) return this.worker;
    if (!this.stateDir) {
      this.stateDir = mkdtempSync(path.join(tmpdir(), 'lambda-lab-language-'));
      process.once('exit', this.removeStateDir);
    }
    const worker = new Worker(__filename, { argv: [WORKER_FLAG], workerData: { stateDir: this.stateDir } });
    worker.unref();
    worker.on('message', (result: LoaderResult) => {
      const resolve = this.pending.get(result.id);
      this.pending.delete(result.id);
      resolve?.(result);
    });
    worker.on('error', (error) => {
      for (const [id, resolve] of this.pending)
        resolve({ id, error: { position: { line: 1, column: 1 }, message: `the template loader failed: ${error.message}` } });
      this.pending.clear();
      this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }
}
