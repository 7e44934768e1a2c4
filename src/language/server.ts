// Entry of out/languageServer.js: `node out/languageServer.js --stdio` (or --node-ipc, as
// vscode-languageclient starts it). The same file runs the template loader's worker thread.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { isLoaderWorker, serveLoaderRequests } from './loaderWorker';
import { startTemplateServer } from './templateServer';

if (isLoaderWorker()) serveLoaderRequests();
else startTemplateServer(createConnection(ProposedFeatures.all));
