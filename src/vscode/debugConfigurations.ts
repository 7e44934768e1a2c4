// `lambda-lab` debug configurations: offered for every function (initial and dynamic),
// completed when launch.json leaves things out, and made up from the handler file in the
// active editor when F5 runs with no launch.json at all. The attributes are the adapter's
// (src/debug/launchConfig.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { EventStore } from './eventStore';
import { shownName } from './functionNames';
import { locateHandler } from './handlerLocator';
import type { TemplateWorkspace } from './templateWorkspace';

export const DEBUG_TYPE = 'lambda-lab';

export interface LambdaDebugConfiguration extends vscode.DebugConfiguration {
  request: 'launch' | 'attach';
  template?: string;
  /** launch: logical id or FunctionName. */
  function?: string;
  /** attach: the functions to debug, or all. */
  functions?: string[] | 'all';
  event?: string;
  invocations?: number;
  envVars?: string;
  cwd?: string;
}

/** A path as launch.json should hold it: relative to `${workspaceFolder}` when inside it. */
function portable(file: string, folder: vscode.WorkspaceFolder | undefined): string {
  if (!folder || !file.startsWith(folder.uri.fsPath + path.sep)) return file;
  return `\${workspaceFolder}/${path.relative(folder.uri.fsPath, file).split(path.sep).join('/')}`;
}

export class DebugConfigurations implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly templates: TemplateWorkspace,
    private readonly events: EventStore,
  ) {}

  /** F5 configuration for `fn`: invoke it once with its default event (or `{}`). */
  configurationFor(fn: FunctionConfig, folder: vscode.WorkspaceFolder | undefined): LambdaDebugConfiguration {
    const event = this.events.defaultEvent(fn, this.templates.functions(fn.templatePath));
    return {
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Debug ${shownName(fn)}`,
      template: portable(fn.templatePath, folder),
      function: fn.logicalId,
      ...(event ? { event: portable(event.file, folder) } : {}),
    };
  }

  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<LambdaDebugConfiguration[]> {
    await this.templates.ready();
    return this.templates
      .functions()
      .filter((fn) => !folder || fn.templatePath.startsWith(folder.uri.fsPath + path.sep))
      .map((fn) => this.configurationFor(fn, folder));
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
      if (fn) return this.configurationFor(fn, folder);
      void vscode.window.showErrorMessage(
        'Lambda Lab: open a handler file of a function in a SAM template (or add a "lambda-lab" configuration to launch.json) to debug it with F5.',
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
}
