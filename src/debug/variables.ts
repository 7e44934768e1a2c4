// DAP variable references for inspector objects: scopes, objects, and pages of large arrays.
// References live while their thread stays paused; resuming a thread drops its references.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Runtime } from './cdp/cdpProtocol';
import { OBJECT_GROUP, type EnvironmentThread } from './environmentThread';

/** Arrays longer than this are shown in pages (DAP indexedVariables). */
const PAGE_THRESHOLD = 100;

type Container =
  | {
      kind: 'scope';
      thread: EnvironmentThread;
      objectId: string;
      callFrameId: string;
      scopeNumber: number;
      extras: DebugProtocol.Variable[];
    }
  | { kind: 'object'; thread: EnvironmentThread; objectId: string; evaluateName?: string; paged: boolean };

export function describe(o: Runtime.RemoteObject): string {
  switch (o.type) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(o.value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return o.unserializableValue ?? o.description ?? String(o.value);
    case 'symbol':
      return o.description ?? 'Symbol()';
    case 'function':
      return `ƒ ${firstLine(o.description ?? 'function')}`;
    case 'object':
      if (o.subtype === 'null') return 'null';
      if (o.subtype === 'error') return firstLine(o.description ?? 'Error');
      return o.preview ? describePreview(o.preview, o.description) : (o.description ?? 'Object');
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function describePreview(p: Runtime.ObjectPreview, description = ''): string {
  const value = (v: Runtime.PropertyPreview) => {
    if (v.type === 'string') return JSON.stringify(v.value ?? '');
    return v.type === 'object' && !v.subtype && v.value === 'Object' ? '{…}' : (v.value ?? v.type);
  };
  const more = p.overflow ? ', …' : '';
  if (p.subtype === 'array' || p.subtype === 'typedarray') {
    const length = /\((\d+)\)/.exec(description)?.[1];
    return `${length !== undefined ? `(${length}) ` : ''}[${p.properties.map(value).join(', ')}${more}]`;
  }
  if (p.subtype && p.subtype !== 'proxy') return description;
  const body = `{${p.properties.map((prop) => `${prop.name}: ${value(prop)}`).join(', ')}${more}}`;
  return description && description !== 'Object' ? `${description} ${body}` : body;
}

function arrayLength(o: Runtime.RemoteObject): number | undefined {
  if (o.subtype !== 'array' && o.subtype !== 'typedarray') return undefined;
  const m = /\((\d+)\)/.exec(o.description ?? '');
  return m ? Number(m[1]) : undefined;
}

function childEvaluateName(parent: string | undefined, name: string): string | undefined {
  if (parent === undefined) return undefined;
  if (/^\d+$/.test(name)) return `${parent}[${name}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return `${parent}.${name}`;
  return `${parent}[${JSON.stringify(name)}]`;
}

export function toCallArgument(o: Runtime.RemoteObject): Runtime.CallArgument {
  if (o.objectId) return { objectId: o.objectId };
  if (o.unserializableValue) return { unserializableValue: o.unserializableValue };
  return { value: o.value };
}

export class VariableStore {
  private nextRef = 1;
  private readonly containers = new Map<number, Container>();

  /** A reference for a scope of a paused frame; `extras` (this, return value) are listed first. */
  addScope(
    thread: EnvironmentThread,
    objectId: string,
    callFrameId: string,
    scopeNumber: number,
    extras: DebugProtocol.Variable[] = [],
  ): number {
    return this.add({ kind: 'scope', thread, objectId, callFrameId, scopeNumber, extras });
  }

  /** A DAP variable for an inspector value; objects get a reference to expand them. */
  toVariable(thread: EnvironmentThread, name: string, o: Runtime.RemoteObject, evaluateName?: string): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name, value: describe(o), type: o.subtype ?? o.type, variablesReference: 0, evaluateName };
    if (o.objectId && (o.type === 'object' || o.type === 'function') && o.subtype !== 'null') {
      const length = arrayLength(o);
      const paged = length !== undefined && length > PAGE_THRESHOLD;
      v.variablesReference = this.add({ kind: 'object', thread, objectId: o.objectId, evaluateName, paged });
      if (paged) {
        v.indexedVariables = length;
        v.namedVariables = 1; // length
      }
    }
    return v;
  }

  threadOf(ref: number): EnvironmentThread | undefined {
    return this.containers.get(ref)?.thread;
  }

  async variables(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    const c = this.containers.get(args.variablesReference);
    if (!c) throw new Error('These variables are no longer available: the environment has resumed.');
    const { cdp } = c.thread;
    if (c.kind === 'object' && c.paged && args.filter === 'indexed') {
      const start = args.start ?? 0;
      const slice = await cdp.send('Runtime.callFunctionOn', {
        objectId: c.objectId,
        functionDeclaration:
          'function (start, count) { const page = {}; for (let i = start; i < Math.min(start + count, this.length); i++) page[i] = this[i]; return page; }',
        arguments: [{ value: start }, { value: args.count ?? PAGE_THRESHOLD }],
        objectGroup: OBJECT_GROUP,
      });
      if (!slice.result.objectId) return [];
      const page = await cdp.send('Runtime.getProperties', { objectId: slice.result.objectId, ownProperties: true, generatePreview: true });
      return this.fromDescriptors(c, page.result);
    }
    const props = await cdp.send('Runtime.getProperties', {
      objectId: c.objectId,
      ownProperties: true,
      generatePreview: true,
      nonIndexedPropertiesOnly: c.kind === 'object' && c.paged ? true : undefined,
    });
    const vars = this.fromDescriptors(c, props.result);
    if (c.kind === 'scope') return [...c.extras, ...vars];
    for (const p of props.internalProperties ?? []) {
      if (p.value) vars.push(this.toVariable(c.thread, p.name, p.value));
    }
    const { start, count } = args;
    return start !== undefined || count !== undefined ? vars.slice(start ?? 0, count ? (start ?? 0) + count : undefined) : vars;
  }

  /** Assigns the value of `expression` (evaluated in the paused frame) to a variable or property. */
  async setVariable(args: DebugProtocol.SetVariableArguments): Promise<DebugProtocol.Variable> {
    const c = this.containers.get(args.variablesReference);
    if (!c) throw new Error('This variable is no longer available: the environment has resumed.');
    const { cdp } = c.thread;
    const callFrameId = c.kind === 'scope' ? c.callFrameId : c.thread.paused?.callFrames[0]?.callFrameId;
    const evaluated = callFrameId
      ? await cdp.send('Debugger.evaluateOnCallFrame', {
          callFrameId,
          expression: args.value,
          objectGroup: OBJECT_GROUP,
          generatePreview: true,
        })
      : await cdp.send('Runtime.evaluate', { expression: args.value, objectGroup: OBJECT_GROUP, generatePreview: true });
    if (evaluated.exceptionDetails) throw new Error(`Cannot evaluate "${args.value}": ${exceptionText(evaluated.exceptionDetails)}`);
    const newValue = toCallArgument(evaluated.result);
    if (c.kind === 'scope') {
      await cdp.send('Debugger.setVariableValue', {
        scopeNumber: c.scopeNumber,
        variableName: args.name,
        newValue,
        callFrameId: c.callFrameId,
      });
    } else {
      const r = await cdp.send('Runtime.callFunctionOn', {
        objectId: c.objectId,
        functionDeclaration: 'function (key, value) { this[key] = value; }',
        arguments: [{ value: args.name }, newValue],
      });
      if (r.exceptionDetails) throw new Error(`Cannot set ${args.name}: ${exceptionText(r.exceptionDetails)}`);
    }
    return this.toVariable(c.thread, args.name, evaluated.result);
  }

  /** Drops the references of a thread that resumed or ended. */
  release(thread: EnvironmentThread): void {
    for (const [ref, c] of this.containers) if (c.thread === thread) this.containers.delete(ref);
    if (!thread.isEnded) void thread.cdp.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }).catch(() => undefined);
  }

  private add(c: Container): number {
    const ref = this.nextRef++;
    this.containers.set(ref, c);
    return ref;
  }

  private fromDescriptors(c: Container, descriptors: Runtime.PropertyDescriptor[]): DebugProtocol.Variable[] {
    const parent = c.kind === 'object' ? c.evaluateName : '';
    const vars: DebugProtocol.Variable[] = [];
    for (const d of descriptors) {
      const evaluateName = parent === '' ? d.name : childEvaluateName(parent, d.name);
      if (d.value) vars.push(this.toVariable(c.thread, d.name, d.value, evaluateName));
      else if (d.get) vars.push({ name: d.name, value: '(getter)', variablesReference: 0, evaluateName });
    }
    return vars;
  }
}

export function exceptionText(details: Runtime.ExceptionDetails): string {
  return firstLine(details.exception?.description ?? details.text);
}
