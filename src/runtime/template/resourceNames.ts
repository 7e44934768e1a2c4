// Names a template gives that end up in file paths and ARNs, checked against the rules of
// CloudFormation (logical ids) and Lambda (function and layer names) when the template loads,
// and a guard for every path built from them.
import { isAbsolute, relative, resolve } from 'node:path';

/** CloudFormation: logical ids are alphanumeric (A-Za-z0-9), at most 255 characters. */
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;
/** Lambda CreateFunction: FunctionName, as a plain name. */
const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
/** Lambda PublishLayerVersion: LayerName, a plain name or a layer ARN (whose last part is the name). */
const LAYER_NAME = /^(?:arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:)?([a-zA-Z0-9-_]{1,140})$/;

export function logicalIdProblem(logicalId: string): string | undefined {
  if (LOGICAL_ID.test(logicalId)) return undefined;
  return `logical id ${JSON.stringify(logicalId)} is invalid: CloudFormation accepts only letters and digits (A-Z, a-z, 0-9), up to 255 characters`;
}

export function functionNameProblem(name: string): string | undefined {
  if (FUNCTION_NAME.test(name)) return undefined;
  return `FunctionName ${JSON.stringify(name)} is invalid: Lambda accepts letters, digits, - and _, up to 64 characters`;
}

/** The layer's name (from an ARN too), or the problem with it. */
export function parseLayerName(name: string): { name: string } | { problem: string } {
  const m = LAYER_NAME.exec(name);
  if (m) return { name: m[1] };
  return {
    problem: `LayerName ${JSON.stringify(name)} is invalid: Lambda accepts letters, digits, - and _, up to 140 characters, or a layer ARN`,
  };
}

/** Lambda CreateAlias: Name, letters, digits, - and _, not only digits (that would be a version). */
const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9-_]{1,128}$/;

export function aliasNameProblem(name: string): string | undefined {
  if (ALIAS_NAME.test(name)) return undefined;
  return `AutoPublishAlias ${JSON.stringify(name)} is invalid: Lambda alias names are letters, digits, - and _, up to 128 characters, and not only digits`;
}

/** `base/parts...`, refusing any result outside base (template text must never escape the state folder). */
export function containedPath(base: string, ...parts: string[]): string {
  const target = resolve(base, ...parts);
  const rel = relative(resolve(base), target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`refusing to use ${target}: it is not inside ${base}`);
  }
  return target;
}
