// Typed access to one resource's Properties: each read evaluates intrinsics on demand (so
// properties the runtime ignores never produce warnings) and type errors point at the value.
import type { TemplateMap, TemplateValue } from './templateDocument';
import { NO_VALUE } from './intrinsics';
import type { LoadContext } from './loadContext';

export class ResourceProperties {
  constructor(
    private readonly ctx: LoadContext,
    readonly logicalId: string,
    /** Properties as written (Globals already merged in for SAM functions). */
    readonly raw: TemplateMap,
  ) {}

  has(name: string): boolean {
    return this.value(name) !== undefined;
  }

  /** The evaluated value, undefined when absent or AWS::NoValue. */
  value(name: string): TemplateValue | undefined {
    if (!(name in this.raw)) return undefined;
    const resolved = this.ctx.resolver.resolve(this.raw[name], this.logicalId);
    return resolved === NO_VALUE || resolved === null ? undefined : resolved;
  }

  string(name: string): string | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.error(name, `${name} must be a string`);
  }

  integer(name: string, fallback: number, min: number, max: number, unit = ''): number {
    const v = this.value(name);
    if (v === undefined) return fallback;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw this.error(name, `${name} must be a whole number from ${min} to ${max}${unit}, not ${JSON.stringify(v)}`);
    }
    return n;
  }

  map(name: string): TemplateMap | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (typeof v === 'object' && !Array.isArray(v) && v !== null) return v;
    throw this.error(name, `${name} must be a map`);
  }

  list(name: string): TemplateValue[] | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v;
    throw this.error(name, `${name} must be a list`);
  }

  /** An error at the property's value (or at the resource's logical id when the property is absent). */
  error(name: string, problem: string): Error {
    if (!(name in this.raw))
      return this.ctx.doc.error(undefined, undefined, this.logicalId, problem, this.ctx.resourcePosition(this.logicalId));
    return this.ctx.doc.error(this.raw, name, this.logicalId, problem, this.ctx.resourcePosition(this.logicalId));
  }

  /** An error at a nested entry of a property as written, e.g. one environment variable. */
  nestedError(path: string[], problem: string): Error {
    let node: TemplateValue = this.raw;
    let parent: TemplateValue = this.raw;
    let key = path[0];
    for (const segment of path) {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(segment in node)) break;
      parent = node;
      key = segment;
      node = node[segment];
    }
    return this.ctx.doc.error(parent, key, this.logicalId, problem, this.ctx.resourcePosition(this.logicalId));
  }
}
