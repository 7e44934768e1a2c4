// Makes `file:line:column` locations in log documents and error results clickable, landing
// in the user's source (through source maps for built TypeScript).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as vscode from 'vscode';
import { LOCATION_PATTERN, toSource } from './sourceLocations';

export class LocationLinks implements vscode.DocumentLinkProvider {
  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    const links: vscode.DocumentLink[] = [];
    const text = doc.getText();
    for (const m of text.matchAll(LOCATION_PATTERN)) {
      const file = m[0].startsWith('file://') ? fileURLToPath(m[0].replace(/:\d+(?::\d+)?$/, '')) : m[1];
      if (!existsSync(file)) continue;
      const at = toSource({ file, line: Number(m[2]), column: Number(m[3] ?? 1) });
      const start = doc.positionAt(m.index);
      const range = new vscode.Range(start, doc.positionAt(m.index + m[0].length));
      const link = new vscode.DocumentLink(range, vscode.Uri.file(at.file).with({ fragment: `L${at.line},${at.column}` }));
      link.tooltip = `Open ${vscode.workspace.asRelativePath(at.file)}:${at.line}`;
      links.push(link);
    }
    return links;
  }
}
