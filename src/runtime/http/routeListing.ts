// The routes and URLs of a template as rows for `lambda-lab list` / `serve`: which function
// answers which method and path, through which API.
import type { TemplateModel } from '../functionConfig';
import type { HttpFrontDoors } from './frontDoors';

export interface RouteRow {
  functionId: string;
  /** `REST API ServerlessRestApi`, `HTTP API MyApi`, `function URL`. */
  door: string;
  method: string;
  /** Path as clients call it (stage prefix included); a full URL once served. */
  path: string;
  details: string;
}

export function routeRows(model: TemplateModel, served?: HttpFrontDoors): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const api of model.http?.apis ?? []) {
    const server = served?.apiServers().find((s) => s.config.logicalId === api.logicalId && s.config.templatePath === api.templatePath);
    const base = server ? server.url : api.stageName === '$default' ? '' : `/${api.stageName}`;
    for (const route of api.routes) {
      const details = [`payload ${route.payloadFormat}`];
      if (route.authorizer) details.push(`authorizer ${route.authorizer}`);
      if (route.apiKeyRequired) details.push('API key');
      rows.push({
        functionId: route.functionId,
        door: `${api.kind === 'rest' ? 'REST API' : 'HTTP API'} ${api.logicalId}`,
        method: route.method,
        path: route.path === '$default' ? `${base}/* ($default)` : `${base}${route.path}`,
        details: details.join(', '),
      });
    }
  }
  for (const spec of model.http?.functionUrls ?? []) {
    const fn = model.functions.find((f) => f.logicalId === spec.functionId);
    const server = fn ? served?.getUrl(fn.functionName, spec.qualifier) : undefined;
    rows.push({
      functionId: spec.functionId,
      door: 'function URL',
      method: 'ANY',
      path: server?.url ?? '/',
      details: [`auth ${spec.authType}`, spec.invokeMode, ...(spec.qualifier ? [`alias ${spec.qualifier}`] : [])].join(', '),
    });
  }
  return rows;
}

/** Aligned columns: function, front door, method, path or URL, details. */
export function formatRouteTable(rows: RouteRow[], pathHeader: 'PATH' | 'URL'): string {
  return formatRows(
    ['FUNCTION', 'FRONT DOOR', 'METHOD', pathHeader, ''],
    rows.map((r) => [r.functionId, r.door, r.method, r.path, r.details]),
  );
}

function formatRows(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
