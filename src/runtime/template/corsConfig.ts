// CORS settings as each front door declares them: SAM's `Cors` for REST APIs (values are quoted
// strings, as SAM passes them into the generated OPTIONS method), `CorsConfiguration` for HTTP
// APIs and `Cors` for function URLs (lists, AWS's own casing).
import type { CorsConfig } from './httpModel';
import { isPlainMap } from './globals';
import type { TemplateValue } from './templateDocument';

/** `'*'` → `*`: SAM wants header values quoted as in a mapping template. */
function unquote(value: string): string {
  const t = value.trim();
  return t.length >= 2 && t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1) : t;
}

function csv(value: TemplateValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => csv(v));
  return unquote(String(value))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function seconds(value: TemplateValue | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(unquote(String(value)));
  return Number.isFinite(n) ? n : undefined;
}

/** SAM `AWS::Serverless::Api` `Cors`: a quoted origin string, or AllowOrigin/AllowMethods/AllowHeaders/MaxAge/AllowCredentials. */
export function restApiCors(value: TemplateValue | undefined): CorsConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainMap(value))
    return { allowOrigins: csv(value), allowMethods: [], allowHeaders: [], exposeHeaders: [], allowCredentials: false };
  return {
    allowOrigins: csv(value.AllowOrigin),
    allowMethods: csv(value.AllowMethods),
    allowHeaders: csv(value.AllowHeaders),
    exposeHeaders: [],
    allowCredentials: value.AllowCredentials === true || value.AllowCredentials === 'true',
    maxAge: seconds(value.MaxAge),
  };
}

/** HTTP API `CorsConfiguration` (true = allow everything) and function URL `Cors`: AWS's list-valued shape. */
export function listCors(value: TemplateValue | undefined): CorsConfig | undefined {
  if (value === undefined || value === null || value === false || value === 'false') return undefined;
  if (value === true || value === 'true') {
    return { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: [], allowCredentials: false };
  }
  if (!isPlainMap(value)) return undefined;
  return {
    allowOrigins: csv(value.AllowOrigins),
    allowMethods: csv(value.AllowMethods),
    allowHeaders: csv(value.AllowHeaders),
    exposeHeaders: csv(value.ExposeHeaders),
    allowCredentials: value.AllowCredentials === true || value.AllowCredentials === 'true',
    maxAge: seconds(value.MaxAge),
  };
}
