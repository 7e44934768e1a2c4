// Go to definition (logical ids, and Handler → the exported function), find references and
// rename for the logical ids of resources, parameters and conditions.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { CodeProbe } from './codeProbe';
import { FunctionProperties } from './functionProperties';
import type { ExportedName } from './handlerSources';
import type { ReferenceKind } from './templateIndex';
import type { TemplateState } from './templateState';
import type { MapEntry } from './templateTree';

interface Symbol {
  name: string;
  kind: 'resource' | 'parameter' | 'condition';
  declaration: MapEntry;
}

const VALUE_KINDS: ReferenceKind[] = ['Ref', 'GetAtt', 'Sub', 'DependsOn'];

export function definition(state: TemplateState, offset: number, probe: CodeProbe): Location | undefined {
  const index = state.index;
  if (!index) return undefined;
  const ref = index.referenceAt(offset);
  if (ref) {
    const symbol =
      ref.kind === 'Condition'
        ? declared(state, ref.target, 'condition')
        : (declared(state, ref.target, 'resource') ?? declared(state, ref.target, 'parameter'));
    return symbol ? { uri: state.uri, range: state.lines.range(symbol.declaration.keyStart, symbol.declaration.keyEnd) } : undefined;
  }
  const at = index.nodeAt(offset);
  if (!at || at.path.length !== 4 || at.path[0] !== 'Resources' || at.path[2] !== 'Properties' || at.path[3] !== 'Handler')
    return undefined;
  const target = handlerOf(state, at.path[1], probe);
  if (!target) return undefined;
  const position = { line: target.export.line, character: target.export.character };
  return {
    uri: pathToFileURL(target.file).href,
    range: { start: position, end: { ...position, character: position.character + target.export.name.length } },
  };
}

/** Where a function's Handler leads, when the file and export are there. */
export function handlerOf(
  state: TemplateState,
  logicalId: string,
  probe: CodeProbe,
): { file: string; export: ExportedName; runtime: string } | undefined {
  const resource = state.index?.resources.get(logicalId);
  if (!resource) return undefined;
  const props = new FunctionProperties(state.index!, resource);
  const runtime = props.literal('Runtime')?.value;
  const handler = props.literal('Handler')?.value;
  if (!runtime || !handler) return undefined;
  const codeDir = path.resolve(state.templateDir, props.literal(props.serverless ? 'CodeUri' : 'Code')?.value ?? '.');
  const target = probe.locateHandler(runtime, codeDir, handler, props.esbuild());
  return target.kind === 'found' ? { file: target.file, export: target.export, runtime } : undefined;
}

/** The logical id at offset: a declaration's key, or a reference to it. */
function symbolAt(state: TemplateState, offset: number): Symbol | undefined {
  const index = state.index;
  if (!index) return undefined;
  const ref = index.referenceAt(offset);
  if (ref && !(offset > ref.end && ref.attributeStart !== undefined)) {
    return ref.kind === 'Condition'
      ? declared(state, ref.target, 'condition')
      : (declared(state, ref.target, 'resource') ?? declared(state, ref.target, 'parameter'));
  }
  const key = index.keyAt(offset);
  if (!key || key.path.length !== 2) return undefined;
  const kind = ({ Resources: 'resource', Parameters: 'parameter', Conditions: 'condition' } as const)[key.path[0] as 'Resources'];
  return kind ? { name: key.entry.key, kind, declaration: key.entry } : undefined;
}

export function references(state: TemplateState, offset: number, includeDeclaration: boolean): Location[] {
  const symbol = symbolAt(state, offset);
  if (!symbol) return [];
  return occurrences(state, symbol, includeDeclaration).map((range) => ({ uri: state.uri, range }));
}

export function prepareRename(state: TemplateState, offset: number): { range: Range; placeholder: string } | undefined {
  const symbol = symbolAt(state, offset);
  if (!symbol) return undefined;
  const range = occurrences(state, symbol, true).find((r) => {
    const start = state.lines.offset(r.start);
    const end = state.lines.offset(r.end);
    return offset >= start && offset <= end;
  });
  return range ? { range, placeholder: symbol.name } : undefined;
}

export function rename(state: TemplateState, offset: number, newName: string): WorkspaceEdit | undefined {
  const symbol = symbolAt(state, offset);
  if (!symbol) return undefined;
  const edits: TextEdit[] = occurrences(state, symbol, true).map((range) => ({ range, newText: newName }));
  return { changes: { [state.uri]: edits } };
}

function occurrences(state: TemplateState, symbol: Symbol, includeDeclaration: boolean): Range[] {
  const kinds: ReferenceKind[] = symbol.kind === 'condition' ? ['Condition'] : VALUE_KINDS;
  const refs = state.index!.referencesTo(symbol.name, kinds).map((r) => state.lines.range(r.start, r.end));
  return includeDeclaration ? [state.lines.range(symbol.declaration.keyStart, symbol.declaration.keyEnd), ...refs] : refs;
}

function declared(state: TemplateState, name: string, kind: Symbol['kind']): Symbol | undefined {
  const index = state.index!;
  const entry =
    kind === 'resource' ? index.resources.get(name)?.entry : kind === 'parameter' ? index.parameters.get(name) : index.conditions.get(name);
  return entry ? { name, kind, declaration: entry } : undefined;
}
