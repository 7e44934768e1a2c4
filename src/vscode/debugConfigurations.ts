// `lambda-lab` debug configurations: offered for every function (initial and dynamic),
// completed when launch.json leaves things out, and made up from the handler file in the
// active editor when F5 runs with no launch.json at all.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import { locateHandler } from './handlerLocator';
import type { TemplateWorkspace } from './templateWorkspace';

export const DEBUG_TYPE = 'lambda-lab';

export interface LambdaDebugConfiguration extends vscode.DebugConfiguration {
  request: 'launch' | 'attach';
  template?: string;
  functionName?: string;
  event?: string;
  envVarsFile?: string;
  cwd?: string;
}

export function configurationFor(fn: FunctionConfig, folder: vscode.WorkspaceFolder | undefined): LambdaDebugConfiguration {
  const template = folder ? `\${workspaceFolder}/${path.relative(folder.uri.fsPath, fn.templatePath).split(path.sep).join('/')}` : fn.templatePath;
  return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${fn.functionName}`, template, functionName: fn.logicalId };
}

export class DebugConfigurations implements vscode.DebugConfigurationProvider {
  constructor(private readonly templates: TemplateWorkspace) {}

  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<LambdaDebugConfiguration[]> {
    await this.templates.ready();
    return this.templates
      .functions()
      .filter((fn) => !folder || fn.templatePath.startsWith(folder.uri.fsPath + path.sep))
      .map((fn) => configurationFor(fn, folder));
  }

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    await this.templates.ready();
    if (!config.type && !config.request && !config.name) {
      // F5 without launch.json: debug the function whose handler is in the active editor.
      const file = vscode.window.activeTextEditor?.document.uri.fsPath;
      const fn = file ? this.templates.functions().find((f) => locateHandler(f)?.file === file) : undefined;
      if (fn) return configurationFor(fn, folder);
      const templates = this.templates.templates();
      if (templates.length === 1) return { type: DEBUG_TYPE, request: 'launch', name: 'Debug Lambda functions', template: templates[0] };
      void vscode.window.showErrorMessage(
        'Lambda Lab: open a handler file (or add a "lambda-lab" configuration to launch.json) to debug a function: ' +
          (templates.length ? `${templates.length} templates found, which one is meant is unclear.` : 'no SAM template found in the workspace.'),
      );
      return undefined;
    }
    const resolved = { ...config } as LambdaDebugConfiguration;
    resolved.request ??= 'launch';
    if (!resolved.template) {
      const templates = this.templates.templates();
      if (templates.length !== 1) {
        void vscode.window.showErrorMessage(
          `Lambda Lab: debug configuration "${config.name}" needs a "template" (path of the SAM template): ${templates.length || 'no'} templates in the workspace.`,
        );
        return undefined;
      }
      resolved.template = templates[0];
    }
    resolved.cwd ??= folder?.uri.fsPath;
    return resolved;
  }

  /** Relative paths are resolved against the workspace folder once variables are substituted. */
  resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration {
    const base = (config.cwd as string | undefined) ?? folder?.uri.fsPath ?? process.cwd();
    const abs = (p: unknown) => (typeof p === 'string' && p ? path.resolve(base, p) : undefined);
    return { ...config, template: abs(config.template), event: abs(config.event), envVarsFile: abs(config.envVarsFile) };
  }
}
