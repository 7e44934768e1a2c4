// Routes of an API defined by an inline OpenAPI document (SAM DefinitionBody, CloudFormation
// Body): each operation whose `x-amazon-apigateway-integration` is a Lambda proxy integration
// (`aws_proxy`) becomes a route to the function its `uri` names.
import { isPlainMap } from './globals';
import { HTTP_API_TIMEOUT_MS, REST_TIMEOUT_MS, type ApiConfig, type AuthorizerConfig } from './httpModel';
import type { TemplateMap, TemplateValue } from './templateDocument';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
const ANY_METHOD = 'x-amazon-apigateway-any-method';

/** Adds the document's routes to `api`; returns what could not be served, for warnings. */
export function openApiRoutes(api: ApiConfig, body: TemplateMap, functionOf: (uri: TemplateValue) => string | undefined): string[] {
  const problems: string[] = [];
  const paths = isPlainMap(body.paths) ? body.paths : {};
  const binary = body['x-amazon-apigateway-binary-media-types'];
  if (Array.isArray(binary)) api.binaryMediaTypes.push(...binary.map(String));
  const maxTimeout = api.kind === 'rest' ? REST_TIMEOUT_MS : HTTP_API_TIMEOUT_MS;
  const schemes = openApiAuthorizers(api, body, functionOf, problems);
  for (const [path, item] of Object.entries(paths)) {
    if (!isPlainMap(item)) continue;
    for (const [key, op] of Object.entries(item)) {
      const method = key === ANY_METHOD ? 'ANY' : METHODS.has(key.toLowerCase()) ? key.toUpperCase() : undefined;
      if (!method || !isPlainMap(op)) continue;
      const integration = op['x-amazon-apigateway-integration'];
      if (!isPlainMap(integration)) continue;
      const where = `${method} ${path}`;
      if (String(integration.type ?? '').toLowerCase() !== 'aws_proxy') {
        problems.push(`${where}: only Lambda proxy integrations (type aws_proxy) are served locally, not ${String(integration.type)}`);
        continue;
      }
      const functionId = integration.uri === undefined ? undefined : functionOf(integration.uri);
      if (!functionId) {
        problems.push(`${where}: the integration uri does not name a function of this template`);
        continue;
      }
      const timeout = Number(integration.timeoutInMillis);
      const security = Array.isArray(op.security) ? op.security.find(isPlainMap) : undefined;
      const [authorizer, scopes] = security ? (Object.entries(security)[0] ?? []) : [];
      api.routes.push({
        method,
        // HTTP APIs write their catch-all route as the path `/$default`.
        path: path === '/$default' ? '$default' : path,
        functionId,
        payloadFormat: api.kind === 'rest' || String(integration.payloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0',
        timeoutMs: Number.isFinite(timeout) && timeout >= 50 ? Math.min(timeout, maxTimeout) : maxTimeout,
        // A scheme that could not be emulated stays named, so the route refuses requests instead of opening up.
        authorizer:
          typeof authorizer === 'string' && (schemes.has(authorizer) || api.authorizers.some((a) => a.name === authorizer))
            ? authorizer
            : undefined,
        authorizationScopes: Array.isArray(scopes) ? scopes.map(String) : [],
        apiKeyRequired: Array.isArray(op.security) && op.security.some((s) => isPlainMap(s) && 'api_key' in s),
        source: `OpenAPI ${where}`,
      });
    }
  }
  return problems;
}

/** Adds `x-amazon-apigateway-authorizer` security schemes (OpenAPI 3 components, Swagger 2 securityDefinitions); returns their names. */
function openApiAuthorizers(
  api: ApiConfig,
  body: TemplateMap,
  functionOf: (uri: TemplateValue) => string | undefined,
  problems: string[],
): Set<string> {
  const names = new Set<string>();
  const components = isPlainMap(body.components) ? body.components : {};
  const schemes = isPlainMap(components.securitySchemes)
    ? components.securitySchemes
    : isPlainMap(body.securityDefinitions)
      ? body.securityDefinitions
      : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isPlainMap(scheme) || !isPlainMap(scheme['x-amazon-apigateway-authorizer'])) continue;
    names.add(name);
    if (api.authorizers.some((a) => a.name === name)) continue;
    const auth = scheme['x-amazon-apigateway-authorizer'];
    const type = String(auth.type ?? '').toLowerCase();
    const sources = (Array.isArray(auth.identitySource) ? auth.identitySource.map(String) : String(auth.identitySource ?? '').split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    let config: AuthorizerConfig | undefined;
    if (type === 'jwt' && isPlainMap(auth.jwtConfiguration)) {
      const jwt = auth.jwtConfiguration;
      config = {
        kind: 'jwt',
        name,
        identitySources: sources.length ? sources : ['$request.header.Authorization'],
        issuer: typeof jwt.issuer === 'string' ? jwt.issuer : undefined,
        audiences: Array.isArray(jwt.audience) ? jwt.audience.map(String) : [],
      };
    } else if (type === 'token' || type === 'request') {
      const functionName = auth.authorizerUri === undefined ? undefined : functionOf(auth.authorizerUri);
      if (!functionName) {
        problems.push(`authorizer ${name}: authorizerUri does not name a function of this template; requests it guards are refused`);
        continue;
      }
      const header = typeof scheme.name === 'string' ? scheme.name : 'Authorization';
      config = {
        kind: 'lambda',
        name,
        functionName,
        type: type === 'token' && api.kind === 'rest' ? 'TOKEN' : 'REQUEST',
        payloadFormat: String(auth.authorizerPayloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0',
        simpleResponses: auth.enableSimpleResponses === true,
        identitySources: sources.length ? sources : [api.kind === 'rest' ? `method.request.header.${header}` : `$request.header.${header}`],
      };
    } else {
      problems.push(`authorizer ${name}: type ${String(auth.type)} is not emulated; requests it guards are refused`);
      continue;
    }
    api.authorizers.push(config);
  }
  return names;
}
