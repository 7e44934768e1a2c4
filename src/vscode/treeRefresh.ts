// A tree view's change event, fired once per burst: environment churn, publishing and log
// writes come in bursts, and each repaint of a tree costs the user a flicker.
import * as vscode from 'vscode';

export class TreeRefresh<T> implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<T | undefined>();
  readonly event = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs: number) {}

  /** Repaints the whole tree once the burst is over. */
  soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emitter.fire(undefined), this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.emitter.dispose();
  }
}
