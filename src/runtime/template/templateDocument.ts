// A template parsed into plain JSON-like values (short-form tags rewritten to CloudFormation's
// long form, as in JSON templates), with a side table of where every map, list, key and value
// sits in the file, so any later finding can point at a line and column.
import { readFileSync } from 'node:fs';
import {
  Alias,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type CollectionTag,
  type Document,
  type Node as YamlNode,
  type ScalarTag,
  visit,
} from 'yaml';
import type { SourcePosition } from '../functionConfig';
import { relaxFlowIndentation } from './flowIndentation';
import { TemplateError } from './templateError';

export type TemplateValue = string | number | boolean | null | TemplateValue[] | TemplateMap;
export interface TemplateMap {
  [key: string]: TemplateValue;
}

/** A finding that does not stop loading (SAM CLI's YAML reader, PyYAML, accepts the text). */
export interface DocumentWarning {
  position: SourcePosition;
  message: string;
}

/**
 * Most nodes alias expansion may produce. The walk below copies each alias target, so a few
 * hundred bytes of nested aliases ("billion laughs") would otherwise expand to billions of
 * nodes; real templates use a handful of aliases.
 */
export const ALIAS_EXPANSION_BUDGET = 100_000;

interface NodeInfo {
  position: SourcePosition;
  /** For maps: where each key is written and where its value starts. */
  keys?: Map<string, { key: SourcePosition; value: SourcePosition }>;
  /** For lists: where each item starts. */
  items?: SourcePosition[];
}

/** Short form tag → long form key. `!GetAtt A.B` and `!Condition` get special treatment below. */
const SHORT_FORMS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  If: 'Fn::If',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  Equals: 'Fn::Equals',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Not: 'Fn::Not',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Cidr: 'Fn::Cidr',
  Transform: 'Fn::Transform',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
};

// Each short form may tag a scalar, a list or a map; the tags only keep the node as parsed
// (the walk below rewrites it), they exist so that yaml accepts them.
const customTags: Array<ScalarTag | CollectionTag> = Object.keys(SHORT_FORMS).flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value } satisfies ScalarTag,
  { tag: `!${name}`, collection: 'seq', resolve: (node) => node } as CollectionTag,
  { tag: `!${name}`, collection: 'map', resolve: (node) => node } as CollectionTag,
]);

export class TemplateDocument {
  private constructor(
    readonly templatePath: string,
    readonly root: TemplateMap,
    private readonly info: WeakMap<object, NodeInfo>,
    readonly warnings: DocumentWarning[],
  ) {}

  static fromFile(templatePath: string): TemplateDocument {
    let text: string;
    try {
      text = readFileSync(templatePath, 'utf8');
    } catch (e) {
      throw new TemplateError(
        templatePath,
        { line: 1, column: 1 },
        undefined,
        `cannot read the template (${(e as Error).message}); check the --template path`,
      );
    }
    return TemplateDocument.parse(text, templatePath);
  }

  static parse(text: string, templatePath: string): TemplateDocument {
    const warnings: DocumentWarning[] = [];
    let parsed = parseText(text);
    const firstError = parsed.doc.errors[0];
    if (firstError?.code === 'BAD_INDENT' && /^Flow (sequence|map)/.test(firstError.message)) {
      // PyYAML (SAM CLI) accepts flow collections whose continuation lines are less indented
      // than their key; the yaml library does not. Indent them and parse again.
      const relaxed = relaxFlowIndentation(text);
      const retry = parseText(relaxed.text, relaxed.padding);
      if (retry.doc.errors.length === 0) {
        parsed = retry;
        for (const line of relaxed.lines) {
          warnings.push({
            position: { line, column: 1 },
            message:
              'this flow collection continues less indented than its key; SAM CLI (PyYAML) accepts it, strict YAML parsers do not: indent it',
          });
        }
      }
    }
    const { doc, at } = parsed;
    const error = doc.errors[0];
    if (error) {
      throw new TemplateError(templatePath, at(error.pos[0]), undefined, `${error.message.split('\n')[0]}; fix the YAML/JSON syntax`);
    }
    const info = new WeakMap<object, NodeInfo>();
    const root = new Walker(doc, parsed.text, templatePath, at, info, warnings).value(doc.contents);
    if (root === null || typeof root !== 'object' || Array.isArray(root)) {
      throw new TemplateError(templatePath, { line: 1, column: 1 }, undefined, 'the template must be a map with a Resources section');
    }
    return new TemplateDocument(templatePath, root, info, warnings);
  }

  /** Position of a map or list, or of one of its entries (the value's start), or undefined if unknown. */
  positionOf(container: unknown, key?: string | number): SourcePosition | undefined {
    if (container === null || typeof container !== 'object') return undefined;
    const info = this.info.get(container);
    if (!info || key === undefined) return info?.position;
    if (typeof key === 'number') return info.items?.[key];
    return info.keys?.get(key)?.value;
  }

  /** Where the key of a map entry is written (for resources: the logical id). */
  keyPositionOf(map: unknown, key: string): SourcePosition | undefined {
    if (map === null || typeof map !== 'object') return undefined;
    return this.info.get(map)?.keys?.get(key)?.key;
  }

  /** An error pointing at the key of a map entry (for properties that should not be there). */
  errorAtKey(map: unknown, key: string, resource: string | undefined, problem: string): TemplateError {
    const position = this.keyPositionOf(map, key) ?? this.positionOf(map) ?? { line: 1, column: 1 };
    return new TemplateError(this.templatePath, position, resource, problem);
  }

  /** Lets a map built from others (e.g. Globals merged into a resource) keep their positions. */
  trackMerged(target: TemplateMap, sources: TemplateMap[]): void {
    const keys = new Map<string, { key: SourcePosition; value: SourcePosition }>();
    let position: SourcePosition | undefined;
    for (const source of sources) {
      const info = this.info.get(source);
      if (!info) continue;
      position = info.position;
      for (const [k, v] of info.keys ?? []) keys.set(k, v);
    }
    if (position) this.info.set(target, { position, keys });
  }

  /** An error pointing at a node (or an entry of it); falls back to `fallback` when the node has no position. */
  error(
    node: unknown,
    key: string | number | undefined,
    resource: string | undefined,
    problem: string,
    fallback?: SourcePosition,
  ): TemplateError {
    const position = this.positionOf(node, key) ?? this.positionOf(node) ?? fallback ?? { line: 1, column: 1 };
    return new TemplateError(this.templatePath, position, resource, problem);
  }
}

function parseText(text: string, padding?: Map<number, number>): { doc: Document; text: string; at: (offset: number) => SourcePosition } {
  const lineCounter = new LineCounter();
  // Duplicate keys are reported by the walk as warnings: PyYAML keeps the last value silently.
  const doc = parseDocument(text, { lineCounter, customTags, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    // Columns of re-indented lines are given as they are in the file.
    const pad = padding?.get(line) ?? 0;
    return { line, column: col > pad ? col - pad : 1 };
  };
  return { doc, text, at };
}

/** Shared by the walkers of one document (one per alias level). */
interface WalkState {
  aliasNodes: number;
  /** Anchors by name, in document order: built once, as yaml's own lookup walks the whole document per alias. */
  anchors?: Map<string, Array<{ offset: number; node: unknown }>>;
}

function collectAnchors(doc: Document): Map<string, Array<{ offset: number; node: unknown }>> {
  const anchors = new Map<string, Array<{ offset: number; node: unknown }>>();
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string }).anchor;
    if (!anchor || isAlias(node)) return;
    const list = anchors.get(anchor) ?? [];
    list.push({ offset: (node as YamlNode).range?.[0] ?? 0, node });
    anchors.set(anchor, list);
  });
  return anchors;
}

class Walker {
  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly templatePath: string,
    private readonly at: (offset: number) => SourcePosition,
    private readonly info: WeakMap<object, NodeInfo>,
    private readonly warnings: DocumentWarning[],
    private readonly aliasDepth = 0,
    private readonly state: WalkState = { aliasNodes: 0 },
  ) {}

  /** Path of map keys from the root to the node being walked, so errors can name the resource. */
  private readonly path: string[] = [];

  value(node: unknown): TemplateValue {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node);
    const yamlNode = node as YamlNode;
    const start = yamlNode.range?.[0] ?? 0;
    if (this.aliasDepth > 0 && ++this.state.aliasNodes > ALIAS_EXPANSION_BUDGET) {
      throw new TemplateError(
        this.templatePath,
        this.at(start),
        undefined,
        `YAML aliases expand to more than ${ALIAS_EXPANSION_BUDGET} nodes (an alias bomb?); write the values out instead of nesting aliases`,
      );
    }
    const plain = this.untagged(yamlNode);
    const tag = yamlNode.tag;
    if (!tag || !tag.startsWith('!') || tag.startsWith('!!')) return plain;
    const name = tag.slice(1);
    const longForm = SHORT_FORMS[name];
    if (!longForm) {
      const resource = this.path[0] === 'Resources' ? this.path[1] : undefined;
      throw new TemplateError(
        this.templatePath,
        this.at(this.tagOffset(tag, start)),
        resource,
        `unknown tag ${tag}; CloudFormation's short forms are ${Object.keys(SHORT_FORMS)
          .map((n) => `!${n}`)
          .join(' ')}`,
      );
    }
    // `!GetAtt Res.Attr` is the string form of ['Res', 'Attr'] (the attribute may itself contain dots).
    const argument = name === 'GetAtt' && typeof plain === 'string' ? splitGetAtt(plain) : plain;
    const wrapped: TemplateMap = { [longForm]: argument };
    const tagPosition = this.at(this.tagOffset(tag, start));
    this.info.set(wrapped, {
      position: tagPosition,
      keys: new Map([[longForm, { key: tagPosition, value: this.at(start) }]]),
    });
    if (Array.isArray(argument) && !Array.isArray(plain)) this.info.set(argument, { position: this.at(start) });
    return wrapped;
  }

  private untagged(node: YamlNode): TemplateValue {
    const start = this.at(node.range?.[0] ?? 0);
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return null;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      if (typeof v === 'bigint') return Number(v);
      return String(v);
    }
    if (isMap(node)) {
      const map: TemplateMap = {};
      const keys = new Map<string, { key: SourcePosition; value: SourcePosition }>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(this.value(keyNode));
        const keyPos = this.at(keyNode?.range?.[0] ?? 0);
        const valueNode = pair.value as YamlNode | null;
        if (keys.has(key)) {
          const first = keys.get(key)!.key;
          this.warnings.push({
            position: keyPos,
            message: `duplicate key ${key} (first at line ${first.line}); SAM CLI keeps this last value, remove one of them`,
          });
        }
        keys.set(key, { key: keyPos, value: valueNode?.range ? this.at(this.tagOffset(valueNode.tag, valueNode.range[0])) : keyPos });
        this.path.push(key);
        map[key] = this.value(valueNode);
        this.path.pop();
      }
      this.info.set(map, { position: start, keys });
      return map;
    }
    if (isSeq(node)) {
      const items: TemplateValue[] = [];
      const positions: SourcePosition[] = [];
      for (const item of node.items) {
        const itemNode = item as YamlNode | null;
        positions.push(this.at(itemNode?.range ? this.tagOffset(itemNode.tag, itemNode.range[0]) : 0));
        items.push(this.value(itemNode));
      }
      this.info.set(items, { position: start, items: positions });
      return items;
    }
    return null;
  }

  private alias(node: Alias): TemplateValue {
    if (this.aliasDepth > 50) {
      const offset = node.range?.[0] ?? 0;
      throw new TemplateError(this.templatePath, this.at(offset), undefined, 'alias nesting is too deep (a cycle?)');
    }
    this.state.anchors ??= collectAnchors(this.doc);
    // An alias refers to the closest anchor of its name before it.
    const offset = node.range?.[0] ?? 0;
    const target = this.state.anchors
      .get(node.source)
      ?.filter((a) => a.offset < offset)
      .at(-1)?.node;
    if (target === undefined) {
      throw new TemplateError(
        this.templatePath,
        this.at(offset),
        undefined,
        `alias *${node.source} has no anchor &${node.source} before it`,
      );
    }
    return new Walker(this.doc, this.text, this.templatePath, this.at, this.info, this.warnings, this.aliasDepth + 1, this.state).value(
      target,
    );
  }

  /** yaml ranges start after the tag; point at the tag itself when it directly precedes the node. */
  private tagOffset(tag: string | undefined, start: number): number {
    if (!tag || !tag.startsWith('!') || tag.startsWith('!!')) return start;
    const found = this.text.lastIndexOf(tag, start);
    if (found < 0 || this.text.slice(found + tag.length, start).trim() !== '') return start;
    return found;
  }
}

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}
