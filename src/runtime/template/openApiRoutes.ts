// Routes of an API defined by an inline OpenAPI document (SAM DefinitionBody, CloudFormation
// Body): each operation whose `x-amazon-apigateway-integration` is a Lambda proxy integration
// (`aws_proxy`) becomes a route to the function its `uri` names.
import { isPlainMap } from './globals';
import { HTTP_API_TIMEOUT_MS, REST_TIMEOUT_MS, type ApiConfig } from './httpModel';
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
        authorizer: typeof authorizer === 'string' && api.authorizers.some((a) => a.name === authorizer) ? authorizer : undefined,
        authorizationScopes: Array.isArray(scopes) ? scopes.map(String) : [],
        apiKeyRequired: Array.isArray(op.security) && op.security.some((s) => isPlainMap(s) && 'api_key' in s),
        source: `OpenAPI ${where}`,
      });
    }
  }
  return problems;
}
