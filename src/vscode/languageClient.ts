// Starts the template language server (out/languageServer.js, over IPC) for YAML and JSON
// documents; the server itself decides, by content, which of them are templates. What it
// publishes goes to `diagnostics` too, so the extension's own problems for the same templates
// can step aside (one problem, said once).
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export interface ServerDiagnostics {
  published(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): void;
  /** The server stopped: its problems are gone. */
  stopped(): void;
}

export function startLanguageClient(context: vscode.ExtensionContext, diagnostics: ServerDiagnostics): vscode.Disposable {
  const module = context.asAbsolutePath('out/languageServer.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: ['yaml', 'json', 'jsonc'].flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    // Handler checks read the code next to the template: edits there re-check open templates.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{js,mjs,cjs,ts,mts,cts,py,json}') },
    outputChannelName: 'Lambda Lab Templates',
    middleware: {
      handleDiagnostics: (uri, published, next) => {
        diagnostics.published(uri, published);
        next(uri, published);
      },
    },
  };
  const client = new LanguageClient('lambdaLab.templates', 'Lambda Lab Templates', serverOptions, clientOptions);
  client.onDidChangeState(({ newState }) => {
    if (newState === State.Stopped) diagnostics.stopped();
  });
  void client.start();
  return { dispose: () => void client.stop() };
}
