// Evaluating the IAM policy a Lambda authorizer returns against the request's method ARN:
// an explicit Deny wins, otherwise some Allow must match. `*` and `?` are wildcards.
export type PolicyDecision = 'allow' | 'deny' | 'no-match';

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined ? [] : [String(value)];
}

export function evaluatePolicy(policyDocument: unknown, methodArn: string): PolicyDecision {
  const statements = (policyDocument as { Statement?: unknown } | undefined)?.Statement;
  const all = (Array.isArray(statements) ? statements : statements ? [statements] : []) as Statement[];
  const applies = (s: Statement) =>
    list(s.Action).some((a) => globMatch(a, 'execute-api:Invoke')) && list(s.Resource).some((r) => globMatch(r, methodArn));
  if (all.some((s) => String(s.Effect).toLowerCase() === 'deny' && applies(s))) return 'deny';
  return all.some((s) => String(s.Effect).toLowerCase() === 'allow' && applies(s)) ? 'allow' : 'no-match';
}
