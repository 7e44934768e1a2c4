// Starts the template language server (out/languageServer.js, over IPC) for YAML and JSON
// documents; the server itself decides, by content, which of them are templates.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export function startLanguageClient(context: vscode.ExtensionContext): vscode.Disposable {
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
  };
  const client = new LanguageClient('lambdaLab.templates', 'Lambda Lab Templates', serverOptions, clientOptions);
  void client.start();
  return { dispose: () => void client.stop() };
}
