// What menus, CodeLens, tree items and tests pass to commands — a tree node, a function name, or
// nothing — resolved to the function meant, asking the user when nothing says which.
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { deployedName, shownName } from './functionNames';
import type { FunctionsNode } from './functionsTree';
import { locateHandler } from './handlerLocator';
import type { LogsNode } from './logsTree';
import type { TemplateWorkspace } from './templateWorkspace';

export type FunctionResolver = (arg: unknown) => Promise<FunctionConfig | undefined>;

export type TreeNode = FunctionsNode | LogsNode;

export function isTreeNode(arg: unknown): arg is TreeNode {
  return typeof arg === 'object' && arg !== null && 'kind' in arg;
}

/** The request id of an invocation node, from the Functions view's history or the Logs view. */
export function requestIdOf(node: TreeNode): string | undefined {
  if (node.kind !== 'invocation') return undefined;
  return 'info' in node.invocation ? node.invocation.info.requestId : node.invocation.requestId;
}

/**
 * A name or node names its function (an unknown or unsupported one is reported); without one,
 * the function whose handler file is open in the editor, else the one the user picks.
 */
export function functionResolver(runtime: LocalRuntime, templates: TemplateWorkspace): FunctionResolver {
  return async (arg) => {
    const name =
      typeof arg === 'string'
        ? arg
        : isTreeNode(arg) && 'fn' in arg
          ? arg.fn.functionName
          : isTreeNode(arg) && 'functionName' in arg
            ? arg.functionName
            : undefined;
    if (name) {
      const fn = runtime.getFunction(name);
      const unsupported = fn ? undefined : templates.unsupported().find((u) => u.functionName === name || u.logicalId === name);
      if (unsupported) {
        void vscode.window.showErrorMessage(
          `Lambda Lab: ${unsupported.logicalId} (${unsupported.templatePath}) cannot run locally: ${unsupported.reason}`,
        );
      } else if (!fn) {
        void vscode.window.showErrorMessage(
          `Lambda Lab: no function "${name}" in the loaded templates (${templates.templates().join(', ') || 'none found'}).`,
        );
      }
      return fn;
    }
    await templates.ready();
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const here = file && templates.functions().find((f) => locateHandler(f)?.file === file);
    if (here) return here;
    const pick = await vscode.window.showQuickPick(
      templates.functions().map((fn) => ({
        label: shownName(fn),
        description: [deployedName(fn), fn.runtime, vscode.workspace.asRelativePath(fn.templatePath)].filter(Boolean).join(' · '),
        fn,
      })),
      { title: 'Lambda Lab: pick a function' },
    );
    return pick?.fn;
  };
}
