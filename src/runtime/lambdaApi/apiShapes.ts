// The JSON shapes of Lambda's API responses (FunctionConfiguration, AliasConfiguration,
// layer versions), built from the local model and stores.
import type { FunctionConfig } from '../functionConfig';
import type { LayerStore, LayerVersionRecord } from '../layers/layerStore';
import { layerArn } from '../store/arns';
import type { AliasRecord, VersionInfo, VersionStore } from '../versions/versionStore';

export type Json = Record<string, unknown>;

export function functionConfiguration(store: VersionStore, fn: FunctionConfig, info: VersionInfo): Json {
  const config = info.config;
  const qualified = info.version === '$LATEST' ? undefined : info.version;
  const logging: Json = { LogFormat: config.loggingConfig.logFormat, LogGroup: config.loggingConfig.logGroup };
  if (config.loggingConfig.applicationLogLevel) logging.ApplicationLogLevel = config.loggingConfig.applicationLogLevel;
  if (config.loggingConfig.systemLogLevel) logging.SystemLogLevel = config.loggingConfig.systemLogLevel;
  const out: Json = {
    FunctionName: fn.functionName,
    FunctionArn: store.arn(fn, qualified),
    Runtime: config.runtime,
    Role: `arn:aws:iam::${store.arnContext.accountId}:role/lambda-lab-local`,
    Handler: config.handler,
    CodeSize: info.codeSize,
    Description: info.version === '$LATEST' ? (config.description ?? '') : info.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: info.lastModified,
    CodeSha256: info.codeSha256,
    Version: info.version,
    Environment: { Variables: config.environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: info.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: config.architectures,
    EphemeralStorage: { Size: config.ephemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: logging,
  };
  if (info.layers.length) out.Layers = info.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  return out;
}

export function aliasConfiguration(store: VersionStore, fn: FunctionConfig, alias: AliasRecord): Json {
  const out: Json = {
    AliasArn: store.arn(fn, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
  };
  if (alias.routingConfig?.AdditionalVersionWeights && Object.keys(alias.routingConfig.AdditionalVersionWeights).length) {
    out.RoutingConfig = { AdditionalVersionWeights: alias.routingConfig.AdditionalVersionWeights };
  }
  return out;
}

/** LayerVersionsListItem (ListLayerVersions, ListLayers' LatestMatchingVersion). */
export function layerVersionItem(layers: LayerStore, record: LayerVersionRecord): Json {
  return {
    LayerVersionArn: layers.arn(record),
    Version: record.version,
    Description: record.description ?? '',
    CreatedDate: record.createdDate,
    CompatibleRuntimes: record.compatibleRuntimes,
    CompatibleArchitectures: record.compatibleArchitectures,
  };
}

/** GetLayerVersion's response; `location` is where this server serves the layer's zip. */
export function layerVersion(layers: LayerStore, record: LayerVersionRecord, location: string): Json {
  return {
    Content: { Location: location, CodeSha256: record.codeSha256, CodeSize: record.codeSize },
    LayerArn: layerArn(layers.arnContext, record.layerName),
    ...layerVersionItem(layers, record),
  };
}
