import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LayersNode } from '../../../src/vscode/layersTree';
import { api } from './helpers';

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : item.label?.label);

describe('layers view', () => {
  it("lists the layered template's layer: its version, its file tree and the function using it", async () => {
    const { layersTree: tree } = await api();
    const [greeting] = await tree.getChildren();
    assert.equal(label(tree.getTreeItem(greeting)), 'greeting');
    const [version, users] = await tree.getChildren(greeting);
    assert.equal(version.kind, 'layerVersion');
    assert.equal(label(tree.getTreeItem(version)), 'Version 1');
    assert.match(String(tree.getTreeItem(version).description), /^latest · .* · sha256 /);
    assert.deepEqual(
      (await tree.getChildren(users)).map((n) => label(tree.getTreeItem(n))),
      ['LayeredFunction'],
    );

    const top = await tree.getChildren(version);
    assert.deepEqual(
      top.map((n) => label(tree.getTreeItem(n))),
      ['nodejs'],
    );
    const files = await tree.getChildren(top[0]);
    assert.deepEqual(
      files.map((n) => label(tree.getTreeItem(n))),
      ['greeting.js'],
    );

    const open = tree.getTreeItem(files[0]).command;
    assert.equal(open?.command, 'vscode.open');
    const uri = open.arguments![0] as vscode.Uri;
    assert.equal(uri.scheme, 'lambda-lab-file', 'layer files open read-only');
    const doc = await vscode.workspace.openTextDocument(uri);
    const source = await vscode.workspace.fs.readFile(vscode.Uri.file((files[0] as Extract<LayersNode, { kind: 'file' }>).file));
    assert.ok(doc.getText().length > 0);
    assert.equal(doc.getText(), Buffer.from(source).toString('utf8'));
  });
});
