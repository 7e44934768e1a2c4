// F5 and the Debug buttons: the `lambda-lab` debug adapter runs inline in the extension
// host and shares the extension's runtime, so a session sees every environment of its
// functions whoever invokes them (sidebar, CodeLens, CLI, SDK, function URL).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PythonAwareDebugSession as LambdaDebugSession } from '../debug/python/pythonDebugSession';
import { defaultTemplateFor, type RuntimeHost } from '../debug/runtimeHost';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { DEBUG_TYPE, type LambdaDebugConfiguration } from './debugConfigurations';
import { shownName } from './functionNames';
import type { Invoker } from './invoker';
import type { TemplateWorkspace } from './templateWorkspace';

export interface Debugging extends vscode.Disposable {
  /** Starts (or reuses) a session that debugs every invoke of `fn`, then invokes it with its default event. */
  debugFunction(fn: FunctionConfig): Promise<vscode.DebugSession | undefined>;
}

/** Hands the adapter the extension's own runtime, loading the template it asks for if needed. */
class SharedRuntimeHost implements RuntimeHost {
  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
  ) {}

  async getRuntime(templatePath: string | undefined, opts: { envVarsFile?: string; cwd?: string }): Promise<LocalRuntime> {
    await this.templates.ready();
    const template = path.resolve(templatePath ?? defaultTemplateFor(opts.cwd ?? process.cwd()));
    if (!this.templates.model(template) || opts.envVarsFile) await this.templates.load(template, opts.envVarsFile);
    return this.runtime;
  }
  // No dispose(): the runtime outlives sessions; deactivate disposes it.
}

export function registerDebugging(runtime: LocalRuntime, templates: TemplateWorkspace, invoker: Invoker): Debugging {
  const host = new SharedRuntimeHost(runtime, templates);
  /** Sessions whose launch/attach succeeded: only then is the adapter watching new environments. */
  const ready = new Map<string, { session: vscode.DebugSession; launched: Promise<boolean>; settle: (ok: boolean) => void }>();
  const entry = (session: vscode.DebugSession) => {
    let e = ready.get(session.id);
    if (!e) {
      let settle!: (ok: boolean) => void;
      const launched = new Promise<boolean>((resolve) => (settle = resolve));
      ready.set(session.id, (e = { session, launched, settle }));
    }
    return e;
  };

  const disposables = [
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () =>
        new vscode.DebugAdapterInlineImplementation(new LambdaDebugSession(host) as unknown as vscode.DebugAdapter),
    }),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; command?: string; success?: boolean }) => {
          if (m.type === 'response' && (m.command === 'launch' || m.command === 'attach')) entry(session).settle(m.success === true);
        },
        onExit: () => entry(session).settle(false),
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      ready.get(s.id)?.settle(false);
      ready.delete(s.id);
    }),
  ];

  /** A running session that keeps debugging `fn`'s invokes. */
  const covering = (fn: FunctionConfig) =>
    [...ready.values()].find(({ session }) => {
      const c = session.configuration as LambdaDebugConfiguration;
      if (session.type !== DEBUG_TYPE || (c.template && path.resolve(c.template) !== fn.templatePath)) return false;
      const names = [fn.logicalId, fn.functionName];
      if (c.request === 'attach') return c.functions === undefined || c.functions === 'all' || c.functions.some((f) => names.includes(f));
      return c.invocations === 0 && c.function !== undefined && names.includes(c.function);
    });

  return {
    async debugFunction(fn) {
      let e = covering(fn);
      if (!e) {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(fn.templatePath));
        const config: LambdaDebugConfiguration = {
          type: DEBUG_TYPE,
          request: 'launch',
          name: `Debug ${shownName(fn)}`,
          template: fn.templatePath,
          function: fn.logicalId,
          invocations: 0, // stays open: this invoke and later ones (any source) stop at breakpoints
        };
        const started = new Promise<vscode.DebugSession>((resolve) => {
          const sub = vscode.debug.onDidStartDebugSession((s) => {
            if (s.type !== DEBUG_TYPE || s.configuration.function !== fn.logicalId) return;
            sub.dispose();
            resolve(s);
          });
        });
        if (!(await vscode.debug.startDebugging(folder, config))) return undefined;
        e = entry(await started);
      }
      if (!(await e.launched)) return undefined; // the adapter reported why
      void invoker.invoke(fn);
      return e.session;
    },
    dispose() {
      for (const d of disposables) d.dispose();
    },
  };
}
