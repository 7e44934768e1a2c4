// A function resource's properties as SAM sees them: its own, else Globals.Function's (for
// AWS::Serverless::Function), each with the node where it is written.
import type { ResourceInfo, TemplateIndex } from './templateIndex';
import { entryOf, scalarString, valueOf, type MapEntry, type TreeNode } from './templateTree';

export interface WrittenProperty {
  entry: MapEntry;
  value: TreeNode | undefined;
  fromGlobals: boolean;
}

export class FunctionProperties {
  readonly serverless: boolean;

  constructor(
    readonly index: TemplateIndex,
    readonly resource: ResourceInfo,
  ) {
    this.serverless = resource.type === 'AWS::Serverless::Function';
  }

  get(name: string): WrittenProperty | undefined {
    const own = entryOf(this.resource.properties, name);
    if (own) return { entry: own, value: own.value, fromGlobals: false };
    const global = this.serverless ? entryOf(this.index.functionGlobals(), name) : undefined;
    return global ? { entry: global, value: global.value, fromGlobals: true } : undefined;
  }

  /** Both places for properties SAM merges (maps key by key, lists concatenated). */
  all(name: string): WrittenProperty[] {
    const out: WrittenProperty[] = [];
    const global = this.serverless ? entryOf(this.index.functionGlobals(), name) : undefined;
    if (global) out.push({ entry: global, value: global.value, fromGlobals: true });
    const own = entryOf(this.resource.properties, name);
    if (own) out.push({ entry: own, value: own.value, fromGlobals: false });
    return out;
  }

  /** A literal string value (no intrinsic), after a parameter's Default for a plain !Ref. */
  literal(name: string): { value: string; node: TreeNode; fromGlobals: boolean } | undefined {
    const written = this.get(name);
    const node = written?.value;
    if (!written || !node) return undefined;
    const plain = scalarString(node);
    if (plain !== undefined) return { value: plain, node, fromGlobals: written.fromGlobals };
    if (node.kind === 'scalar' && node.tag === '!Ref' && typeof node.value === 'string') {
      const declared = scalarString(valueOf(this.index.parameters.get(node.value)?.value, 'Default'));
      if (declared !== undefined) return { value: declared, node, fromGlobals: written.fromGlobals };
    }
    return undefined;
  }

  /** Who a finding about a property speaks of: the function, or Globals.Function for every function. */
  owner(fromGlobals: boolean): string {
    return fromGlobals ? 'Globals.Function' : this.resource.id;
  }

  esbuild(): boolean {
    return scalarString(valueOf(valueOf(this.resource.entry.value, 'Metadata'), 'BuildMethod')) === 'esbuild';
  }
}
