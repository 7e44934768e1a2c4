// Document symbols (parameters, resources grouped by type, outputs), folding ranges, and the
// Invoke | Debug | Logs lenses above each function resource.
import { SymbolKind, type CodeLens, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import { FunctionProperties } from './functionProperties';
import { FUNCTION_TYPES, LAYER_TYPES } from './templateIndex';
import type { TemplateState } from './templateState';
import { walkTree, type MapEntry } from './templateTree';

export function documentSymbols(state: TemplateState): DocumentSymbol[] {
  const index = state.index;
  if (!index?.root) return [];
  const symbol = (entry: MapEntry, kind: SymbolKind, detail?: string, children?: DocumentSymbol[]): DocumentSymbol => ({
    name: entry.key,
    kind,
    range: state.lines.range(entry.keyStart, Math.max(entry.keyEnd, entry.value?.end ?? entry.keyEnd)),
    selectionRange: state.lines.range(entry.keyStart, entry.keyEnd),
    ...(detail ? { detail } : {}),
    ...(children ? { children } : {}),
  });
  const out: DocumentSymbol[] = [];
  for (const section of index.root.entries) {
    if (section.key === 'Resources') {
      const byType = new Map<string, DocumentSymbol[]>();
      for (const r of index.resources.values()) {
        const type = r.type ?? '(no Type)';
        const kind = FUNCTION_TYPES.has(type) ? SymbolKind.Function : LAYER_TYPES.has(type) ? SymbolKind.Package : SymbolKind.Object;
        const list = byType.get(type) ?? [];
        list.push(symbol(r.entry, kind, type));
        byType.set(type, list);
      }
      const groups = [...byType].map(([type, children]): DocumentSymbol => ({
        name: type,
        kind: SymbolKind.Namespace,
        detail: `${children.length}`,
        range: { start: children[0].range.start, end: children[children.length - 1].range.end },
        selectionRange: children[0].selectionRange,
        children,
      }));
      out.push(symbol(section, SymbolKind.Module, undefined, groups));
    } else if (section.key === 'Parameters' || section.key === 'Outputs' || section.key === 'Conditions' || section.key === 'Mappings') {
      const kind =
        section.key === 'Parameters' ? SymbolKind.Variable : section.key === 'Conditions' ? SymbolKind.Boolean : SymbolKind.Field;
      const children = section.value?.kind === 'map' ? section.value.entries.map((e) => symbol(e, kind)) : [];
      out.push(symbol(section, SymbolKind.Module, undefined, children));
    } else {
      out.push(symbol(section, SymbolKind.Module));
    }
  }
  return out;
}

export function foldingRanges(state: TemplateState): FoldingRange[] {
  const out: FoldingRange[] = [];
  walkTree(state.index?.root, (node) => {
    if (node.kind !== 'map') return;
    for (const e of node.entries) {
      if (e.value?.kind !== 'map' && e.value?.kind !== 'seq') continue;
      const startLine = state.lines.position(e.keyStart).line;
      // A block node's end is past its last line break.
      const endLine = state.lines.position(Math.max(e.value.start, trimEnd(state.text, e.value.end))).line;
      if (endLine > startLine) out.push({ startLine, endLine });
    }
  });
  return out;
}

function trimEnd(text: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  return i;
}

export function codeLenses(state: TemplateState): CodeLens[] {
  const index = state.index;
  if (!index) return [];
  return index.functions().flatMap((resource) => {
    const name =
      state.model?.functions.find((f) => f.logicalId === resource.id)?.functionName ??
      new FunctionProperties(index, resource).literal('FunctionName')?.value ??
      resource.id;
    const range = state.lines.range(resource.entry.keyStart, resource.entry.keyEnd);
    return [
      { range, command: { title: 'Invoke', command: 'lambdaLab.invoke', arguments: [name] } },
      { range, command: { title: 'Debug', command: 'lambdaLab.debug', arguments: [name] } },
      { range, command: { title: 'Logs', command: 'lambdaLab.openLogs', arguments: [name] } },
    ];
  });
}
