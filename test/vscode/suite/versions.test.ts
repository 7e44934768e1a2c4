import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AliasRecord, PublishedVersion } from '../../../src/runtime/versions/versionStore';
import type { InvokeOutcome } from '../../../src/vscode/invoker';
import type { VersionsNode } from '../../../src/vscode/versionsTree';
import { api, eventually, helloDir } from './helpers';

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : item.label?.label);

/** The Versions view's children of `functionName`. */
async function versionNodes(functionName: string): Promise<VersionsNode[]> {
  const { versionsTree: tree } = await api();
  const fn = (await tree.getChildren()).find((n) => n.fn.functionName === functionName);
  assert.ok(fn, `${functionName} missing from the Versions view`);
  return tree.getChildren(fn);
}

async function nodeLabelled(functionName: string, text: string): Promise<VersionsNode> {
  const { versionsTree: tree } = await api();
  const node = (await versionNodes(functionName)).find((n) => label(tree.getTreeItem(n)) === text);
  assert.ok(node, `no "${text}" under ${functionName} in the Versions view`);
  return node;
}

const publish = (description: string) =>
  vscode.commands.executeCommand<PublishedVersion>('lambdaLab.publishVersion', 'EsmFunction', description);

// EsmFunction prices orders in config.json's currency: EUR as published first, USD after an edit,
// so each result shows which version's code ran.
describe('versions and aliases', function () {
  this.timeout(60_000);
  const configFile = () => path.join(helloDir(), 'src', 'esm', 'config.json');
  let original: string;

  before(() => {
    original = readFileSync(configFile(), 'utf8');
  });

  after(() => {
    writeFileSync(configFile(), original);
  });

  it('Publish Version adds the version (number, description, date, code hash) to the Versions view', async () => {
    const v1 = await publish('EUR prices');
    assert.equal(v1.version, '1');
    const { versionsTree: tree } = await api();
    const nodes = await versionNodes('EsmFunction');
    assert.deepEqual(
      nodes.map((n) => label(tree.getTreeItem(n))),
      ['$LATEST', '1'],
    );
    const description = String(tree.getTreeItem(nodes[1]).description);
    assert.match(description, /^EUR prices · \d{4}-\d\d-\d\d \d\d:\d\d · sha256 /);
    assert.ok(description.includes(v1.codeSha256.slice(0, 8)), description);
    assert.match(String(tree.getTreeItem(nodes[0]).description), /code as version 1/);
  });

  it('an alias with a weighted second version shows both versions and their shares', async () => {
    writeFileSync(configFile(), original.replace('"EUR"', '"USD"'));
    const v2 = await publish('USD prices');
    assert.equal(v2.version, '2', 'the edited config.json makes a new version');
    const alias = await vscode.commands.executeCommand<AliasRecord>('lambdaLab.createAlias', 'EsmFunction', {
      name: 'live',
      functionVersion: '1',
      split: { version: '2', weight: 0.3 },
    });
    assert.deepEqual(alias.routingConfig, { AdditionalVersionWeights: { 2: 0.3 } });
    const { versionsTree: tree } = await api();
    const nodes = await versionNodes('EsmFunction');
    assert.deepEqual(
      nodes.map((n) => label(tree.getTreeItem(n))),
      ['$LATEST', '2', '1', 'live'],
    );
    assert.equal(tree.getTreeItem(nodes[3]).description, '→ 1 (70%) · 2 (30%)');
    assert.match(String(tree.getTreeItem(nodes[0]).description), /code as version 2/);
  });

  it('invoking the alias opens a result that says which version ran', async () => {
    const live = await nodeLabelled('EsmFunction', 'live');
    for (let i = 0; i < 3; i++) {
      const outcome = await vscode.commands.executeCommand<InvokeOutcome>('lambdaLab.invokeVersion', live);
      assert.ok(outcome?.document, 'no result document');
      const ran = outcome.result.version;
      assert.ok(ran === '1' || ran === '2', `alias live ran version ${ran}`);
      assert.match(outcome.document.getText(), new RegExp(`^// EsmFunction:live · ${ran} · `));
      const body = JSON.parse((JSON.parse(outcome.result.payload.toString()) as { body: string }).body) as { currency: string };
      assert.equal(body.currency, ran === '1' ? 'EUR' : 'USD', `version ${ran} ran the other version's code`);
    }
  });

  it('Compare with $LATEST opens a diff of the published file and the current source', async () => {
    const v1 = await nodeLabelled('EsmFunction', '1');
    await vscode.commands.executeCommand('lambdaLab.compareWithLatest', v1, 'config.json');
    const diff = await eventually('the diff editor', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    });
    assert.equal(diff.original.scheme, 'lambda-lab-file', 'the published side is read-only');
    assert.equal(diff.modified.fsPath, configFile());
    assert.match((await vscode.workspace.openTextDocument(diff.original)).getText(), /"EUR"/);
    assert.match((await vscode.workspace.openTextDocument(diff.modified)).getText(), /"USD"/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Update Alias removes the split; an alias made from a version points at it; Delete Alias removes them', async () => {
    const { versionsTree: tree } = await api();
    const updated = await vscode.commands.executeCommand<AliasRecord>('lambdaLab.updateAlias', await nodeLabelled('EsmFunction', 'live'), {
      functionVersion: '2',
      split: null,
    });
    assert.equal(updated.functionVersion, '2');
    assert.equal(tree.getTreeItem(await nodeLabelled('EsmFunction', 'live')).description, '→ 2');
    const beta = await vscode.commands.executeCommand<AliasRecord>('lambdaLab.createAlias', await nodeLabelled('EsmFunction', '1'), {
      name: 'beta',
      split: null,
    });
    assert.equal(beta.functionVersion, '1', "an alias created from a version's menu points at that version");
    assert.equal(await vscode.commands.executeCommand('lambdaLab.deleteAlias', await nodeLabelled('EsmFunction', 'beta'), true), true);
    assert.equal(await vscode.commands.executeCommand('lambdaLab.deleteAlias', await nodeLabelled('EsmFunction', 'live'), true), true);
    assert.deepEqual(
      (await versionNodes('EsmFunction')).map((n) => n.kind),
      ['latest', 'version', 'version'],
    );
  });

  it('a version with provisioned concurrency shows its figures and status, and loses them when the configuration goes', async () => {
    const { versionsTree: tree, deployments, runtime } = await api();
    const fn = runtime.getFunction('EsmFunction')!;
    const { provisioned } = await deployments.forFunction(fn);
    await provisioned.put(fn, '1', 1);
    const description = async () => String(tree.getTreeItem(await nodeLabelled('EsmFunction', '1')).description);
    await eventually('version 1 shown READY', async () => (await description()).endsWith(' · provisioned 1 · READY'));
    const tooltip = tree.getTreeItem(await nodeLabelled('EsmFunction', '1')).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /\| Status \| READY \|[\s\S]*\| Allocated \| 1 \|[\s\S]*\| Available \| 1 \|/);
    await provisioned.delete(fn, '1');
    await eventually('version 1 shown without provisioned concurrency', async () => !(await description()).includes('provisioned'));
  });
});
