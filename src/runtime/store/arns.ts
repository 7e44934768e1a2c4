// Lambda ARNs for local resources, and parsing of the FunctionName forms the API accepts
// (name, `account:function:name`, full ARN, each optionally with `:qualifier`).

export interface ArnContext {
  region: string;
  accountId: string;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

export function functionArn(ctx: ArnContext, functionName: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${functionName}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

export function layerArn(ctx: ArnContext, layerName: string, version?: number): string {
  const base = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:layer:${layerName}`;
  return version === undefined ? base : `${base}:${version}`;
}

export interface ParsedFunctionName {
  name: string;
  qualifier?: string;
}

/** `my-fn`, `my-fn:alias`, `123456789012:function:my-fn[:q]`, `arn:aws:lambda:r:a:function:my-fn[:q]`. */
export function parseFunctionName(input: string): ParsedFunctionName {
  const parts = input.split(':');
  if (parts[0] === 'arn' && parts.length >= 7 && parts[5] === 'function') {
    return { name: parts[6], qualifier: parts[7] };
  }
  if (parts.length >= 3 && parts[1] === 'function') return { name: parts[2], qualifier: parts[3] };
  if (parts.length === 2) return { name: parts[0], qualifier: parts[1] };
  return { name: input };
}

export interface ParsedLayerArn {
  region: string;
  accountId: string;
  layerName: string;
  version?: number;
}

export function parseLayerArn(arn: string): ParsedLayerArn | undefined {
  const m = /^arn:aws[a-z-]*:lambda:([^:]+):([^:]+):layer:([^:]+)(?::(\d+))?$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1], accountId: m[2], layerName: m[3], version: m[4] === undefined ? undefined : Number(m[4]) };
}
