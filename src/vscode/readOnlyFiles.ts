// Files that must not be edited (published version snapshots, layer versions) open through
// this read-only document scheme; a missing file reads as empty (one side of a diff).
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';

export const READONLY_SCHEME = 'lambda-lab-file';

export function readOnlyUri(file: string): vscode.Uri {
  return vscode.Uri.file(file).with({ scheme: READONLY_SCHEME });
}

export class ReadOnlyFiles implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const data = await readFile(uri.fsPath).catch(() => undefined);
    if (!data) return '';
    if (data.subarray(0, 8000).includes(0)) return `// ${uri.fsPath} is a binary file (${data.length} bytes).\n`;
    return data.toString('utf8');
  }
}
