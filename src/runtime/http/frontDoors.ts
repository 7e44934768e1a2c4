// Every HTTP front door of the loaded templates, served: one port per API and one per function
// URL, so each has its own origin as in AWS (CORS between them behaves as deployed). Ports are
// handed out from a base in template order — APIs, then function URLs — so they stay put across
// restarts; base 0 lets the system pick. Template reloads update routes in place; function URLs
// can also be created, changed and deleted at run time (the Lambda API's URL operations).
import type { LocalRuntime } from '../localRuntime';
import type { FunctionUrlSpec } from '../template/httpModel';
import { ApiGatewayServer } from './apiGatewayServer';
import { FunctionUrlServer } from './functionUrlServer';

export interface FrontDoorOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** First port; later front doors take the next ones. 0 = any free port each. Default 3002. */
  port?: number;
}

export const DEFAULT_FRONT_DOOR_PORT = 3002;

export class HttpFrontDoors {
  private readonly apis = new Map<string, ApiGatewayServer>();
  private readonly urls = new Map<string, FunctionUrlServer>();
  /** Keys of the URLs the templates declare (the others were created through the Lambda API). */
  private fromTemplate = new Set<string>();
  private readonly host: string;
  private nextPort: number;
  /** The latest reconciliation with the templates; reloads queue behind it. */
  private syncing: Promise<void> = Promise.resolve();
  private readonly onTemplate = () => {
    this.syncing = this.syncing
      .then(() => this.sync())
      .catch((err: Error) => void this.runtime.emit('diagnostic', { level: 'error', message: err.message }));
  };

  private constructor(
    private readonly runtime: LocalRuntime,
    options: FrontDoorOptions,
  ) {
    this.host = options.host ?? '127.0.0.1';
    this.nextPort = options.port ?? DEFAULT_FRONT_DOOR_PORT;
  }

  static async start(runtime: LocalRuntime, options: FrontDoorOptions = {}): Promise<HttpFrontDoors> {
    const doors = new HttpFrontDoors(runtime, options);
    try {
      await doors.sync();
    } catch (err) {
      await doors.close();
      throw err;
    }
    runtime.on('templateLoaded', doors.onTemplate);
    return doors;
  }

  /** Resolves once servers match the templates loaded so far. */
  settled(): Promise<void> {
    return this.syncing;
  }

  apiServers(): ApiGatewayServer[] {
    return [...this.apis.values()];
  }

  urlServers(): FunctionUrlServer[] {
    return [...this.urls.values()];
  }

  private takePort(): number {
    const port = this.nextPort;
    if (port !== 0) this.nextPort++;
    return port;
  }

  /** `anyPortIfBusy`: URLs created at run time take a free port rather than fail. */
  private async bind(what: string, start: (port: number) => Promise<void>, anyPortIfBusy = false): Promise<void> {
    const port = this.takePort();
    try {
      await start(port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && anyPortIfBusy) return start(0);
      if (code === 'EADDRINUSE')
        throw new Error(`${what}: port ${port} is in use; choose another first port with --http-port (0 picks free ports)`);
      throw err;
    }
  }

  /** Brings servers in line with the loaded templates: new APIs/URLs start, changed ones update, removed ones stop. */
  private async sync(): Promise<void> {
    const models = this.runtime.templateModels();
    const wanted = new Set<string>();
    for (const model of models) {
      for (const api of model.http?.apis ?? []) {
        const key = `${model.templatePath}#${api.logicalId}`;
        wanted.add(key);
        const existing = this.apis.get(key);
        if (existing && existing.config.kind === api.kind) {
          existing.update(api);
          continue;
        }
        await existing?.close();
        const server = new ApiGatewayServer(this.runtime, api);
        await this.bind(`API ${api.logicalId}`, (port) => server.start({ host: this.host, port }));
        this.apis.set(key, server);
      }
    }
    for (const [key, server] of this.apis) {
      if (!wanted.has(key)) {
        this.apis.delete(key);
        await server.close();
      }
    }
    const declared = new Set<string>();
    for (const spec of models.flatMap((m) => m.http?.functionUrls ?? [])) {
      const fn = this.runtime.getFunction(spec.functionId);
      if (!fn) continue;
      const key = urlKey(fn.functionName, spec.qualifier);
      declared.add(key);
      const existing = this.urls.get(key);
      if (existing) existing.spec = spec;
      else await this.addUrl(fn.functionName, spec);
    }
    // URLs the template no longer declares stop; those created through the Lambda API stay.
    for (const key of this.fromTemplate) {
      if (declared.has(key)) continue;
      const server = this.urls.get(key);
      this.urls.delete(key);
      await server?.close();
    }
    this.fromTemplate = declared;
  }

  private async addUrl(functionName: string, spec: FunctionUrlSpec, anyPortIfBusy = false): Promise<FunctionUrlServer> {
    const server = new FunctionUrlServer(this.runtime, spec, functionName);
    await this.bind(`function URL of ${functionName}`, (port) => server.start(this.host, port), anyPortIfBusy);
    this.urls.set(urlKey(functionName, spec.qualifier), server);
    return server;
  }

  getUrl(functionName: string, qualifier?: string): FunctionUrlServer | undefined {
    return this.urls.get(urlKey(functionName, qualifier));
  }

  listUrls(functionName: string): FunctionUrlServer[] {
    return [...this.urls.values()].filter((u) => u.functionName === functionName);
  }

  async createUrl(functionName: string, spec: FunctionUrlSpec): Promise<FunctionUrlServer> {
    return this.addUrl(functionName, spec, true);
  }

  async deleteUrl(functionName: string, qualifier?: string): Promise<boolean> {
    const server = this.urls.get(urlKey(functionName, qualifier));
    if (!server) return false;
    this.urls.delete(urlKey(functionName, qualifier));
    await server.close();
    return true;
  }

  async close(): Promise<void> {
    this.runtime.off('templateLoaded', this.onTemplate);
    await Promise.all([...this.apis.values(), ...this.urls.values()].map((s) => s.close()));
    this.apis.clear();
    this.urls.clear();
  }
}

function urlKey(functionName: string, qualifier: string | undefined): string {
  return `${functionName}:${qualifier ?? ''}`;
}
