import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, helloDir } from './helpers';

describe('debug configurations', () => {
  it('offers a lambda-lab configuration per function', async () => {
    const { debugConfigurations } = await api();
    const folder = vscode.workspace.workspaceFolders![0];
    const configs = await debugConfigurations.provideDebugConfigurations(folder);
    const hello = configs.find((c) => c.function === 'HelloFunction');
    assert.deepEqual(hello, {
      type: 'lambda-lab',
      request: 'launch',
      name: 'Debug HelloFunction',
      template: '${workspaceFolder}/hello/template.yaml',
      function: 'HelloFunction',
      event: '${workspaceFolder}/hello/events/hello.json',
    });
    assert.equal(configs.length, 14, 'every runnable function of every template');
  });

  it('with no launch.json, F5 in a handler file debugs that function', async () => {
    const { debugConfigurations } = await api();
    const folder = vscode.workspace.workspaceFolders![0];
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(helloDir(), 'src', 'esm', 'index.mjs')));
    const resolved = await debugConfigurations.resolveDebugConfiguration(folder, { type: '', request: '', name: '' });
    assert.equal(resolved?.function, 'EsmFunction');
    assert.equal(resolved?.event, '${workspaceFolder}/hello/events/esm.json', 'with the event saved for it');
  });

  it('asks for a template when a configuration omits it and several exist', async () => {
    const { debugConfigurations } = await api();
    const resolved = await debugConfigurations.resolveDebugConfiguration(vscode.workspace.workspaceFolders![0], {
      type: 'lambda-lab',
      request: 'launch',
      name: 'no template',
    });
    assert.equal(resolved, undefined);
  });
});
