// Small formatting helpers shared by the tree views and the status bar.
import * as vscode from 'vscode';

export const okIcon = new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
export const failedIcon = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
export const runningIcon = new vscode.ThemeIcon('sync~spin');

export function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '';
  return value < 10 ? `${value.toFixed(2)} ms` : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

export function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour12: false });
}

/** Lambda stream names are `2026/11/27/[$LATEST]<32 hex>`; the tail is enough to tell them apart. */
export function shortStream(logStreamName: string): string {
  const m = /\[([^\]]+)\]([0-9a-f]+)$/i.exec(logStreamName);
  return m ? `[${m[1]}] ${m[2].slice(0, 8)}` : logStreamName;
}

/** Escapes text for a MarkdownString table cell. */
export function cell(text: string): string {
  return text.replace(/[|\\`*_{}[\]<>]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}
