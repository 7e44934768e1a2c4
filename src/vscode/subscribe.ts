// Subscribes to one typed runtime event and hands back a Disposable, so every view can
// unsubscribe with the rest of its disposables.
import type * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { RuntimeEvents } from '../runtime/runtimeEvents';

export function subscribe<K extends keyof RuntimeEvents>(
  runtime: LocalRuntime,
  event: K,
  handler: (...args: RuntimeEvents[K]) => void,
): vscode.Disposable {
  const listener = handler as (...args: unknown[]) => void;
  (runtime as unknown as NodeJS.EventEmitter).on(event, listener);
  return { dispose: () => (runtime as unknown as NodeJS.EventEmitter).off(event, listener) };
}
