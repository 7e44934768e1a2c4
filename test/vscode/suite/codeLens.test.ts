import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, helloDir, lineOf } from './helpers';

async function lensesOf(file: string): Promise<vscode.CodeLens[]> {
  await api();
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file))) ?? [];
}

describe('CodeLens', () => {
  it('puts Invoke | Debug | Logs above a CommonJS handler export', async () => {
    const file = path.join(helloDir(), 'src', 'hello', 'app.js');
    const lenses = (await lensesOf(file)).filter((l) => l.command?.command.startsWith('lambdaLab.'));
    assert.deepEqual(
      lenses.map((l) => l.command!.title),
      ['$(play) Invoke', '$(debug-alt) Debug', '$(output) Logs'],
    );
    const line = await lineOf(file, 'exports.handler =');
    for (const l of lenses) {
      assert.equal(l.range.start.line, line);
      assert.deepEqual(l.command!.arguments, ['HelloFunction']);
    }
  });

  it('finds the export in TypeScript sources of esbuild functions', async () => {
    const file = path.join(helloDir(), 'src', 'typescript', 'app.ts');
    const lenses = (await lensesOf(file)).filter((l) => l.command?.command === 'lambdaLab.invoke');
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, await lineOf(file, 'export const handler'));
  });

  it('puts none on files no template references', async () => {
    const lenses = (await lensesOf(path.join(helloDir(), 'src', 'typescript', 'orders.ts'))).filter((l) =>
      l.command?.command.startsWith('lambdaLab.'),
    );
    assert.equal(lenses.length, 0);
  });
});
