// A group of commands registered together, released together.
import * as vscode from 'vscode';

/** Handlers by command id (`lambdaLab.invoke`), as package.json declares them. */
export function registerCommands(handlers: Record<string, (...args: never[]) => unknown>): vscode.Disposable {
  const registered = Object.entries(handlers).map(([id, run]) =>
    vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown),
  );
  return vscode.Disposable.from(...registered);
}
