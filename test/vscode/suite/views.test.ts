import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionsNode } from '../../../src/vscode/functionsTree';
import { api, helloDir } from './helpers';

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : item.label?.label);

describe('tree views', () => {
  it('Functions: groups by template, lists functions with runtime, handler, events and invocations', async () => {
    const { functionsTree: tree } = await api();
    const roots = tree.getChildren();
    assert.deepEqual(
      roots.map((r) => r.kind),
      Array(10).fill('template'),
      'every template is a group, the broken one included',
    );
    const hello = roots.find((r) => r.kind === 'template' && r.templatePath === path.join(helloDir(), 'template.yaml'))!;
    const functions = tree.getChildren(hello);
    assert.deepEqual(functions.map((n) => label(tree.getTreeItem(n))).sort(), [
      'ColdStartFunction',
      'EsmFunction',
      'HelloFunction',
      'TypeScriptFunction',
    ]);

    const fnNode = functions.find((n) => label(tree.getTreeItem(n)) === 'HelloFunction')!;
    const item = tree.getTreeItem(fnNode);
    assert.match(String(item.description), /^nodejs20\.x/);
    assert.equal(item.contextValue, 'function');
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    for (const fact of ['256 MB', '10 s', 'app.handler', 'GREETING'])
      assert.ok(tooltip.includes(fact), `tooltip lacks ${fact}: ${tooltip}`);

    const children = tree.getChildren(fnNode);
    assert.deepEqual(
      children.map((c) => c.kind),
      ['handler', 'routes', 'events', 'invocations'],
    );
    const handler = children[0] as Extract<FunctionsNode, { kind: 'handler' }>;
    assert.equal(handler.location.file, path.join(helloDir(), 'src', 'hello', 'app.js'));
    const events = tree.getChildren(children[2]).map((n) => label(tree.getTreeItem(n))!);
    assert.ok(events.includes('hello'), `events: ${events}`);
    assert.ok(
      events.every((e) => e.startsWith('hello')),
      `events/hello*.json belong to HelloFunction, the others not: ${events}`,
    );

    const ts = functions.find((n) => label(tree.getTreeItem(n)) === 'TypeScriptFunction')!;
    const tsHandler = tree.getChildren(ts)[0] as Extract<FunctionsNode, { kind: 'handler' }>;
    assert.equal(tsHandler.location.file, path.join(helloDir(), 'src', 'typescript', 'app.ts'), 'esbuild functions open their .ts source');
    const tsEvents = tree.getChildren(tree.getChildren(ts).find((n) => n.kind === 'events')!).map((n) => label(tree.getTreeItem(n)));
    assert.ok(tsEvents.includes('typescript') && tsEvents.includes('typescript-crash'), `events: ${tsEvents}`);
  });

  it('Versions: $LATEST first for every function', async () => {
    const { versionsTree: tree } = await api();
    const roots = await tree.getChildren();
    assert.ok(roots.length >= 5, `expected every function, got ${roots.length}`);
    const versions = (await tree.getChildren(roots[0])).map((n) => label(tree.getTreeItem(n)));
    assert.equal(versions[0], '$LATEST');
  });

  it('Layers: template layers with their versions and the functions using them', async () => {
    const { layersTree: tree } = await api();
    const roots = await tree.getChildren();
    assert.deepEqual(
      roots.map((n) => label(tree.getTreeItem(n))),
      ['greeting', 'audit'],
    );
    const children = await tree.getChildren(roots[0]);
    assert.deepEqual(
      children.map((n) => n.kind),
      ['layerVersion', 'users'],
    );
    assert.deepEqual(
      (await tree.getChildren(children[1])).map((n) => label(tree.getTreeItem(n))),
      ['LayeredFunction'],
    );
  });

  it('Logs: one entry per function before anything ran', async () => {
    const { logsTree: tree } = await api();
    const roots = await tree.getChildren();
    const names = roots.map((n) => label(tree.getTreeItem(n)));
    for (const fn of ['HelloFunction', 'TypeScriptFunction', 'LayeredFunction'])
      assert.ok(names.includes(fn), `${fn} missing from Logs: ${names}`);
  });
});
