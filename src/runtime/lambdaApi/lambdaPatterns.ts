// The constraints Lambda's API model puts on names, ARNs and qualifiers, checked on every request
// before a value reaches a store (and so the filesystem), with the ValidationException Lambda's
// request validation answers. Patterns are the API reference's, anchored as AWS applies them.
import { invalidClientContext, validationError } from '../errors/serviceErrors';

interface Constraint {
  pattern: string;
  maxLength: number;
}

export const FUNCTION_NAME: Constraint = {
  pattern:
    '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
  maxLength: 170,
};
export const QUALIFIER: Constraint = { pattern: '(|[a-zA-Z0-9$_-]+)', maxLength: 128 };
export const ALIAS_NAME: Constraint = { pattern: '(?!^[0-9]+$)([a-zA-Z0-9-_]+)', maxLength: 128 };
export const LAYER_NAME: Constraint = {
  pattern: '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+',
  maxLength: 140,
};
export const LAYER_VERSION_ARN: Constraint = {
  pattern:
    '(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)',
  maxLength: 140,
};
export const FUNCTION_VERSION: Constraint = { pattern: '(\\$LATEST|[0-9]+)', maxLength: 1024 };

const compiled = new Map<string, RegExp>();

/** `value` as the API field `field` (camelCase, as AWS names it in the message), or a ValidationException. */
export function checked(value: string, field: string, constraint: Constraint): string {
  if (value.length > constraint.maxLength) {
    throw validationError(value, field, `Member must have length less than or equal to ${constraint.maxLength}`);
  }
  let re = compiled.get(constraint.pattern);
  if (!re) compiled.set(constraint.pattern, (re = new RegExp(`^(?:${constraint.pattern})$`)));
  if (!re.test(value)) throw validationError(value, field, `Member must satisfy regular expression pattern: ${constraint.pattern}`);
  return value;
}

/** An integer query or path parameter within [min, max], or a ValidationException. */
export function checkedInteger(raw: string, field: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw)) throw validationError(raw, field, 'Member must be a whole number');
  if (value < min) throw validationError(raw, field, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(raw, field, `Member must have value less than or equal to ${max}`);
  return value;
}

/** Lambda passes ClientContext on as base64 of a JSON object (up to 3,583 bytes). */
export function checkClientContext(value: string | undefined): void {
  if (value === undefined) return;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw invalidClientContext();
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidClientContext();
  } catch {
    throw invalidClientContext();
  }
}
