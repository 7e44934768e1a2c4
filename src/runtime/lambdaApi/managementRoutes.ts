// Lambda API operations other than Invoke: functions, versions, aliases, concurrency, layers.
// Paths, bodies and statuses as Lambda's REST API defines them (what @aws-sdk/client-lambda sends).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FunctionConfig } from '../functionConfig';
import { functionNotFound, invalidParameter, layerVersionNotFound, resourceNotFound, validationError } from '../errors/serviceErrors';
import type { LocalRuntime } from '../localRuntime';
import { functionArn, layerArn, parseFunctionName, parseLayerArn } from '../store/arns';
import { MAX_UNZIPPED_BYTES } from '../store/zipExtract';
import { DEFAULT_ACCOUNT_CONCURRENCY, type DeploymentStore } from '../versions/deploymentStore';
import type { RoutingConfig, VersionInfo } from '../versions/versionStore';
import { aliasConfiguration, functionConfiguration, layerVersion, layerVersionItem, type Json } from './apiShapes';
import type { ApiRequest } from './apiRequest';
import {
  ALIAS_NAME,
  checked,
  checkedInteger,
  FUNCTION_NAME,
  FUNCTION_VERSION,
  LAYER_NAME,
  LAYER_VERSION_ARN,
  QUALIFIER,
} from './lambdaPatterns';

export type RouteHandler = (r: ApiRequest) => Promise<void>;

export interface Route {
  method: string;
  /** Path segments; `{name}` captures one segment. */
  pattern: string[];
  handler: RouteHandler;
}

const route = (method: string, path: string, handler: RouteHandler): Route => ({
  method,
  pattern: path.split('/').filter(Boolean),
  handler,
});

/** Resolves the `{FunctionName}` path parameter (name, partial or full ARN, `name:qualifier`). */
export function lookupFunction(
  runtime: LocalRuntime,
  raw: string,
  queryQualifier: string | undefined,
): { fn: FunctionConfig; qualifier?: string } {
  const parsed = parseFunctionName(checked(raw, 'functionName', FUNCTION_NAME));
  if (queryQualifier !== undefined) checked(queryQualifier, 'qualifier', QUALIFIER);
  const fn = runtime.getFunction(parsed.name);
  if (!fn) {
    const known =
      runtime
        .functions()
        .map((f) => f.functionName)
        .join(', ') || 'none (no template loaded)';
    throw functionNotFound(
      `${functionArn({ region: runtime.region, accountId: runtime.accountId }, parsed.name, parsed.qualifier)}. Known functions: ${known}`,
    );
  }
  if (parsed.qualifier && queryQualifier && parsed.qualifier !== queryQualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  return { fn, qualifier: queryQualifier || parsed.qualifier };
}

/** Marker/MaxItems pagination as Lambda's List operations do it; markers are the NextMarker this server gave. */
function page<T>(r: ApiRequest, items: T[], key: string, maxItemsLimit = 10_000): Json {
  const marker = r.query.get('Marker');
  if (marker !== null && !/^\d+$/.test(marker)) {
    throw invalidParameter(`Marker ${JSON.stringify(marker)} is not a NextMarker this API returned; start without Marker.`);
  }
  const start = Number(marker ?? 0);
  const maxItems = r.query.get('MaxItems');
  const max = maxItems === null ? Math.min(50, maxItemsLimit) : checkedInteger(maxItems, 'maxItems', 1, maxItemsLimit);
  const out: Json = { [key]: items.slice(start, start + max) };
  if (start + max < items.length) out.NextMarker = String(start + max);
  return out;
}

function optionalString(body: Json, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field} must be a string.`);
  return value;
}

/** Description of a version or alias: at most 256 characters. */
function description(body: Json): string | undefined {
  const value = optionalString(body, 'Description');
  if (value !== undefined && value.length > 256)
    throw validationError(value, 'description', 'Member must have length less than or equal to 256');
  return value;
}

function functionVersionField(body: Json): string | undefined {
  const value = optionalString(body, 'FunctionVersion');
  return value === undefined ? undefined : checked(value, 'functionVersion', FUNCTION_VERSION);
}

/** AliasRoutingConfiguration: a map of one version number to a weight in [0, 1]. */
function routingConfig(body: Json): RoutingConfig | undefined {
  const value = body.RoutingConfig;
  if (value === undefined || value === null) return undefined;
  const shape = 'RoutingConfig must be {"AdditionalVersionWeights": {"<version>": <weight 0.0-1.0>}}';
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${shape}.`);
  const weights = (value as Json).AdditionalVersionWeights;
  if (weights === undefined || weights === null) return { AdditionalVersionWeights: {} };
  if (typeof weights !== 'object' || Array.isArray(weights)) throw invalidParameter(`${shape}; got ${JSON.stringify(weights)}.`);
  for (const [version, weight] of Object.entries(weights)) {
    checked(version, 'routingConfig.additionalVersionWeights.key', { pattern: '[0-9]+', maxLength: 1024 });
    if (typeof weight !== 'number') throw invalidParameter(`${shape}; the weight of version ${version} is ${JSON.stringify(weight)}.`);
  }
  return { AdditionalVersionWeights: weights as Record<string, number> };
}

export function managementRoutes(runtime: LocalRuntime, deployment: DeploymentStore): Route[] {
  const { versions, layers } = deployment;
  const fnParam = (r: ApiRequest) => lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
  const aliasParam = (r: ApiRequest) => checked(r.params.Name, 'name', ALIAS_NAME);
  /** `{LayerName}`: a name or a layer ARN. */
  const layerParam = (r: ApiRequest) => checked(r.params.LayerName, 'layerName', LAYER_NAME).split(':').pop()!;

  /** A qualifier (version or alias) → the version it names now (an alias: its primary version). */
  const versionFor = async (fn: FunctionConfig, qualifier: string | undefined): Promise<VersionInfo> => {
    if (!qualifier || qualifier === '$LATEST' || /^\d+$/.test(qualifier)) return versions.version(fn, qualifier ?? '$LATEST');
    return versions.version(fn, (await versions.alias(fn, qualifier)).functionVersion);
  };

  const latestLayer = async (name: string) => {
    const all = await layers.versions(name);
    if (all.length === 0) throw resourceNotFound(`Layer not found: ${layerArn(layers.arnContext, name)}`);
    return all;
  };

  const serveFile = async (r: ApiRequest, root: string) => {
    const name = basename(r.params.File);
    if (!/^[0-9a-f]{64}\.zip$/.test(name)) throw resourceNotFound(`No package ${r.params.File}`);
    const path = join(root, name);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw resourceNotFound(`No package ${name}`);
    r.res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': info.size, 'x-amzn-RequestId': r.requestId });
    createReadStream(path).pipe(r.res);
  };

  return [
    route('GET', '/2016-08-19/account-settings', async (r) => {
      const limit = deployment.options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
      let reserved = 0;
      let codeSize = 0;
      for (const fn of runtime.functions()) {
        reserved += (await versions.reservedConcurrency(fn)) ?? 0;
        codeSize += (await versions.latest(fn)).codeSize;
      }
      r.send(200, {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: limit,
          UnreservedConcurrentExecutions: limit - reserved,
        },
        AccountUsage: { TotalCodeSize: codeSize, FunctionCount: runtime.functions().length },
      });
    }),
    route('GET', '/2015-03-31/functions', async (r) => {
      const functionVersion = r.query.get('FunctionVersion');
      if (functionVersion !== null && functionVersion !== 'ALL') {
        throw validationError(functionVersion, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
      }
      const all = functionVersion === 'ALL';
      const items: Json[] = [];
      for (const fn of runtime.functions()) {
        items.push(functionConfiguration(versions, fn, await versions.latest(fn)));
        if (all) for (const v of await versions.versions(fn)) items.push(functionConfiguration(versions, fn, v));
      }
      r.send(200, page(r, items, 'Functions'));
    }),
    route('GET', '/2015-03-31/functions/{FunctionName}', async (r) => {
      const { fn, qualifier } = fnParam(r);
      const info = await versionFor(fn, qualifier);
      // No package yet (an esbuild function not built so far): the configuration still answers.
      const zip = await versions.packagePath(fn, info).catch(() => undefined);
      const out: Json = {
        Configuration: functionConfiguration(versions, fn, info),
        Code: zip ? { RepositoryType: 'S3', Location: `${r.baseUrl()}/lambda-lab/code/${basename(zip)}` } : { RepositoryType: 'S3' },
        Tags: {},
      };
      const reserved = await versions.reservedConcurrency(fn);
      if (reserved !== undefined) out.Concurrency = { ReservedConcurrentExecutions: reserved };
      r.send(200, out);
    }),
    route('GET', '/2015-03-31/functions/{FunctionName}/configuration', async (r) => {
      const { fn, qualifier } = fnParam(r);
      r.send(200, functionConfiguration(versions, fn, await versionFor(fn, qualifier)));
    }),
    route('POST', '/2015-03-31/functions/{FunctionName}/versions', async (r) => {
      const { fn } = fnParam(r);
      const body = await r.json();
      const published = await versions.publish(fn, {
        description: description(body),
        codeSha256: optionalString(body, 'CodeSha256'),
        revisionId: optionalString(body, 'RevisionId'),
      });
      r.send(201, functionConfiguration(versions, fn, published));
    }),
    route('GET', '/2015-03-31/functions/{FunctionName}/versions', async (r) => {
      const { fn } = fnParam(r);
      const items = [await versions.latest(fn), ...(await versions.versions(fn))].map((v) => functionConfiguration(versions, fn, v));
      r.send(200, page(r, items, 'Versions'));
    }),
    route('POST', '/2015-03-31/functions/{FunctionName}/aliases', async (r) => {
      const { fn } = fnParam(r);
      const body = await r.json();
      const name = optionalString(body, 'Name');
      if (!name) throw invalidParameter('Name is required to create an alias.');
      checked(name, 'name', ALIAS_NAME);
      const alias = await versions.createAlias(fn, name, {
        functionVersion: functionVersionField(body),
        description: description(body),
        routingConfig: routingConfig(body),
      });
      r.send(201, aliasConfiguration(versions, fn, alias));
    }),
    route('GET', '/2015-03-31/functions/{FunctionName}/aliases', async (r) => {
      const { fn } = fnParam(r);
      const functionVersion = r.query.get('FunctionVersion');
      if (functionVersion !== null) checked(functionVersion, 'functionVersion', FUNCTION_VERSION);
      const aliases = await versions.aliases(fn, functionVersion ?? undefined);
      r.send(
        200,
        page(
          r,
          aliases.map((a) => aliasConfiguration(versions, fn, a)),
          'Aliases',
        ),
      );
    }),
    route('GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', async (r) => {
      const { fn } = fnParam(r);
      r.send(200, aliasConfiguration(versions, fn, await versions.alias(fn, aliasParam(r))));
    }),
    route('PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', async (r) => {
      const { fn } = fnParam(r);
      const body = await r.json();
      const alias = await versions.updateAlias(fn, aliasParam(r), {
        functionVersion: functionVersionField(body),
        description: description(body),
        routingConfig: routingConfig(body),
        revisionId: optionalString(body, 'RevisionId'),
      });
      r.send(200, aliasConfiguration(versions, fn, alias));
    }),
    route('DELETE', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', async (r) => {
      const { fn } = fnParam(r);
      await versions.deleteAlias(fn, aliasParam(r));
      r.send(204);
    }),
    route('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', async (r) => {
      const { fn } = fnParam(r);
      const value = (await r.json()).ReservedConcurrentExecutions;
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw invalidParameter('ReservedConcurrentExecutions must be a whole number of 0 or more.');
      }
      checkedInteger(String(value), 'reservedConcurrentExecutions', 0, Number.MAX_SAFE_INTEGER);
      await deployment.setReservedConcurrency(fn.functionName, value);
      r.send(200, { ReservedConcurrentExecutions: value });
    }),
    route('GET', '/2019-09-30/functions/{FunctionName}/concurrency', async (r) => {
      const { fn } = fnParam(r);
      const reserved = await versions.reservedConcurrency(fn);
      r.send(200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
    }),
    route('DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', async (r) => {
      const { fn } = fnParam(r);
      await deployment.setReservedConcurrency(fn.functionName, null);
      r.send(204);
    }),
    route('GET', '/2018-10-31/layers', async (r) => {
      if (r.query.get('find') === 'LayerVersion') {
        // GetLayerVersionByArn
        const arn = checked(r.query.get('Arn') ?? '', 'arn', LAYER_VERSION_ARN);
        const parsed = parseLayerArn(arn);
        const record = parsed?.version !== undefined ? await layers.get(parsed.layerName, parsed.version) : undefined;
        if (!record) throw layerVersionNotFound(arn);
        r.send(200, layerVersion(layers, record, `${r.baseUrl()}/lambda-lab/layers/${record.hashHex}.zip`));
        return;
      }
      const runtimeFilter = r.query.get('CompatibleRuntime');
      const archFilter = r.query.get('CompatibleArchitecture');
      const items: Json[] = [];
      for (const name of await layers.layerNames()) {
        const matching = (await layers.versions(name)).filter(
          (v) =>
            (!runtimeFilter || v.compatibleRuntimes.includes(runtimeFilter)) &&
            (!archFilter || v.compatibleArchitectures.includes(archFilter)),
        );
        const latest = matching[matching.length - 1];
        if (latest)
          items.push({
            LayerName: name,
            LayerArn: layerArn(layers.arnContext, name),
            LatestMatchingVersion: layerVersionItem(layers, latest),
          });
      }
      r.send(200, page(r, items, 'Layers', 50));
    }),
    route('GET', '/2018-10-31/layers/{LayerName}/versions', async (r) => {
      const all = await latestLayer(layerParam(r));
      r.send(
        200,
        page(
          r,
          [...all].reverse().map((v) => layerVersionItem(layers, v)),
          'LayerVersions',
          50,
        ),
      );
    }),
    route('GET', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', async (r) => {
      const name = layerParam(r);
      const version = checkedInteger(r.params.VersionNumber, 'versionNumber', 1, Number.MAX_SAFE_INTEGER);
      const record = await layers.get(name, version);
      if (!record) throw layerVersionNotFound(layerArn(layers.arnContext, name, version));
      r.send(200, layerVersion(layers, record, `${r.baseUrl()}/lambda-lab/layers/${record.hashHex}.zip`));
    }),
    // Code.Location / Content.Location of the answers above: the stored deployment packages.
    route('GET', '/lambda-lab/code/{File}', (r) => serveFile(r, versions.code.root)),
    route('GET', '/lambda-lab/layers/{File}', (r) => serveFile(r, layers.content.root)),
  ];
}
