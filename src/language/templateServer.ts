// The language server proper: keeps one TemplateState per open document, re-checks it shortly
// after each edit (fast checks on the main thread, the runtime's loader on a worker), and
// answers the editor's requests from the freshest state.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeProbe } from './codeProbe';
import { completion } from './completion';
import type { Finding, QuickFix } from './findings';
import { hover } from './hover';
import { TemplateLoaderClient } from './loaderWorker';
import { definition, prepareRename, references, rename } from './navigation';
import { codeLenses, documentSymbols, foldingRanges } from './outline';
import { TemplateState } from './templateState';

/** Quiet time after an edit before the fast checks run (they take milliseconds). */
const CHECK_DELAY_MS = 15;
/** Quiet time before the runtime's full load, which for a large template takes much longer. */
const LOAD_DELAY_MS = 250;

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information };

export function startTemplateServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, TemplateState>();
  const checkTimers = new Map<string, NodeJS.Timeout>();
  const loadTimers = new Map<string, NodeJS.Timeout>();
  const loading = new Set<string>();
  const probe = new CodeProbe();
  const loader = new TemplateLoaderClient();
  let workspaceDir = process.cwd();

  const fresh = (uri: string): TemplateState | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    let state = states.get(uri);
    if (!state) states.set(uri, (state = new TemplateState(uri, workspaceDir)));
    if (state.version !== doc.version) {
      clearTimeout(checkTimers.get(uri));
      checkTimers.delete(uri);
      state.update(doc.getText(), doc.version, probe);
      publish(state);
      scheduleLoad(state);
    }
    return state.isTemplate ? state : undefined;
  };

  const publish = (state: TemplateState): void => {
    const diagnostics: Diagnostic[] = state.isTemplate ? state.allFindings().map((f) => toDiagnostic(state, f)) : [];
    void connection.sendDiagnostics({ uri: state.uri, version: state.version, diagnostics });
  };

  const scheduleLoad = (state: TemplateState): void => {
    clearTimeout(loadTimers.get(state.uri));
    if (!state.isTemplate) return;
    loadTimers.set(
      state.uri,
      setTimeout(() => void runLoad(state.uri), LOAD_DELAY_MS),
    );
  };

  const runLoad = async (uri: string): Promise<void> => {
    loadTimers.delete(uri);
    const state = states.get(uri);
    if (!state?.isTemplate) return;
    // One load per document at a time; the one that finishes asks again if the text moved on.
    if (loading.has(uri)) return;
    loading.add(uri);
    const version = state.version;
    try {
      const result = await loader.load(state.templatePath, state.text);
      if (states.get(uri) !== state) return;
      state.acceptLoaderResult(version, result);
      if (state.version === version) {
        publish(state);
        // Lens titles don't change, but the function names they pass may now come from the loader.
        if (codeLensRefresh) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      }
    } finally {
      loading.delete(uri);
    }
    if (states.get(uri) === state && state.version !== version) scheduleLoad(state);
  };

  documents.onDidChangeContent(({ document }) => {
    clearTimeout(checkTimers.get(document.uri));
    checkTimers.set(
      document.uri,
      setTimeout(() => fresh(document.uri), CHECK_DELAY_MS),
    );
  });
  documents.onDidSave(() => probe.forget());
  documents.onDidClose(({ document }) => {
    clearTimeout(checkTimers.get(document.uri));
    clearTimeout(loadTimers.get(document.uri));
    states.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });
  connection.onDidChangeWatchedFiles(() => {
    probe.forget();
    for (const state of states.values()) {
      state.version = -1;
      fresh(state.uri);
    }
  });

  let codeLensRefresh = false;
  connection.onInitialize((params): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (folder?.startsWith('file:')) workspaceDir = fileURLToPath(folder);
    codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: true },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: ['.', '{', ' ', ':', '"'] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'lambda-lab-templates' },
    };
  });

  const at = (uri: string, position: { line: number; character: number }): { state: TemplateState; offset: number } | undefined => {
    const state = fresh(uri);
    return state ? { state, offset: state.lines.offset(position) } : undefined;
  };
  connection.onHover(({ textDocument, position }) => {
    const here = at(textDocument.uri, position);
    return here ? (hover(here.state, here.offset, probe) ?? null) : null;
  });
  connection.onDefinition(({ textDocument, position }) => {
    const here = at(textDocument.uri, position);
    return here ? (definition(here.state, here.offset, probe) ?? null) : null;
  });
  connection.onReferences(({ textDocument, position, context }) => {
    const here = at(textDocument.uri, position);
    return here ? references(here.state, here.offset, context.includeDeclaration) : [];
  });
  connection.onPrepareRename(({ textDocument, position }) => {
    const here = at(textDocument.uri, position);
    return here ? (prepareRename(here.state, here.offset) ?? null) : null;
  });
  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const here = at(textDocument.uri, position);
    if (!here) return null;
    if (!/^[A-Za-z0-9]+$/.test(newName)) throw new Error(`${newName} is not a valid logical id: use letters and digits only`);
    const index = here.state.index!;
    if (index.resources.has(newName) || index.parameters.has(newName) || index.conditions.has(newName)) {
      throw new Error(`${newName} is already a logical id in this template; choose another name`);
    }
    return rename(here.state, here.offset, newName) ?? null;
  });
  connection.onCompletion(({ textDocument, position }) => {
    const state = fresh(textDocument.uri);
    return state ? completion(state, position) : [];
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const state = fresh(textDocument.uri);
    return state ? documentSymbols(state) : [];
  });
  connection.onFoldingRanges(({ textDocument }) => {
    const state = fresh(textDocument.uri);
    return state ? foldingRanges(state) : [];
  });
  connection.onCodeLens(({ textDocument }) => {
    const state = fresh(textDocument.uri);
    return state ? codeLenses(state) : [];
  });
  connection.onCodeAction(({ textDocument, context }) => {
    const state = fresh(textDocument.uri);
    if (!state) return [];
    return context.diagnostics.flatMap((d): CodeAction[] => {
      // Clients don't all send `data` back: the finding is found again by place and message.
      const start = state.lines.offset(d.range.start);
      const end = state.lines.offset(d.range.end);
      const fix = state.allFindings().find((f) => f.start === start && f.end === end && f.message === d.message)?.fix;
      if (!fix) return [];
      return [{ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: editFor(state, d, fix) }];
    });
  });
  connection.onShutdown(() => loader.dispose());

  documents.listen(connection);
  connection.listen();
}

function toDiagnostic(state: TemplateState, finding: Finding): Diagnostic {
  return {
    range: state.lines.range(finding.start, finding.end),
    severity: SEVERITY[finding.severity],
    source: 'lambda-lab',
    message: finding.message,
  };
}

function editFor(state: TemplateState, diagnostic: Diagnostic, fix: QuickFix): CodeAction['edit'] {
  if (fix.kind === 'replace') return { changes: { [state.uri]: [{ range: diagnostic.range, newText: fix.newText }] } };
  const uri = pathToFileURL(fix.file).href;
  const lines = readFileSync(fix.file, 'utf8').split('\n');
  const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
  return { changes: { [uri]: [{ range: { start: end, end }, newText: fix.text }] } };
}
