import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually } from './helpers';

describe('a broken template', () => {
  it('shows a problem at its position while the views keep the last good functions', async () => {
    const lab = await api();
    const template = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'layered', 'template.yaml');
    const good = readFileSync(template, 'utf8');
    try {
      writeFileSync(template, good.replace('Handler: index.handler', 'Handler: [index.handler'));
      const problems = await eventually('a problem in layered/template.yaml', () => {
        const d = vscode.languages.getDiagnostics(vscode.Uri.file(template)).filter((x) => x.source === 'Lambda Lab');
        return d.length ? d : undefined;
      });
      assert.equal(problems[0].severity, vscode.DiagnosticSeverity.Error);
      assert.ok(problems[0].range.start.line > 0, `the problem has a position: line ${problems[0].range.start.line + 1}`);
      assert.ok(
        lab.templates.functions(template).some((f) => f.functionName === 'LayeredFunction'),
        'the last good state stays',
      );
    } finally {
      writeFileSync(template, good);
    }
    await eventually('the problem to clear', () =>
      vscode.languages.getDiagnostics(vscode.Uri.file(template)).length === 0 ? true : undefined,
    );
  });
});
