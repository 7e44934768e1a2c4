// The Functions view's Routes rows and Send Request: a function with an HttpApi event lists its
// route, and sending a request starts the front doors and shows the real HTTP response.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionsNode } from '../../../src/vscode/functionsTree';
import { api, eventually } from './helpers';

const ordersTemplate = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'real-world', 'orders-api', 'template.yaml');

async function routeNode(): Promise<Extract<FunctionsNode, { kind: 'route' }>> {
  const { functionsTree: tree } = await api();
  const root = tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === ordersTemplate());
  assert.ok(root, 'no template row for orders-api');
  const fn = tree.getChildren(root).find((n) => n.kind === 'function' && n.fn.logicalId === 'GetOrderFunction');
  assert.ok(fn, 'no GetOrderFunction row');
  const routes = tree.getChildren(fn).find((n) => n.kind === 'routes');
  assert.ok(routes, 'GetOrderFunction has no Routes row');
  const route = tree.getChildren(routes).find((n) => n.kind === 'route');
  assert.ok(route?.kind === 'route', 'Routes has no route row');
  return route;
}

describe('Routes rows and Send Request', function () {
  this.timeout(90_000);

  after(() => vscode.commands.executeCommand('lambdaLab.stopApiServer'));

  it('lists the HttpApi route and sends a request to it through the started front doors', async () => {
    await vscode.commands.executeCommand('lambdaLab.stopApiServer');
    const { functionsTree: tree } = await api();
    const before = tree.getTreeItem(await routeNode());
    assert.equal(before.label, 'GET /orders/{orderId}');
    assert.match(String(before.description), /^HTTP API ServerlessHttpApi$/);
    assert.equal(before.contextValue, 'route');

    assert.doesNotMatch(String(before.description), /http:/, 'a URL is shown while nothing serves the route');
    // Port 0: other suites (and other windows) may hold the default port.
    await vscode.commands.executeCommand('lambdaLab.startApiServer', { port: 0, templatePath: ordersTemplate() });

    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('lambdaLab.sendRequest', await routeNode(), {
      path: '/orders/42',
      headers: { 'x-test': 'yes' },
    });
    assert.ok(doc, 'no response document');
    const text = await eventually('the complete response', () => (/^# first byte/m.test(doc.getText()) ? doc.getText() : undefined));
    assert.match(text, /^GET http:\/\/127\.0\.0\.1:\d+\/orders\/42$/m);
    assert.match(text, /^HTTP\/1\.1 200 OK$/m);
    assert.match(text, /^x-order-source: lambda-lab$/m);
    assert.match(text, /^ {2}"orderId": "42",$/m, `body not pretty-printed JSON:\n${text}`);
    assert.match(text, /^# first byte [\d.]+ ms · total [\d.]+ ms/m);

    const served = tree.getTreeItem(await routeNode());
    assert.match(String(served.description), /HTTP API ServerlessHttpApi · http:\/\/127\.0\.0\.1:\d+\/orders\/\{orderId\}$/);
  });
});
