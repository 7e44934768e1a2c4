// A template as a tree of maps, lists and scalars that remembers where every node, key and tag
// sits (start and end offsets), which is what the editor features point at. The runtime's own
// TemplateDocument keeps start positions only, for error messages.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type CollectionTag, type Node as YamlNode, type ScalarTag } from 'yaml';

interface NodeBase {
  start: number;
  end: number;
  /** A short-form tag such as `!Ref`, and where it is written. */
  tag?: string;
  tagStart?: number;
}
export interface ScalarNode extends NodeBase {
  kind: 'scalar';
  value: string | number | boolean | null;
}
export interface MapNode extends NodeBase {
  kind: 'map';
  entries: MapEntry[];
}
export interface SeqNode extends NodeBase {
  kind: 'seq';
  items: TreeNode[];
}
/** An alias (`*name`): its target is not followed by the editor features. */
export interface AliasNode extends NodeBase {
  kind: 'alias';
}
export type TreeNode = ScalarNode | MapNode | SeqNode | AliasNode;
export interface MapEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: TreeNode | undefined;
}
export interface ParseProblem {
  start: number;
  end: number;
  message: string;
}

const SHORT_FORM_TAGS = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'If',
  'Join',
  'Select',
  'Split',
  'Equals',
  'And',
  'Or',
  'Not',
  'FindInMap',
  'Base64',
  'GetAZs',
  'ImportValue',
  'Cidr',
  'Transform',
  'Length',
  'ToJsonString',
];

const customTags: Array<ScalarTag | CollectionTag> = SHORT_FORM_TAGS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value } satisfies ScalarTag,
  { tag: `!${name}`, collection: 'seq', resolve: (node) => node } as CollectionTag,
  { tag: `!${name}`, collection: 'map', resolve: (node) => node } as CollectionTag,
]);

/** Parses one piece of YAML/JSON whose first character sits at `base` in the whole document. */
export function parseFragment(fragment: string, base: number): { node: TreeNode | undefined; problems: ParseProblem[] } {
  const doc = parseDocument(fragment, { customTags, uniqueKeys: false, prettyErrors: false, strict: false });
  const problems: ParseProblem[] = doc.errors.map((e) => ({
    start: base + e.pos[0],
    end: base + Math.max(e.pos[1], e.pos[0] + 1),
    message: e.message.split('\n')[0],
  }));
  const node = doc.contents ? new Converter(fragment, base, problems).node(doc.contents as YamlNode) : undefined;
  return { node, problems };
}

class Converter {
  constructor(
    private readonly text: string,
    private readonly base: number,
    private readonly problems: ParseProblem[],
  ) {}

  node(node: YamlNode): TreeNode {
    const [start, end] = node.range ?? [0, 0];
    const base: NodeBase = { start: this.base + start, end: this.base + end };
    const tag = node.tag;
    if (tag && tag.startsWith('!') && !tag.startsWith('!!')) {
      base.tag = tag;
      const at = this.text.lastIndexOf(tag, start);
      if (at >= 0 && this.text.slice(at + tag.length, start).trim() === '') base.tagStart = this.base + at;
    }
    if (isAlias(node)) return { ...base, kind: 'alias' };
    if (isScalar(node)) {
      const v = node.value;
      const value =
        v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
      return { ...base, kind: 'scalar', value };
    }
    if (isMap(node)) {
      const entries: MapEntry[] = [];
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : '';
        const [ks, ke] = keyNode?.range ?? [start, start];
        if (seen.has(key)) {
          this.problems.push({
            start: this.base + ks,
            end: this.base + ke,
            message: `duplicate key ${key}: a later entry would replace the earlier one; rename or remove one`,
          });
        }
        seen.add(key);
        const value = pair.value ? this.node(pair.value as YamlNode) : undefined;
        entries.push({ key, keyStart: this.base + ks, keyEnd: this.base + ke, value });
      }
      return { ...base, kind: 'map', entries };
    }
    if (isSeq(node)) {
      return { ...base, kind: 'seq', items: node.items.map((item) => this.node(item as YamlNode)) };
    }
    return { ...base, kind: 'scalar', value: null };
  }
}

export function entryOf(map: TreeNode | undefined, key: string): MapEntry | undefined {
  return map?.kind === 'map' ? map.entries.find((e) => e.key === key) : undefined;
}

export function valueOf(map: TreeNode | undefined, key: string): TreeNode | undefined {
  return entryOf(map, key)?.value;
}

export function scalarString(node: TreeNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.tag || node.value === null) return undefined;
  return String(node.value);
}

/** Moves every offset of a tree by delta (a cached fragment reused at another place). */
export function shiftTree(node: TreeNode | undefined, delta: number): void {
  if (!node || delta === 0) return;
  node.start += delta;
  node.end += delta;
  if (node.tagStart !== undefined) node.tagStart += delta;
  if (node.kind === 'map') {
    for (const e of node.entries) {
      e.keyStart += delta;
      e.keyEnd += delta;
      shiftTree(e.value, delta);
    }
  } else if (node.kind === 'seq') {
    for (const item of node.items) shiftTree(item, delta);
  }
}

/** Every node of a tree, depth first, with the key path leading to it. */
export function walkTree(node: TreeNode | undefined, visit: (node: TreeNode, path: string[]) => void, path: string[] = []): void {
  if (!node) return;
  visit(node, path);
  if (node.kind === 'map') {
    for (const e of node.entries) {
      path.push(e.key);
      walkTree(e.value, visit, path);
      path.pop();
    }
  } else if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      path.push(String(i));
      walkTree(item, visit, path);
      path.pop();
    });
  }
}
