// SAM / CloudFormation template → TemplateModel: the functions and layers the runtime can run,
// those it can't (with the reason), resolved parameters and non-fatal diagnostics.
// Fatal problems throw TemplateError pointing at file:line:col and the resource.
import { basename, dirname, resolve } from 'node:path';
import type {
  FunctionConfig,
  LayerConfig,
  SourcePosition,
  TemplateDiagnostic,
  TemplateModel,
  UnsupportedFunction,
} from '../functionConfig';
import { readAsyncInvokeSettings } from './asyncInvokeResources';
import { readEnvVarsFile } from './envVarsFile';
import { functionNameOf, LAMBDA_FUNCTION, readFunction, SERVERLESS_FUNCTION } from './functionResource';
import { isPlainMap, readFunctionGlobals } from './globals';
import { readHttpFrontDoors } from './httpFrontDoorsReader';
import { IntrinsicResolver, type IntrinsicScope } from './intrinsics';
import { LAMBDA_LAYER, readLayer, SERVERLESS_LAYER } from './layerResource';
import type { LoadContext } from './loadContext';
import { checkDependencyCycles } from './dependencyCycles';
import { resolveParameters } from './parameters';
import { functionNameProblem, logicalIdProblem, parseLayerName } from './resourceNames';
import { TemplateDocument, type TemplateMap } from './templateDocument';

export interface TemplateLoadOptions {
  /** Folder for generated files (inline code, esbuild output): `<stateDir>/inline/<id>`, `<stateDir>/build/<id>`. */
  stateDir: string;
  /** SAM `--env-vars` shaped JSON file. */
  envVarsFile?: string;
  parameterOverrides?: Record<string, string>;
  /** Default us-east-1. */
  region?: string;
  /** Default 123456789012. */
  accountId?: string;
  /** Layer ARNs the user chose to run without (a `null` in the layer ARN map). */
  withoutLayers?: string[];
  /** The template's text when it differs from the file (an editor's unsaved buffer). */
  text?: string;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

const FUNCTION_TYPES = new Set([SERVERLESS_FUNCTION, LAMBDA_FUNCTION]);
const LAYER_TYPES = new Set([SERVERLESS_LAYER, LAMBDA_LAYER]);

export async function loadTemplate(templatePath: string, opts: TemplateLoadOptions): Promise<TemplateModel> {
  const absolutePath = resolve(templatePath);
  const doc = opts.text === undefined ? TemplateDocument.fromFile(absolutePath) : TemplateDocument.parse(opts.text, absolutePath);
  const envVars = opts.envVarsFile ? readEnvVarsFile(resolve(opts.envVarsFile)) : undefined;
  const region = opts.region ?? DEFAULT_REGION;
  const accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;

  const resources = doc.root.Resources;
  if (!isPlainMap(resources) || Object.keys(resources).length === 0) {
    throw doc.error(doc.root, 'Resources', undefined, 'the template has no Resources; declare your functions under Resources');
  }
  const resourcePosition = (logicalId: string): SourcePosition =>
    doc.keyPositionOf(resources, logicalId) ?? doc.positionOf(resources) ?? { line: 1, column: 1 };
  const diagnostics: TemplateDiagnostic[] = [];
  const warn = (node: unknown, key: string | number | undefined, resource: string | undefined, message: string): void => {
    const position = doc.positionOf(node, key) ?? doc.positionOf(node) ?? (resource ? resourcePosition(resource) : { line: 1, column: 1 });
    diagnostics.push({ severity: 'warning', message, templatePath: absolutePath, position, ...(resource ? { resource } : {}) });
  };

  for (const w of doc.warnings) {
    diagnostics.push({ severity: 'warning', message: w.message, templatePath: absolutePath, position: w.position });
  }
  for (const logicalId of Object.keys(resources)) {
    const problem = logicalIdProblem(logicalId);
    if (problem) throw doc.errorAtKey(resources, logicalId, undefined, problem);
  }
  checkDependencyCycles(doc, resources);

  const parameters = resolveParameters(doc, envVars?.global ?? {}, opts.parameterOverrides ?? {});
  for (const w of parameters.warnings) warn(w.node, w.key, undefined, w.message);
  const typeOf = (logicalId: string): string | undefined => {
    const r = resources[logicalId];
    return isPlainMap(r) && typeof r.Type === 'string' ? r.Type : undefined;
  };

  // Function names are needed by Ref/GetAtt from any other resource, so they resolve on demand.
  const names = new Map<string, string>();
  const naming = new Set<string>();
  const nameOf = (logicalId: string): string => {
    const known = names.get(logicalId);
    if (known) return known;
    const resource = resources[logicalId] as TemplateMap;
    if (naming.has(logicalId)) {
      throw doc.error(resource.Properties, 'FunctionName', logicalId, 'FunctionName refers to the function itself');
    }
    naming.add(logicalId);
    const name = functionNameOf(ctx, logicalId, resource);
    naming.delete(logicalId);
    const problem = functionNameProblem(name);
    if (problem) throw doc.error(resource.Properties, 'FunctionName', logicalId, problem, resourcePosition(logicalId));
    names.set(logicalId, name);
    return name;
  };
  const scope: IntrinsicScope = {
    doc,
    parameters: parameters.values,
    pseudoParameters: pseudoParameters(absolutePath, region, accountId),
    resources,
    conditions: section(doc, 'Conditions'),
    mappings: section(doc, 'Mappings'),
    refOfResource(logicalId) {
      const type = typeOf(logicalId);
      if (type && FUNCTION_TYPES.has(type)) return nameOf(logicalId);
      if (type && LAYER_TYPES.has(type)) return layerArn(logicalId);
      return undefined;
    },
    getAttOfResource(logicalId, attribute) {
      const type = typeOf(logicalId);
      if (type && FUNCTION_TYPES.has(type) && attribute === 'Arn') {
        return `arn:${partitionOf(region)}:lambda:${region}:${accountId}:function:${nameOf(logicalId)}`;
      }
      if (type && LAYER_TYPES.has(type) && attribute === 'LayerVersionArn') return layerArn(logicalId);
      return undefined;
    },
    warn,
  };
  const layerArn = (logicalId: string): string => {
    const props = (resources[logicalId] as TemplateMap).Properties;
    const parsed = parseLayerName(isPlainMap(props) && typeof props.LayerName === 'string' ? props.LayerName : logicalId);
    const name = 'name' in parsed ? parsed.name : logicalId;
    return `arn:${partitionOf(region)}:lambda:${region}:${accountId}:layer:${name}:1`;
  };
  const resolver = new IntrinsicResolver(scope);
  const globals = readFunctionGlobals(doc);
  for (const p of globals.problems) warn(p.node, p.key, undefined, p.message);
  const ctx: LoadContext = {
    doc,
    resolver,
    templateDir: dirname(absolutePath),
    stateDir: resolve(opts.stateDir),
    functionGlobals: globals.globals,
    warn,
    resourcePosition,
    isLayer: (logicalId) => LAYER_TYPES.has(typeOf(logicalId) ?? ''),
    withoutLayers: new Set(opts.withoutLayers ?? []),
  };

  const functions: FunctionConfig[] = [];
  const unsupported: UnsupportedFunction[] = [];
  const layers: LayerConfig[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isPlainMap(resource) || typeof resource.Type !== 'string') {
      throw doc.error(resources, logicalId, logicalId, 'a resource must be a map with a Type (e.g. AWS::Serverless::Function)');
    }
    if (!FUNCTION_TYPES.has(resource.Type) && !LAYER_TYPES.has(resource.Type)) continue;
    if (typeof resource.Condition === 'string' && !resolver.condition(resource.Condition, logicalId, resource, 'Condition')) continue;
    if (LAYER_TYPES.has(resource.Type)) {
      const layer = readLayer(ctx, logicalId, resource);
      if (layer) layers.push(layer);
      continue;
    }
    const result = readFunction(ctx, logicalId, resource, nameOf(logicalId), envVars);
    if ('config' in result) functions.push(result.config);
    else unsupported.push(result.unsupported);
  }
  checkUniqueNames(doc, resources, [...functions, ...unsupported]);
  const asyncInvoke = readAsyncInvokeSettings(ctx, resources, functions, { region, accountId });
  const http = readHttpFrontDoors(ctx, resources, functions);
  return { templatePath: absolutePath, functions, unsupported, layers, parameters: parameters.strings, diagnostics, asyncInvoke, http };
}

function section(doc: TemplateDocument, name: string): TemplateMap {
  const value = doc.root[name] ?? {};
  if (!isPlainMap(value)) throw doc.error(doc.root, name, undefined, `${name} must be a map`);
  return value;
}

function pseudoParameters(templatePath: string, region: string, accountId: string): Record<string, string> {
  const stackName = stackNameFor(templatePath);
  const partition = partitionOf(region);
  return {
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:${partition}:cloudformation:${region}:${accountId}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
    'AWS::Partition': partition,
    'AWS::URLSuffix': region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
}

/** The template's folder name, made a valid stack name; `lambda-lab` if nothing is left. */
function stackNameFor(templatePath: string): string {
  const name = basename(dirname(templatePath))
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '')
    .slice(0, 128);
  return name || 'lambda-lab';
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Two functions with one name can't coexist in Lambda; locally they'd make invokes ambiguous. */
function checkUniqueNames(
  doc: TemplateDocument,
  resources: TemplateMap,
  entries: Array<{ logicalId: string; functionName: string }>,
): void {
  const seen = new Map<string, string>();
  for (const { logicalId, functionName } of entries) {
    const other = seen.get(functionName);
    if (other) {
      const props = (resources[logicalId] as TemplateMap).Properties;
      throw doc.error(
        props,
        'FunctionName',
        logicalId,
        `FunctionName ${functionName} is also the name of ${other}; function names must be unique`,
        doc.keyPositionOf(resources, logicalId),
      );
    }
    seen.set(functionName, logicalId);
  }
}
