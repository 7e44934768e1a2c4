// The function URL operations of the Lambda API (2021-10-31): Create/Get/Update/Delete/List
// FunctionUrlConfig(s), backed by the running front doors, so `FunctionUrl` is a URL that answers.
import type { FunctionConfig } from '../functionConfig';
import { LambdaServiceError } from '../errors/serviceErrors';
import type { LocalRuntime } from '../localRuntime';
import type { HttpFrontDoors } from '../http/frontDoors';
import type { FunctionUrlServer } from '../http/functionUrlServer';
import { functionArn } from '../store/arns';
import { invalidParameter } from '../errors/serviceErrors';
import type { CorsConfig, FunctionUrlSpec } from '../template/httpModel';
import type { ApiRequest } from './apiRequest';
import { lookupFunction, type Route } from './managementRoutes';

type Json = Record<string, unknown>;

const notFound = () => new LambdaServiceError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);

export function functionUrlRoutes(runtime: LocalRuntime, doors: HttpFrontDoors): Route[] {
  const target = (r: ApiRequest) => {
    const { fn, qualifier } = lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
    return { fn, qualifier: qualifier && qualifier !== '$LATEST' ? qualifier : undefined };
  };
  const arn = (fn: FunctionConfig, qualifier?: string) =>
    functionArn({ region: runtime.region, accountId: runtime.accountId }, fn.functionName, qualifier);
  const shape = (server: FunctionUrlServer, fn: FunctionConfig, withModified = true): Json => ({
    FunctionUrl: server.url,
    FunctionArn: arn(fn, server.spec.qualifier),
    AuthType: server.spec.authType,
    ...(server.spec.cors ? { Cors: corsShape(server.spec.cors) } : {}),
    CreationTime: server.createdAt.toISOString(),
    ...(withModified ? { LastModifiedTime: server.lastModifiedAt.toISOString() } : {}),
    InvokeMode: server.spec.invokeMode,
  });
  return [
    {
      method: 'POST',
      pattern: ['2021-10-31', 'functions', '{FunctionName}', 'url'],
      handler: async (r) => {
        const { fn, qualifier } = target(r);
        const body = await r.json();
        if (doors.getUrl(fn.functionName, qualifier)) {
          throw new LambdaServiceError(
            'ResourceConflictException',
            `Failed to create function url config for [functionArn = ${arn(fn, qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
            409,
          );
        }
        const spec = specFrom(fn.logicalId, qualifier, body, undefined);
        const server = await doors.createUrl(fn.functionName, spec);
        r.send(201, shape(server, fn, false));
      },
    },
    {
      method: 'GET',
      pattern: ['2021-10-31', 'functions', '{FunctionName}', 'url'],
      handler: async (r) => {
        const { fn, qualifier } = target(r);
        const server = doors.getUrl(fn.functionName, qualifier);
        if (!server) throw notFound();
        r.send(200, shape(server, fn));
      },
    },
    {
      method: 'PUT',
      pattern: ['2021-10-31', 'functions', '{FunctionName}', 'url'],
      handler: async (r) => {
        const { fn, qualifier } = target(r);
        const server = doors.getUrl(fn.functionName, qualifier);
        if (!server) throw notFound();
        server.spec = specFrom(fn.logicalId, qualifier, await r.json(), server.spec);
        server.lastModifiedAt = new Date();
        r.send(200, shape(server, fn));
      },
    },
    {
      method: 'DELETE',
      pattern: ['2021-10-31', 'functions', '{FunctionName}', 'url'],
      handler: async (r) => {
        const { fn, qualifier } = target(r);
        if (!(await doors.deleteUrl(fn.functionName, qualifier))) throw notFound();
        r.send(204);
      },
    },
    {
      method: 'GET',
      pattern: ['2021-10-31', 'functions', '{FunctionName}', 'urls'],
      handler: async (r) => {
        const { fn } = lookupFunction(runtime, r.params.FunctionName, undefined);
        const all = doors.listUrls(fn.functionName).map((s) => shape(s, fn));
        const start = Number(r.query.get('Marker') ?? 0) || 0;
        const max = Math.min(Number(r.query.get('MaxItems') ?? 50) || 50, 50);
        const out: Json = { FunctionUrlConfigs: all.slice(start, start + max) };
        if (start + max < all.length) out.NextMarker = String(start + max);
        r.send(200, out);
      },
    },
  ];
}

function corsShape(cors: CorsConfig): Json {
  return {
    AllowCredentials: cors.allowCredentials,
    AllowHeaders: cors.allowHeaders,
    AllowMethods: cors.allowMethods,
    AllowOrigins: cors.allowOrigins,
    ExposeHeaders: cors.exposeHeaders,
    ...(cors.maxAge !== undefined ? { MaxAge: cors.maxAge } : {}),
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** The request's AuthType/Cors/InvokeMode over the previous settings (Update keeps what it omits). */
function specFrom(functionId: string, qualifier: string | undefined, body: Json, previous: FunctionUrlSpec | undefined): FunctionUrlSpec {
  const authType = body.AuthType ?? previous?.authType;
  if (authType !== 'NONE' && authType !== 'AWS_IAM') {
    throw invalidParameter(
      `1 validation error detected: Value '${String(authType)}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]`,
    );
  }
  const invokeMode = body.InvokeMode ?? previous?.invokeMode ?? 'BUFFERED';
  if (invokeMode !== 'BUFFERED' && invokeMode !== 'RESPONSE_STREAM') {
    throw invalidParameter(
      `1 validation error detected: Value '${String(invokeMode)}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]`,
    );
  }
  let cors = previous?.cors;
  if (body.Cors && typeof body.Cors === 'object') {
    const c = body.Cors as Json;
    cors = {
      allowOrigins: strings(c.AllowOrigins),
      allowMethods: strings(c.AllowMethods),
      allowHeaders: strings(c.AllowHeaders),
      exposeHeaders: strings(c.ExposeHeaders),
      allowCredentials: c.AllowCredentials === true,
      maxAge: typeof c.MaxAge === 'number' ? c.MaxAge : undefined,
    };
  }
  return { functionId, authType, invokeMode, cors, qualifier };
}
