// HTTP API JWT authorizers, locally: the token's claims are decoded (signatures are not checked:
// no key set is fetched), expiry, not-before, issuer and audience are enforced as API Gateway
// enforces them, and route scopes against `scope`/`scp`.
import type { AuthorizerConfig } from '../template/httpModel';

export type JwtOutcome =
  | { ok: true; authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } }
  | { ok: false; problem: 'unauthorized' | 'forbidden'; reason: string };

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** API Gateway hands claims on as strings; lists become `[a b]`. */
function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function checkJwt(
  config: Extract<AuthorizerConfig, { kind: 'jwt' }>,
  token: string | undefined,
  requiredScopes: string[],
  nowMs: number,
): JwtOutcome {
  if (!token) return { ok: false, problem: 'unauthorized', reason: 'no token in the identity source' };
  const raw = token.replace(/^Bearer\s+/i, '').trim();
  const parts = raw.split('.');
  const header = parts.length === 3 ? decodeSegment(parts[0]) : undefined;
  const claims = parts.length === 3 ? decodeSegment(parts[1]) : undefined;
  if (!header || !claims) return { ok: false, problem: 'unauthorized', reason: 'the token is not a JWT' };
  const now = nowMs / 1000;
  if (typeof claims.exp === 'number' && claims.exp < now) return { ok: false, problem: 'unauthorized', reason: 'the token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > now)
    return { ok: false, problem: 'unauthorized', reason: 'the token is not valid yet' };
  if (config.issuer && claims.iss !== config.issuer)
    return { ok: false, problem: 'unauthorized', reason: `the issuer is not ${config.issuer}` };
  if (config.audiences.length) {
    const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : claims.aud !== undefined ? [String(claims.aud)] : [];
    if (claims.client_id !== undefined) aud.push(String(claims.client_id));
    if (!aud.some((a) => config.audiences.includes(a)))
      return { ok: false, problem: 'unauthorized', reason: 'the audience does not match' };
  }
  const scopeClaim = claims.scope ?? claims.scp;
  const scopes =
    typeof scopeClaim === 'string' ? scopeClaim.split(' ').filter(Boolean) : Array.isArray(scopeClaim) ? scopeClaim.map(String) : [];
  if (requiredScopes.length && !requiredScopes.some((s) => scopes.includes(s))) {
    return { ok: false, problem: 'forbidden', reason: `the token has none of the scopes ${requiredScopes.join(', ')}` };
  }
  const text = Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, claimText(v)]));
  return { ok: true, authorizer: { jwt: { claims: text, scopes: scopes.length ? scopes : null } } };
}
