// The Functions view's Routes rows and Send Request: a function with an HttpApi event lists its
// route, and sending a request starts the front doors and shows the real HTTP response; a
// streaming function URL's chunks show in the response document as they arrive.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionsNode } from '../../../src/vscode/functionsTree';
import { api, eventually } from './helpers';

const ordersTemplate = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'real-world', 'orders-api', 'template.yaml');

async function routeNode(functionId = 'GetOrderFunction'): Promise<Extract<FunctionsNode, { kind: 'route' }>> {
  const { functionsTree: tree } = await api();
  const root = tree.getChildren().find((n) => n.kind === 'template' && n.templatePath === ordersTemplate());
  assert.ok(root, 'no template row for orders-api');
  const fn = tree.getChildren(root).find((n) => n.kind === 'function' && n.fn.logicalId === functionId);
  assert.ok(fn, `no ${functionId} row`);
  const routes = tree.getChildren(fn).find((n) => n.kind === 'routes');
  assert.ok(routes, `${functionId} has no Routes row`);
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
    const text = await eventually('the complete response', () => (/^\/\/ first byte/m.test(doc.getText()) ? doc.getText() : undefined));
    // A JSON body: the document is JSON with comments, the request, status and headers commented.
    assert.equal(doc.languageId, 'jsonc');
    assert.match(text, /^\/\/ GET http:\/\/127\.0\.0\.1:\d+\/orders\/42$/m);
    assert.match(text, /^\/\/ HTTP\/1\.1 200 OK$/m);
    assert.match(text, /^\/\/ x-order-source: lambda-lab$/m);
    assert.match(text, /^ {2}"orderId": "42",$/m, `body not pretty-printed JSON:\n${text}`);
    assert.match(text, /^\/\/ first byte [\d.]+ ms · total [\d.]+ ms/m);

    const served = tree.getTreeItem(await routeNode());
    assert.match(String(served.description), /HTTP API ServerlessHttpApi · http:\/\/127\.0\.0\.1:\d+\/orders\/\{orderId\}$/);
  });

  it('shows a streaming function URL’s chunks in order as they arrive, each with its time', async () => {
    await vscode.commands.executeCommand('lambdaLab.startApiServer', { port: 0, templatePath: ordersTemplate() });
    const route = await routeNode('OrderFeedFunction');
    assert.equal(route.route.row.door, 'function URL');
    // The handler sends each next line only once the gate file for it exists: the test lets a
    // chunk go after it saw the previous one in the document.
    const gate = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-gate-'));
    const seen: string[] = [];
    const watching = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme !== 'lambda-lab-response') return;
      const text = e.document.getText();
      const received = /receiving… (\d+) chunk/.exec(text);
      if (!received || seen.includes(received[1])) return;
      seen.push(received[1]);
      writeFileSync(path.join(gate, received[1]), '');
    });
    try {
      const doc = await vscode.commands.executeCommand<vscode.TextDocument>('lambdaLab.sendRequest', route, {
        path: `/?gate=${encodeURIComponent(gate)}`,
      });
      assert.ok(doc, 'no response document');
      const text = await eventually('the complete response', () => (/^first byte/m.test(doc.getText()) ? doc.getText() : undefined));
      // Updates may be merged (the head with the first chunk, the last chunk with the end), but
      // the second chunk cannot leave before the document showed the first, nor the third before the second.
      assert.deepEqual(
        seen.filter((n) => n === '1' || n === '2'),
        ['1', '2'],
        `the document did not show each chunk on its own:\n${text}`,
      );
      assert.equal(doc.languageId, 'plaintext');
      assert.match(text, /^HTTP\/1\.1 200 OK$/m);
      assert.match(text, /^x-order-source: lambda-lab$/m);
      assert.match(text, /^order 1 SHIPPED\norder 2 PACKED\norder 3 PLACED$/m);
      assert.match(text, /^first byte [\d.]+ ms · total [\d.]+ ms · 3 chunk\(s\)$/m);
      const chunks = [...text.matchAll(/^chunk (\d) · ([\d.]+) ms · (\d+) bytes$/gm)];
      assert.deepEqual(
        chunks.map((c) => [c[1], c[3]]),
        [
          ['1', '16'],
          ['2', '15'],
          ['3', '15'],
        ],
      );
      const times = chunks.map((c) => Number(c[2]));
      assert.ok(times[0] <= times[1] && times[1] <= times[2], `chunk times out of order: ${times.join(', ')}`);
    } finally {
      watching.dispose();
      rmSync(gate, { recursive: true, force: true });
    }
  });
});
