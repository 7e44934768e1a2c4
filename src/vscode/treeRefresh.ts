// A tree view's change event, fired once per burst: environment churn, publishing and log
// writes come in bursts, and each repaint of a tree costs the user a flicker.
//
// A tree that names its top rows (`top`) is repainted in place while they stay the same rows:
// the rows it handed out are updated and fired as the changed elements. A whole-tree refresh
// makes VS Code's extension host forget every row, and a row the user expands meanwhile asks for
// the children of a row no longer known: it stays open and empty until collapsed. The whole tree
// is refreshed only when the top rows themselves change.
import * as vscode from 'vscode';

export interface TopRows<T> {
  /** The top rows as they are now. */
  rows(): T[];
  /** What a row stands for (the same key: the same row, its content maybe changed). */
  keyOf(row: T): string;
}

export class TreeRefresh<T> implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<T[] | undefined>();
  readonly event = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  /** The top rows last handed out, with their keys joined. */
  private painted: { rows: T[]; key: string } | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly top?: TopRows<T>,
  ) {}

  /** For getChildren() of the root: the top rows, remembered for repaints in place. */
  roots(): T[] {
    const rows = this.top!.rows();
    this.painted = { rows, key: this.keyOf(rows) };
    return rows;
  }

  /** Repaints once the burst is over. */
  soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.delayMs);
  }

  private fire(): void {
    const painted = this.painted;
    if (this.top && painted) {
      const rows = this.top.rows();
      if (this.keyOf(rows) === painted.key) {
        painted.rows.forEach((row, i) => repaint(row as Record<string, unknown>, rows[i] as Record<string, unknown>));
        this.emitter.fire(painted.rows);
        return;
      }
    }
    this.painted = undefined;
    this.emitter.fire(undefined);
  }

  private keyOf(rows: T[]): string {
    return rows.map((row) => this.top!.keyOf(row)).join('\n');
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.emitter.dispose();
  }
}

/** Makes a handed-out row the row as it is now, keeping its identity (VS Code knows rows by it). */
function repaint(row: Record<string, unknown>, now: Record<string, unknown>): void {
  for (const key of Object.keys(row)) if (!(key in now)) delete row[key];
  Object.assign(row, now);
}
