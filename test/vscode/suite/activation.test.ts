import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, helloDir } from './helpers';

describe('activation', () => {
  it('activates on a workspace with SAM templates and loads them all', async () => {
    const lab = await api();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    const names = lab.templates.templates().map((t) => path.relative(vscode.workspace.workspaceFolders![0].uri.fsPath, t));
    const realWorld = [
      'async-payments',
      'broken',
      'java-orders',
      'main-fields',
      'orders-api',
      'python-orders',
      'ts-esbuild',
      'wrong-case',
    ].map((d) => path.join('real-world', d, 'template.yaml'));
    assert.deepEqual(names.sort(), [path.join('hello', 'template.yaml'), path.join('layered', 'template.yaml'), ...realWorld]);
    const functions = lab.templates.functions(path.join(helloDir(), 'template.yaml')).map((f) => f.functionName);
    assert.deepEqual(functions.sort(), ['ColdStartFunction', 'EsmFunction', 'HelloFunction', 'TypeScriptFunction']);
  });

  it('contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'lambdaLab.invoke',
      'lambdaLab.debug',
      'lambdaLab.openLogs',
      'lambdaLab.toggleInlineLogs',
      'lambdaLab.newEventFromSample',
    ]) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });
});
