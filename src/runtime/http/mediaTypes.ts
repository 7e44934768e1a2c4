// When bodies travel base64-encoded. REST APIs decide with the API's binaryMediaTypes (wildcards
// allowed, `*/*` matches everything); HTTP APIs and function URLs encode every body whose
// content type is not text.

/** `text/html; charset=utf-8` → `text/html`. */
export function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function matchesMediaType(contentType: string | undefined, patterns: string[]): boolean {
  const type = essence(contentType);
  if (!type) return false;
  return patterns.some((p) => {
    const pattern = p.trim().toLowerCase();
    if (pattern === '*/*' || pattern === type) return true;
    const [pt, ps] = pattern.split('/');
    const [tt, ts] = type.split('/');
    return (pt === '*' || pt === tt) && (ps === '*' || ps === ts);
  });
}

const TEXT_TYPES = new Set([
  'application/json',
  'application/javascript',
  'application/ecmascript',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/graphql',
]);

/** The content types HTTP APIs and function URLs hand to functions as plain text. */
export function isTextType(contentType: string | undefined): boolean {
  const type = essence(contentType);
  return type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml');
}
