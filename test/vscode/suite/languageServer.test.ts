// The template language server in a real editor: squiggles as you type, hover, completion and
// go to the handler, through vscode-languageclient.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, helloDir, lineOf } from './helpers';

describe('template language server', () => {
  let doc: vscode.TextDocument;
  let template: string;

  before(async () => {
    await api();
    template = path.join(helloDir(), 'template.yaml');
    doc = await vscode.workspace.openTextDocument(template);
    await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  const position = (needle: string, offset = 0): vscode.Position => {
    const at = doc.getText().indexOf(needle);
    assert.ok(at >= 0, `${needle} is not in the template`);
    return doc.positionAt(at + offset);
  };
  const ours = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'lambda-lab');

  it('squiggles a !Ref as you type, on the name, with the fix for its case', async () => {
    const name = position('!Ref Greeting', 5);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(name, name.translate(0, 1)), 'g');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const d = await eventually('the unknown Ref diagnostic', () =>
      ours().find((x) => /^Ref greeting: no parameter.*\(did you mean Greeting\?\)$/.test(x.message)),
    );
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual(
      [d.range.start.line, d.range.start.character, d.range.end.character],
      [name.line, name.character, name.character + 'greeting'.length],
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
    const fix = actions.find((a) => a.title === 'Change to Greeting');
    assert.ok(fix?.edit, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await eventually('the diagnostic to go', () => !ours().some((x) => /Ref greeting:/.test(x.message)));
    assert.ok(doc.getText().includes('!Ref Greeting'));
  });

  it('hovers a function with its effective configuration', async () => {
    const hovers = await eventually("a hover with the loader's configuration", async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        position('  HelloFunction:', 4),
      );
      const text = h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /effective configuration/.test(text) ? text : undefined;
    });
    assert.match(hovers, /\| MemorySize \| `256 MB` \|/);
    assert.match(hovers, /\| SERVICE_NAME \| `hello-dev` \|/);
  });

  it('completes logical ids after !Ref', async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      position('!Ref Greeting', 8),
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('Greeting') && labels.includes('Stage') && labels.includes('HelloFunction'), labels.join(', '));
  });

  it('goes from Handler to the exported function', async () => {
    const targets = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
      'vscode.executeDefinitionProvider',
      doc.uri,
      position('Handler: app.handler', 12),
    );
    const target = targets[0];
    assert.ok(target, 'no definition');
    const uri = 'targetUri' in target ? target.targetUri : target.uri;
    const range = 'targetUri' in target ? target.targetRange : target.range;
    const file = path.join(helloDir(), 'src', 'hello', 'app.js');
    assert.equal(uri.fsPath, file);
    assert.equal(range.start.line, await lineOf(file, 'exports.handler ='));
  });
});
