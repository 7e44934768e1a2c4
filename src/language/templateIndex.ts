// What the editor features ask of a parsed template: its sections, resources with their types,
// and every place a logical id is referred to (Ref, GetAtt, Sub ${}, Condition, DependsOn),
// with the exact range of the name.
import type { ParsedTemplate } from './incrementalParser';
import { entryOf, scalarString, valueOf, walkTree, type MapEntry, type MapNode, type ScalarNode, type TreeNode } from './templateTree';

export type ReferenceKind = 'Ref' | 'GetAtt' | 'Sub' | 'Condition' | 'DependsOn';

export interface Reference {
  kind: ReferenceKind;
  target: string;
  /** Range of the target's name. */
  start: number;
  end: number;
  attribute?: string;
  attributeStart?: number;
  attributeEnd?: number;
  /** The intrinsic node (for hover), and the resource it sits in. */
  node: TreeNode;
  resource?: string;
}

export interface ResourceInfo {
  id: string;
  entry: MapEntry;
  type?: string;
  properties?: MapNode;
}

export const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
export const LAYER_TYPES = new Set(['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion']);
export const PSEUDO_PARAMETERS = [
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
];

export class TemplateIndex {
  readonly parameters = new Map<string, MapEntry>();
  readonly conditions = new Map<string, MapEntry>();
  readonly resources = new Map<string, ResourceInfo>();
  readonly outputs = new Map<string, MapEntry>();
  readonly references: Reference[] = [];

  /**
   * `cache`: references found in each resource's tree by an earlier index; a resource the
   * incremental parser reused (the same node, maybe moved) is not walked again.
   */
  constructor(
    readonly text: string,
    readonly parsed: ParsedTemplate,
    private readonly cache = new ReferenceCache(),
  ) {
    const root = parsed.root;
    for (const [name, target] of [
      ['Parameters', this.parameters],
      ['Conditions', this.conditions],
      ['Outputs', this.outputs],
    ] as const) {
      const section = valueOf(root, name);
      if (section?.kind === 'map') for (const e of section.entries) target.set(e.key, e);
    }
    const resources = valueOf(root, 'Resources');
    if (resources?.kind === 'map') {
      for (const entry of resources.entries) {
        const properties = valueOf(entry.value, 'Properties');
        this.resources.set(entry.key, {
          id: entry.key,
          entry,
          type: scalarString(valueOf(entry.value, 'Type')),
          ...(properties?.kind === 'map' ? { properties } : {}),
        });
      }
    }
    for (const e of root?.entries ?? []) {
      if (e.key === 'Resources' && e.value?.kind === 'map') {
        for (const r of e.value.entries) this.collectResource(r);
      } else if (e.key === 'Outputs' || e.key === 'Conditions' || e.key === 'Globals' || e.key === 'Metadata') {
        this.collect(e.value, e.key);
      }
    }
  }

  get root(): MapNode | undefined {
    return this.parsed.root;
  }

  functions(): ResourceInfo[] {
    return [...this.resources.values()].filter((r) => r.type !== undefined && FUNCTION_TYPES.has(r.type));
  }

  /** The Globals.Function map, when the template has one. */
  functionGlobals(): MapNode | undefined {
    const fn = valueOf(valueOf(this.root, 'Globals'), 'Function');
    return fn?.kind === 'map' ? fn : undefined;
  }

  /** The deepest node containing offset, with its key path from the root. */
  nodeAt(offset: number): { node: TreeNode; path: string[] } | undefined {
    let found: { node: TreeNode; path: string[] } | undefined;
    walkTree(this.root, (node, path) => {
      if (offset >= node.start && offset <= node.end) found = { node, path: [...path] };
    });
    return found;
  }

  /** The map entry whose key is at offset. */
  keyAt(offset: number): { node: TreeNode; path: string[]; entry: MapEntry } | undefined {
    let found: { node: TreeNode; path: string[]; entry: MapEntry } | undefined;
    walkTree(this.root, (node, path) => {
      if (node.kind !== 'map' || offset < node.start || offset > node.end) return;
      for (const e of node.entries) {
        if (offset >= e.keyStart && offset <= e.keyEnd) found = { node, path: [...path, e.key], entry: e };
      }
    });
    return found;
  }

  referenceAt(offset: number): Reference | undefined {
    return this.references.find(
      (r) =>
        (offset >= r.start && offset <= r.end) ||
        (r.attributeStart !== undefined && offset >= r.attributeStart && offset <= r.attributeEnd!),
    );
  }

  referencesTo(target: string, kinds: ReferenceKind[]): Reference[] {
    return this.references.filter((r) => r.target === target && kinds.includes(r.kind));
  }

  private collectResource(entry: MapEntry): void {
    const node = entry.value;
    if (!node) return;
    const known = this.cache.get(node);
    if (known) {
      this.references.push(...known);
      return;
    }
    const before = this.references.length;
    this.collect(node, 'Resources', [entry.key]);
    this.cache.set(node, this.references.slice(before));
  }

  private collect(section: TreeNode | undefined, sectionName: string, prefix: string[] = []): void {
    walkTree(
      section,
      (node, path) => {
        const resource = sectionName === 'Resources' ? path[0] : undefined;
        const at = path.length;
        if (sectionName === 'Resources' && at === 2 && path[1] === 'DependsOn') this.dependsOn(node, resource);
        if (
          (sectionName === 'Resources' || sectionName === 'Outputs') &&
          at === 2 &&
          path[1] === 'Condition' &&
          node.kind === 'scalar' &&
          !node.tag
        ) {
          this.add('Condition', node, node, resource);
        }
        this.intrinsic(node, resource);
      },
      prefix,
    );
  }

  private dependsOn(node: TreeNode, resource: string | undefined): void {
    const items = node.kind === 'seq' ? node.items : [node];
    for (const item of items) if (item.kind === 'scalar' && !item.tag) this.add('DependsOn', item, item, resource);
  }

  private intrinsic(node: TreeNode, resource: string | undefined): void {
    let name: string | undefined;
    let arg: TreeNode | undefined;
    if (node.tag) {
      // A tagged node is its own argument: `!Ref X` is the scalar X.
      name = node.tag.slice(1);
      arg = node;
    } else if (node.kind === 'map' && node.entries.length === 1) {
      const key = node.entries[0].key;
      name = key.startsWith('Fn::') ? key.slice(4) : key;
      arg = node.entries[0].value;
      if (key !== 'Ref' && key !== 'Condition' && !key.startsWith('Fn::')) return;
    }
    if (!name || !arg) return;
    if ((name === 'Ref' || name === 'Condition') && arg.kind === 'scalar') this.add(name, arg, node, resource);
    else if (name === 'GetAtt') this.getAtt(arg, node, resource);
    else if (name === 'Sub') this.sub(arg, node, resource);
    else if (name === 'If' && arg.kind === 'seq' && arg.items[0]?.kind === 'scalar') this.add('Condition', arg.items[0], node, resource);
  }

  private getAtt(arg: TreeNode, node: TreeNode, resource: string | undefined): void {
    if (arg.kind === 'scalar' && typeof arg.value === 'string') {
      const value = arg.value;
      const dot = value.indexOf('.');
      const target = dot < 0 ? value : value.slice(0, dot);
      const start = this.nameStart(arg, target);
      const ref: Reference = { kind: 'GetAtt', target, start, end: start + target.length, node, ...(resource ? { resource } : {}) };
      if (dot >= 0) {
        ref.attribute = value.slice(dot + 1);
        ref.attributeStart = ref.end + 1;
        ref.attributeEnd = ref.attributeStart + ref.attribute.length;
      }
      this.references.push(ref);
    } else if (arg.kind === 'seq' && arg.items[0]?.kind === 'scalar') {
      const first = arg.items[0] as ScalarNode;
      const target = String(first.value);
      const start = this.nameStart(first, target);
      const ref: Reference = { kind: 'GetAtt', target, start, end: start + target.length, node, ...(resource ? { resource } : {}) };
      const second = arg.items[1];
      if (second?.kind === 'scalar' && !second.tag) {
        ref.attribute = String(second.value);
        ref.attributeStart = this.nameStart(second, ref.attribute);
        ref.attributeEnd = ref.attributeStart + ref.attribute.length;
      }
      this.references.push(ref);
    }
  }

  private sub(arg: TreeNode, node: TreeNode, resource: string | undefined): void {
    const template = arg.kind === 'seq' ? arg.items[0] : arg;
    if (template?.kind !== 'scalar' || typeof template.value !== 'string') return;
    const varMap = arg.kind === 'seq' && arg.items[1]?.kind === 'map' ? arg.items[1] : undefined;
    const source = this.text.slice(template.start, template.end);
    for (const m of source.matchAll(/\$\{([^}!][^}]*)\}/g)) {
      const inner = m[1];
      const name = inner.trim();
      if (varMap && entryOf(varMap, name)) continue;
      const start = template.start + m.index + 2 + (inner.length - inner.trimStart().length);
      const dot = name.startsWith('AWS::') ? -1 : name.indexOf('.');
      const target = dot < 0 ? name : name.slice(0, dot);
      const ref: Reference = { kind: 'Sub', target, start, end: start + target.length, node, ...(resource ? { resource } : {}) };
      if (dot >= 0) {
        ref.attribute = name.slice(dot + 1);
        ref.attributeStart = ref.end + 1;
        ref.attributeEnd = ref.attributeStart + ref.attribute.length;
      }
      this.references.push(ref);
    }
  }

  private add(kind: ReferenceKind, scalar: TreeNode, node: TreeNode, resource: string | undefined): void {
    if (scalar.kind !== 'scalar' || scalar.value === null) return;
    const target = String(scalar.value);
    const start = this.nameStart(scalar, target);
    this.references.push({ kind, target, start, end: start + target.length, node, ...(resource ? { resource } : {}) });
  }

  /** Where a name is written inside a scalar (past quotes and tags). */
  private nameStart(scalar: TreeNode, name: string): number {
    const at = this.text.slice(scalar.start, scalar.end).indexOf(name);
    return at < 0 ? scalar.start : scalar.start + at;
  }
}

/** References per resource tree, kept with the offset they were found at and moved along with it. */
export class ReferenceCache {
  private readonly known = new WeakMap<TreeNode, { start: number; refs: Reference[] }>();

  get(node: TreeNode): Reference[] | undefined {
    const entry = this.known.get(node);
    if (!entry) return undefined;
    const delta = node.start - entry.start;
    if (delta !== 0) {
      for (const r of entry.refs) {
        r.start += delta;
        r.end += delta;
        if (r.attributeStart !== undefined) {
          r.attributeStart += delta;
          r.attributeEnd! += delta;
        }
      }
      entry.start = node.start;
    }
    return entry.refs;
  }

  set(node: TreeNode, refs: Reference[]): void {
    this.known.set(node, { start: node.start, refs });
  }
}
