// Completion from the text left of the cursor (it is usually mid-edit, so not parseable) and
// the indentation above it: logical ids in Ref / GetAtt / Sub / Condition, GetAtt attributes by
// resource type, Runtime values, Handler paths from CodeUri, property names and enum values.
import path from 'node:path';
import { CompletionItemKind, type CompletionItem, type Position } from 'vscode-languageserver';
import { FunctionProperties } from './functionProperties';
import { handlerLanguageOf } from './handlerSources';
import { ENUMS, GETATT_ATTRIBUTES, PROPERTIES, RESOURCE_ATTRIBUTES, RESOURCE_TYPES } from './resourceSchema';
import { describeRuntime, LAMBDA_RUNTIMES } from './runtimeCatalog';
import { PSEUDO_PARAMETERS } from './templateIndex';
import type { TemplateState } from './templateState';

export function completion(state: TemplateState, position: Position): CompletionItem[] {
  const index = state.index;
  if (!index) return [];
  const before = state.lines.lineText(position.line).slice(0, position.character);
  // Items keep the order given (parameters, then resources, then pseudo parameters), not the editor's alphabetical one.
  let order = 0;
  const items = (
    labels: string[],
    kind: CompletionItemKind,
    prefix: string,
    detail?: (label: string) => string | undefined,
  ): CompletionItem[] =>
    labels.map((label) => {
      const d = detail?.(label);
      return {
        label,
        kind,
        sortText: String(order++).padStart(5, '0'),
        textEdit: {
          range: { start: { line: position.line, character: position.character - prefix.length }, end: position },
          newText: label,
        },
        ...(d ? { detail: d } : {}),
      };
    });
  const resourceIds = [...index.resources.keys()];
  const typeOf = (id: string): string | undefined => index.resources.get(id)?.type;
  const valueNames = (prefix: string): CompletionItem[] => [
    ...items([...index.parameters.keys()], CompletionItemKind.Variable, prefix, () => 'Parameter'),
    ...items(resourceIds, CompletionItemKind.Reference, prefix, typeOf),
    ...items(PSEUDO_PARAMETERS, CompletionItemKind.Constant, prefix, () => 'Pseudo parameter'),
  ];
  const attributes = (id: string, prefix: string): CompletionItem[] =>
    items(GETATT_ATTRIBUTES[typeOf(id) ?? ''] ?? [], CompletionItemKind.Property, prefix, () => typeOf(id));

  const sub = /\$\{([^}]*)$/.exec(before);
  if (sub) {
    const dot = sub[1].indexOf('.');
    return dot < 0 ? valueNames(sub[1]) : attributes(sub[1].slice(0, dot), sub[1].slice(dot + 1));
  }
  const getAtt = /(?:!GetAtt\s+|"Fn::GetAtt"\s*:\s*\[\s*"|Fn::GetAtt\s*:\s*\[?\s*)([\w]*)(?:\.(\w*))?$/.exec(before);
  if (getAtt)
    return getAtt[2] !== undefined ? attributes(getAtt[1], getAtt[2]) : items(resourceIds, CompletionItemKind.Reference, getAtt[1], typeOf);
  const getAttList = /!GetAtt\s*\[\s*(\w+)\s*,\s*(\w*)$/.exec(before);
  if (getAttList) return attributes(getAttList[1], getAttList[2]);
  const ref = /(?:!Ref\s+|\bRef\s*:\s*['"]?|"Ref"\s*:\s*")([\w:]*)$/.exec(before);
  if (ref) return valueNames(ref[1]);
  const condition = /(?:!Condition\s+|^\s*Condition\s*:\s*|!If\s*\[\s*)(\w*)$/.exec(before);
  if (condition) return items([...index.conditions.keys()], CompletionItemKind.Reference, condition[1], () => 'Condition');

  const keyValue = /^(\s*)(?:-\s+)?([\w]+)\s*:\s*['"]?([^\s'"]*)$/.exec(before);
  const listItem = /^(\s*)-\s+([^\s:]*)$/.exec(before);
  const keyOnly = /^(\s*)(\w*)$/.exec(before);
  if (keyValue) {
    const parents = keyPathAbove(state, position.line, keyValue[1].length);
    const key = keyValue[2];
    const prefix = keyValue[3];
    if (key === 'Runtime') return items(LAMBDA_RUNTIMES, CompletionItemKind.EnumMember, prefix, (r) => describeRuntime(r).join(' '));
    if (key === 'Type' && parents.length === 2 && parents[0] === 'Resources')
      return items(RESOURCE_TYPES, CompletionItemKind.Class, prefix);
    if (key === 'Handler' && parents[0] === 'Resources' && parents[2] === 'Properties') return handlers(state, parents[1], prefix, items);
    const propertyPath = propertyPathOf([...parents, key]);
    const values = propertyPath ? ENUMS[propertyPath] : undefined;
    return values ? items(values, CompletionItemKind.EnumMember, prefix) : [];
  }
  if (listItem) {
    const parents = keyPathAbove(state, position.line, listItem[1].length + 1);
    const propertyPath = propertyPathOf(parents);
    const values = propertyPath ? ENUMS[`${propertyPath}.*`] : undefined;
    return values ? items(values, CompletionItemKind.EnumMember, listItem[2]) : [];
  }
  if (keyOnly) {
    const parents = keyPathAbove(state, position.line, keyOnly[1].length);
    const prefix = keyOnly[2];
    if (parents.length === 2 && parents[0] === 'Resources') return items(RESOURCE_ATTRIBUTES, CompletionItemKind.Keyword, prefix);
    if (parents.length === 3 && parents[0] === 'Resources' && parents[2] === 'Properties') {
      return items(PROPERTIES[typeOf(parents[1]) ?? ''] ?? [], CompletionItemKind.Property, prefix, () => typeOf(parents[1]));
    }
    if (parents.length === 2 && parents[0] === 'Globals' && parents[1] === 'Function') {
      return items(PROPERTIES['AWS::Serverless::Function'], CompletionItemKind.Property, prefix);
    }
  }
  return [];
}

/** `Resources.X.Properties.A.B` → `A.B`; Globals.Function.A → `A`. */
function propertyPathOf(keys: string[]): string | undefined {
  if (keys[0] === 'Resources' && keys[2] === 'Properties' && keys.length > 3) return keys.slice(3).join('.');
  if (keys[0] === 'Globals' && keys[1] === 'Function' && keys.length > 2) return keys.slice(2).join('.');
  return undefined;
}

/** The keys of the block maps enclosing a line indented by `indent`, read from the lines above. */
function keyPathAbove(state: TemplateState, line: number, indent: number): string[] {
  const keys: string[] = [];
  let limit = indent;
  for (let l = line - 1; l >= 0 && limit > 0; l--) {
    const text = state.lines.lineText(l);
    const m = /^(\s*)(?:-\s+)?(["']?)([\w:.-]+)\2\s*:(?:\s|$)/.exec(text);
    if (!m) continue;
    const own = m[1].length;
    if (own < limit) {
      keys.unshift(m[3]);
      limit = own;
    }
  }
  return keys;
}

function handlers(
  state: TemplateState,
  logicalId: string,
  prefix: string,
  items: (labels: string[], kind: CompletionItemKind, prefix: string, detail?: (l: string) => string | undefined) => CompletionItem[],
): CompletionItem[] {
  const index = state.index!;
  const resource = index.resources.get(logicalId);
  if (!resource) return [];
  const props = new FunctionProperties(index, resource);
  const runtime = props.literal('Runtime')?.value;
  const language = runtime ? handlerLanguageOf(runtime) : undefined;
  if (!language) return [];
  const codeUri = props.literal(props.serverless ? 'CodeUri' : 'Code')?.value ?? '.';
  const codeDir = path.resolve(state.templateDir, codeUri);
  return items(language.candidates(codeDir, props.esbuild()), CompletionItemKind.Function, prefix, () => `in ${codeUri}`);
}
