// SAM's Globals: properties under `Globals.Function` apply to every AWS::Serverless::Function.
// Merged as SAM's translator merges them: maps merge key by key (recursively), lists
// concatenate (globals first), and for anything else — scalars, intrinsic functions, or
// values of different kinds — the resource's own value wins.
import type { TemplateDocument, TemplateMap, TemplateValue } from './templateDocument';

/** Properties SAM's translator accepts in Globals.Function (everything but Role, Policies, FunctionName, Events...). */
const FUNCTION_GLOBALS = new Set([
  'Handler',
  'Runtime',
  'CodeUri',
  'DeadLetterQueue',
  'Description',
  'MemorySize',
  'Timeout',
  'VpcConfig',
  'Environment',
  'Tags',
  'PropagateTags',
  'Tracing',
  'KmsKeyArn',
  'AutoPublishAlias',
  'AutoPublishAliasAllProperties',
  'Layers',
  'DeploymentPreference',
  'RolePath',
  'PermissionsBoundary',
  'ReservedConcurrentExecutions',
  'ProvisionedConcurrencyConfig',
  'AssumeRolePolicyDocument',
  'EventInvokeConfig',
  'FileSystemConfigs',
  'CodeSigningConfigArn',
  'Architectures',
  'SnapStart',
  'EphemeralStorage',
  'FunctionUrlConfig',
  'RuntimeManagementConfig',
  'LoggingConfig',
  'RecursiveLoop',
  'SourceKMSKeyArn',
  'TenancyConfig',
  'DurableConfig',
  'CapacityProviderConfig',
  'FunctionScalingConfig',
  'PublishToLatestPublished',
  'VersionDeletionPolicy',
]);

const GLOBAL_SECTIONS = new Set([
  'Api',
  'CapacityProvider',
  'Function',
  'HttpApi',
  'LayerVersion',
  'MicrovmImage',
  'NetworkConnector',
  'SimpleTable',
  'StateMachine',
  'WebSocketApi',
]);

export interface GlobalsProblem {
  node: unknown;
  key: string;
  message: string;
}

/** Reads `Globals`; returns the Function globals and the non-fatal problems; throws on a malformed section. */
export function readFunctionGlobals(doc: TemplateDocument): { globals: TemplateMap; problems: GlobalsProblem[] } {
  const section = doc.root.Globals;
  const problems: GlobalsProblem[] = [];
  if (section === undefined || section === null) return { globals: {}, problems };
  if (!isPlainMap(section)) {
    throw doc.error(doc.root, 'Globals', undefined, 'Globals must be a map of sections (Function, Api, ...)');
  }
  for (const name of Object.keys(section)) {
    if (!GLOBAL_SECTIONS.has(name)) {
      problems.push({ node: section, key: name, message: `Globals.${name} is not a section SAM knows; it is ignored` });
    }
  }
  const fn = section.Function;
  if (fn === undefined || fn === null) return { globals: {}, problems };
  if (!isPlainMap(fn)) {
    throw doc.error(section, 'Function', undefined, 'Globals.Function must be a map of function properties');
  }
  for (const key of Object.keys(fn)) {
    if (!FUNCTION_GLOBALS.has(key)) {
      throw doc.errorAtKey(
        fn,
        key,
        undefined,
        `'${key}' is not a supported property of Globals.Function (SAM rejects it); move it into each function's Properties`,
      );
    }
  }
  return { globals: fn, problems };
}

/** SAM's merge of global properties into a resource's own properties. */
export function mergeGlobals(doc: TemplateDocument, globals: TemplateMap, local: TemplateMap): TemplateMap {
  const merged = mergeValue(doc, globals, local);
  return isPlainMap(merged) ? merged : local;
}

function mergeValue(doc: TemplateDocument, global: TemplateValue, local: TemplateValue): TemplateValue {
  if (isPlainMap(global) && isPlainMap(local) && !isIntrinsic(global) && !isIntrinsic(local)) {
    const out: TemplateMap = { ...global };
    for (const [k, v] of Object.entries(local)) out[k] = k in global ? mergeValue(doc, global[k], v) : v;
    doc.trackMerged(out, [global, local]);
    return out;
  }
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  return local;
}

export function isPlainMap(value: unknown): value is TemplateMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A one-key map `{Ref: ...}` / `{Fn::...: ...}`: SAM treats those as opaque values. */
export function isIntrinsic(value: TemplateMap): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}
