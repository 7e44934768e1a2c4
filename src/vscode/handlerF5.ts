// F5 in a handler file debugs that function straight away. Without launch.json VS Code would
// first ask which debugger to use (Node.js and Lambda Lab both debug JavaScript); a keybinding
// on F5, active only in handler files of workspaces with no launch configurations, starts the
// same configuration the `lambda-lab` provider makes for the file.
import * as vscode from 'vscode';
import type { DebugConfigurations } from './debugConfigurations';
import { locateHandler } from './handlerLocator';
import type { TemplateWorkspace } from './templateWorkspace';

export const HANDLER_FILE_CONTEXT = 'lambdaLab.handlerFile';
export const LAUNCH_CONFIGURATIONS_CONTEXT = 'lambdaLab.hasLaunchConfigurations';

export function registerHandlerF5(templates: TemplateWorkspace, configurations: DebugConfigurations): vscode.Disposable {
  const functionOfEditor = (editor = vscode.window.activeTextEditor) => {
    const file = editor?.document.uri.scheme === 'file' ? editor.document.uri.fsPath : undefined;
    return file ? templates.functions().find((f) => locateHandler(f)?.file === file) : undefined;
  };
  const update = () => {
    void vscode.commands.executeCommand('setContext', HANDLER_FILE_CONTEXT, functionOfEditor() !== undefined);
    const launch = (vscode.workspace.workspaceFolders ?? []).some(
      (f) => (vscode.workspace.getConfiguration('launch', f.uri).get<unknown[]>('configurations') ?? []).length > 0,
    );
    void vscode.commands.executeCommand('setContext', LAUNCH_CONFIGURATIONS_CONTEXT, launch);
  };
  update();
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor(update),
    templates.onDidChange(update),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('launch') && update()),
    vscode.commands.registerCommand('lambdaLab.debugHandlerFile', async () => {
      const fn = functionOfEditor();
      if (!fn) return false;
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(fn.templatePath));
      return vscode.debug.startDebugging(folder, configurations.configurationFor(fn, folder));
    }),
  );
}
