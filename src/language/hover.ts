// Hover: a function's effective configuration (the runtime loader's FunctionConfig: Globals
// merged, intrinsics resolved), a runtime's status, and what an intrinsic resolves to.
import path from 'node:path';
import type { Hover } from 'vscode-languageserver';
import type { FunctionConfig } from '../runtime/functionConfig';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../runtime/template/templateLoader';
import type { CodeProbe } from './codeProbe';
import { handlerOf } from './navigation';
import { describeRuntime } from './runtimeCatalog';
import { FUNCTION_TYPES, type Reference } from './templateIndex';
import type { TemplateState } from './templateState';
import { scalarString } from './templateTree';

export function hover(state: TemplateState, offset: number, probe: CodeProbe): Hover | undefined {
  const index = state.index;
  if (!index) return undefined;
  const ref = index.referenceAt(offset);
  if (ref) return markdown(state, ref.start, ref.attributeEnd ?? ref.end, referenceHover(state, ref, offset));
  const key = index.keyAt(offset);
  if (key && key.path.length === 2 && key.path[0] === 'Resources') {
    const resource = index.resources.get(key.entry.key);
    if (resource?.type && FUNCTION_TYPES.has(resource.type)) {
      return markdown(state, key.entry.keyStart, key.entry.keyEnd, functionHover(state, key.entry.key));
    }
  }
  const at = index.nodeAt(offset);
  const handler =
    at && at.node.kind === 'scalar' && at.path.length === 4 && at.path[0] === 'Resources' && at.path[3] === 'Handler'
      ? handlerOf(state, at.path[1], probe)
      : undefined;
  if (handler && at) {
    const where = `${path.relative(state.templateDir, handler.file)}:${handler.export.line + 1}`;
    return markdown(
      state,
      at.node.start,
      at.node.end,
      `Loads \`${handler.export.name}\` from \`${where}\`, as the ${handler.runtime} runtime resolves it`,
    );
  }
  if (at && at.path.at(-1) === 'Runtime' && at.node.kind === 'scalar') {
    const runtime = scalarString(at.node);
    if (runtime) return markdown(state, at.node.start, at.node.end, [`**${runtime}**`, '', ...describeRuntime(runtime)].join('\n'));
  }
  return undefined;
}

function markdown(state: TemplateState, start: number, end: number, value: string): Hover {
  return { contents: { kind: 'markdown', value }, range: state.lines.range(start, end) };
}

function functionHover(state: TemplateState, logicalId: string): string {
  const fn = state.model?.functions.find((f) => f.logicalId === logicalId);
  if (fn) return describeFunction(state, fn);
  const unsupported = state.model?.unsupported.find((f) => f.logicalId === logicalId);
  if (unsupported) return `**${logicalId}** cannot run in Lambda Lab: ${unsupported.reason}`;
  const error = state.loaderFindings.find((f) => f.severity === 'error');
  return `**${logicalId}**: configuration unavailable${error ? ` — ${error.message}` : ' (the template is being loaded)'}`;
}

function describeFunction(state: TemplateState, fn: FunctionConfig): string {
  const rows: Array<[string, string]> = [
    ['FunctionName', fn.functionName],
    ['Runtime', `${fn.runtime} — ${describeRuntime(fn.runtime).join(' ')}`],
    ['Handler', fn.handler],
    ['Code', path.relative(state.templateDir, fn.codeDir) || '.'],
    ['MemorySize', `${fn.memorySize} MB`],
    ['Timeout', `${fn.timeout} s`],
    ['EphemeralStorage', `${fn.ephemeralStorage} MB`],
    ['Architectures', fn.architectures.join(', ')],
    [
      'Logging',
      `${fn.loggingConfig.logFormat}${fn.loggingConfig.applicationLogLevel ? ` (${fn.loggingConfig.applicationLogLevel}/${fn.loggingConfig.systemLogLevel})` : ''} → ${fn.loggingConfig.logGroup}`,
    ],
  ];
  if (fn.reservedConcurrentExecutions !== undefined) rows.push(['ReservedConcurrentExecutions', String(fn.reservedConcurrentExecutions)]);
  if (fn.layers.length) rows.push(['Layers', fn.layers.join(', ')]);
  if (fn.build) rows.push(['Build', `esbuild ${fn.build.entryPoints.join(', ')}`]);
  if (fn.autoPublishAlias) rows.push(['AutoPublishAlias', fn.autoPublishAlias]);
  const env = Object.entries(fn.environment);
  const lines = [
    `**${fn.logicalId}** — effective configuration (Globals merged, intrinsics resolved)`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | \`${escape(v)}\` |`),
  ];
  if (env.length) lines.push('', '**Environment**', '', '| | |', '|---|---|', ...env.map(([k, v]) => `| ${k} | \`${escape(v)}\` |`));
  return lines.join('\n');
}

function escape(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/`/g, "'");
}

function referenceHover(state: TemplateState, ref: Reference, offset: number): string {
  const index = state.index!;
  const name = ref.attribute ? `${ref.target}.${ref.attribute}` : ref.target;
  const written = `${ref.kind} ${name}`;
  const envValue = environmentValue(state, offset);
  if (envValue) return `**${written}**\n\n${envValue}`;
  if (ref.kind === 'Condition') {
    const entry = index.conditions.get(ref.target);
    return entry
      ? `**Condition ${ref.target}**\n\n\`\`\`yaml\n${state.text.slice(entry.keyStart, entry.value?.end ?? entry.keyEnd).trim()}\n\`\`\``
      : `**Condition ${ref.target}**: not declared`;
  }
  const value = resolveReference(state, ref);
  return `**${written}**\n\n${value}`;
}

/** Inside a function's Environment.Variables entry: the value the runtime gives the variable. */
function environmentValue(state: TemplateState, offset: number): string | undefined {
  const at = state.index!.nodeAt(offset);
  if (!at || !state.model) return undefined;
  const p = at.path;
  if (p[0] === 'Resources' && p[2] === 'Properties' && p[3] === 'Environment' && p[4] === 'Variables' && p[5]) {
    const fn = state.model.functions.find((f) => f.logicalId === p[1]);
    const value = fn?.environment[p[5]];
    return value === undefined ? undefined : `Resolves to \`${escape(value)}\` (${p[5]} of ${fn!.logicalId}, as the runtime sets it)`;
  }
  if (p[0] === 'Globals' && p[1] === 'Function' && p[2] === 'Environment' && p[3] === 'Variables' && p[4]) {
    const values = new Set(state.model.functions.map((f) => f.environment[p[4]]).filter((v) => v !== undefined));
    if (values.size === 1) return `Resolves to \`${escape([...values][0])}\` (${p[4]} in every function, as the runtime sets it)`;
  }
  return undefined;
}

function resolveReference(state: TemplateState, ref: Reference): string {
  const index = state.index!;
  const model = state.model;
  const region = DEFAULT_REGION;
  const account = DEFAULT_ACCOUNT_ID;
  if (ref.target.startsWith('AWS::')) {
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::NoValue': '(removes the property)',
      'AWS::NotificationARNs': '[]',
    };
    const value = pseudo[ref.target];
    return value
      ? `Resolves to \`${value}\` locally (region and account are Lambda Lab's defaults)`
      : "A pseudo parameter the runtime fills in from the template's folder name.";
  }
  const parameter = model?.parameters[ref.target];
  if (parameter !== undefined && !ref.attribute) {
    const declaration = index.parameters.get(ref.target);
    const type = scalarString(
      declaration?.value?.kind === 'map' ? declaration.value.entries.find((e) => e.key === 'Type')?.value : undefined,
    );
    return `Parameter${type ? ` (${type})` : ''}: resolves to \`${escape(parameter)}\``;
  }
  const resource = index.resources.get(ref.target);
  if (!resource) return 'Not declared in this template.';
  const fn = model?.functions.find((f) => f.logicalId === ref.target) ?? model?.unsupported.find((f) => f.logicalId === ref.target);
  if (fn) {
    const arn = `arn:aws:lambda:${region}:${account}:function:${fn.functionName}`;
    if (!ref.attribute) return `${resource.type}: resolves to its name \`${fn.functionName}\``;
    if (ref.attribute === 'Arn') return `${resource.type}: resolves to \`${arn}\``;
  }
  const layer = model?.layers.find((l) => l.logicalId === ref.target);
  if (layer && (!ref.attribute || ref.attribute === 'LayerVersionArn')) {
    return `${resource.type}: resolves to \`arn:aws:lambda:${region}:${account}:layer:${layer.layerName}:1\``;
  }
  const placeholder = ref.attribute ? `${ref.target}.${ref.attribute}` : ref.target;
  return `${resource.type ?? 'Resource'}: only a deployed stack knows this value; locally it resolves to the placeholder \`${placeholder}\` (give the real value in an --env-vars file)`;
}
