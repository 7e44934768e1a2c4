// Go to definition, find references and rename over LSP, positions exact.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Location, Range, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { freshUri, PROJECT, rangeOf, TEMPLATE } from './languageFixture';
import { LspClient, positionOf } from './lspClient';

describe('language server: navigation', function () {
  this.timeout(30_000);
  let client: LspClient;
  let uri: string;
  before(async () => {
    client = await LspClient.start(PROJECT);
    uri = freshUri();
    await client.open(uri, TEMPLATE);
    await client.diagnostics(uri);
  });
  after(() => client?.stop());

  const definitionAt = (needle: string, offset: number, occurrence = 1): Promise<Location | null> =>
    client.request('textDocument/definition', uri, positionOf(TEMPLATE, needle, offset, occurrence));
  const key = (id: string): Range => rangeOf(TEMPLATE, `  ${id}:`, id);

  it('Ref, GetAtt, Sub ${} and a layer reference lead to the resource or parameter', async () => {
    assert.deepEqual(await definitionAt('!Ref Table', 6), { uri, range: key('Table') });
    assert.deepEqual(await definitionAt('!GetAtt Table.Arn', 9), { uri, range: key('Table') });
    assert.deepEqual(await definitionAt('${Stage}', 3), { uri, range: key('Stage') });
    assert.deepEqual(await definitionAt('${HelloFunction.Arn}', 4), { uri, range: key('HelloFunction') });
    assert.deepEqual(await definitionAt('!Ref SharedLayer', 7), { uri, range: key('SharedLayer') });
    assert.deepEqual(await definitionAt('Condition: IsProd', 12), { uri, range: key('IsProd') });
  });

  it('Handler leads to the exported function, in JavaScript, ES modules and Python', async () => {
    assert.deepEqual(await definitionAt('Handler: app.handler', 12), {
      uri: pathToFileURL(path.join(PROJECT, 'src/app.js')).href,
      range: { start: { line: 2, character: 8 }, end: { line: 2, character: 15 } },
    });
    assert.deepEqual(await definitionAt('Handler: esm.handler', 12), {
      uri: pathToFileURL(path.join(PROJECT, 'src/esm.mjs')).href,
      range: { start: { line: 0, character: 13 }, end: { line: 0, character: 20 } },
    });
    assert.deepEqual(await definitionAt('Handler: app.lambda_handler', 14), {
      uri: pathToFileURL(path.join(PROJECT, 'py/app.py')).href,
      range: { start: { line: 3, character: 4 }, end: { line: 3, character: 18 } },
    });
  });

  it('finds every reference to a logical id, from its declaration or from a reference', async () => {
    const fromKey = await client.request<Location[]>('textDocument/references', uri, key('Table').start, {
      context: { includeDeclaration: true },
    });
    const expected = [key('Table'), rangeOf(TEMPLATE, '!Ref Table', 'Table'), rangeOf(TEMPLATE, 'Table.Arn', 'Table')];
    assert.deepEqual(
      fromKey.map((l) => l.range),
      expected,
    );
    const fromRef = await client.request<Location[]>('textDocument/references', uri, positionOf(TEMPLATE, '${Stage}', 2), {
      context: { includeDeclaration: false },
    });
    assert.deepEqual(
      fromRef.map((l) => l.range),
      [rangeOf(TEMPLATE, '!Ref Stage', 'Stage'), rangeOf(TEMPLATE, '!Ref Stage', 'Stage', 2), rangeOf(TEMPLATE, '${Stage}', 'Stage')],
    );
  });

  it('renames a logical id everywhere, and refuses names CloudFormation would', async () => {
    const prepared = await client.request<{ range: Range; placeholder: string }>(
      'textDocument/prepareRename',
      uri,
      positionOf(TEMPLATE, 'Table.Arn', 2),
    );
    assert.deepEqual(prepared, { range: rangeOf(TEMPLATE, 'Table.Arn', 'Table'), placeholder: 'Table' });
    const renamed = await client.request<WorkspaceEdit>('textDocument/rename', uri, key('HelloFunction').start, {
      newName: 'GreetFunction',
    });
    assert.deepEqual(renamed.changes?.[uri], [
      { range: key('HelloFunction'), newText: 'GreetFunction' },
      { range: rangeOf(TEMPLATE, 'HelloFunction.Arn', 'HelloFunction'), newText: 'GreetFunction' },
    ]);
    await assert.rejects(client.request('textDocument/rename', uri, key('Table').start, { newName: 'my-table' }), /not a valid logical id/);
    await assert.rejects(
      client.request('textDocument/rename', uri, key('Table').start, { newName: 'Stage' }),
      /Stage is already a logical id/,
    );
    assert.equal(await client.request('textDocument/prepareRename', uri, positionOf(TEMPLATE, 'Runtime: nodejs22.x', 12)), null);
  });
});
