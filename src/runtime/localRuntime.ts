// The runtime's front door: load templates, invoke functions, watch environments.
// Extension, CLI, debug adapter and API server all hold one of these.
import type { FunctionConfig, TemplateModel } from './functionConfig';
import { RuntimeEventEmitter, type EnvironmentInfo, type InvokeResult } from './runtimeEvents';
import type {
  DebugController,
  InvokeOptions,
  LayerMaterializer,
  QualifierResolver,
  RuntimeOptions,
} from './runtimeOptions';

export interface LoadTemplateOptions {
  /** SAM `--env-vars` shaped JSON file. */
  envVarsFile?: string;
  parameterOverrides?: Record<string, string>;
}

export class LocalRuntime extends RuntimeEventEmitter {
  constructor(readonly options: RuntimeOptions = {}) {
    super();
  }

  /** Reads a template (replacing the functions it defined before). Throws TemplateError. */
  async loadTemplate(templatePath: string, opts: LoadTemplateOptions = {}): Promise<TemplateModel> {
    throw new Error('not implemented yet');
  }

  /** Every function of every loaded template. */
  functions(): FunctionConfig[] {
    return [];
  }

  /** By logical id or FunctionName (also accepts a function ARN). */
  getFunction(nameOrId: string): FunctionConfig | undefined {
    return undefined;
  }

  /** Synchronous invoke. Function errors resolve (functionError set); service errors reject with LambdaServiceError. */
  async invoke(nameOrId: string, payload: Buffer | string, opts: InvokeOptions = {}): Promise<InvokeResult> {
    throw new Error('not implemented yet');
  }

  environments(nameOrId?: string): EnvironmentInfo[] {
    return [];
  }

  /** Stops the environments of one function (or all). Running invokes fail as on a crash. */
  async stopEnvironments(nameOrId?: string): Promise<void> {}

  /** Mark an environment as debugged: no freezing, timeout suspended while attached. */
  setDebuggerAttached(environmentId: string, attached: boolean): void {}

  addDebugController(controller: DebugController): { dispose(): void } {
    return { dispose() {} };
  }

  setQualifierResolver(resolver: QualifierResolver | undefined): void {}
  setLayerMaterializer(materializer: LayerMaterializer | undefined): void {}

  /** Stops every environment and server; the runtime is unusable afterwards. */
  async dispose(): Promise<void> {}
}
