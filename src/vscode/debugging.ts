// F5 and the Debug buttons: the `lambda-lab` debug adapter runs inline in the extension
// host and shares the extension's runtime, so a session sees every environment of its
// functions whoever invokes them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { configurationFor, DEBUG_TYPE, type LambdaDebugConfiguration } from './debugConfigurations';
import type { Invoker } from './invoker';
import type { TemplateWorkspace } from './templateWorkspace';

export interface Debugging extends vscode.Disposable {
  /** Starts (or reuses) a session covering `fn`, then invokes it with its default event. */
  debugFunction(fn: FunctionConfig): Promise<vscode.DebugSession | undefined>;
}

export function registerDebugging(runtime: LocalRuntime, templates: TemplateWorkspace, invoker: Invoker): Debugging {
  const sessions = new Set<vscode.DebugSession>();
  const disposables = [
    vscode.debug.onDidStartDebugSession((s) => s.type === DEBUG_TYPE && sessions.add(s)),
    vscode.debug.onDidTerminateDebugSession((s) => sessions.delete(s)),
  ];

  const covering = (fn: FunctionConfig) =>
    [...sessions].find((s) => {
      const c = s.configuration as LambdaDebugConfiguration;
      const sameTemplate = !c.template || path.resolve(c.template) === fn.templatePath;
      return sameTemplate && (!c.functionName || c.functionName === fn.logicalId || c.functionName === fn.functionName);
    });

  return {
    async debugFunction(fn) {
      let session = covering(fn);
      if (!session) {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(fn.templatePath));
        const started = new Promise<vscode.DebugSession>((resolve) => {
          const sub = vscode.debug.onDidStartDebugSession((s) => {
            if (s.type !== DEBUG_TYPE) return;
            sub.dispose();
            resolve(s);
          });
        });
        if (!(await vscode.debug.startDebugging(folder, configurationFor(fn, folder)))) return undefined;
        session = await started;
      }
      void invoker.invoke(fn);
      return session;
    },
    dispose() {
      for (const d of disposables) d.dispose();
      void runtime; // the adapter factory registered here shares it (see registerAdapter)
      void templates;
    },
  };
}
