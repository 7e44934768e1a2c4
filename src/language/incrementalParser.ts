// Parses a template in pieces — each top-level section, and each resource of a block-style
// Resources section — and reuses the pieces whose text did not change, so an edit in one
// function of a 2,000-function template re-parses a few lines instead of the whole file.
// Templates the split cannot follow (JSON, flow style, anchors, several documents) are parsed
// whole.
import { parseFragment, shiftTree, type MapEntry, type MapNode, type ParseProblem, type TreeNode } from './templateTree';

export interface ParsedTemplate {
  root: MapNode | undefined;
  problems: ParseProblem[];
}

interface Piece {
  base: number;
  node: TreeNode | undefined;
  problems: ParseProblem[];
}

const RESOURCES_LINE = /^Resources\s*:\s*(#.*)?$/;

export class IncrementalParser {
  /** Pieces of the previous version, by text: only those still present are kept. */
  private pieces = new Map<string, Piece>();

  parse(text: string): ParsedTemplate {
    const split = splitTemplate(text);
    const next = new Map<string, Piece>();
    const parsePiece = (start: number, end: number): Piece => {
      const fragment = text.slice(start, end);
      // The same text twice (a duplicated resource) is two pieces at two places: only one is kept.
      const seen = next.has(fragment);
      const piece = (seen ? undefined : this.reuse(fragment, start)) ?? { base: start, ...parseFragment(fragment, start) };
      if (!seen) next.set(fragment, piece);
      return piece;
    };
    const problems: ParseProblem[] = [];
    let root: MapNode | undefined;
    if (!split) {
      const piece = parsePiece(0, text.length);
      problems.push(...piece.problems);
      if (piece.node?.kind === 'map') root = piece.node;
      else if (piece.node)
        problems.push({ start: piece.node.start, end: piece.node.end, message: 'a template is a map with a Resources section' });
    } else {
      const entries: MapEntry[] = [];
      for (const section of split.sections) {
        const piece = parsePiece(section.start, section.end);
        problems.push(...piece.problems);
        if (piece.node?.kind === 'map') entries.push(...piece.node.entries.map((e) => ({ ...e })));
        if (section.resources) {
          const resources = entries.find((e) => e.key === 'Resources');
          const map: MapNode = {
            kind: 'map',
            start: section.resources[0]?.start ?? section.end,
            end: section.resources.at(-1)?.end ?? section.end,
            entries: [],
          };
          const seen = new Set<string>();
          for (const r of section.resources) {
            const rp = parsePiece(r.start, r.end);
            problems.push(...rp.problems);
            if (rp.node?.kind !== 'map') continue;
            for (const e of rp.node.entries) {
              if (seen.has(e.key))
                problems.push({
                  start: e.keyStart,
                  end: e.keyEnd,
                  message: `duplicate logical id ${e.key}: logical ids must be unique in a template; rename one`,
                });
              seen.add(e.key);
              map.entries.push(e);
            }
          }
          if (resources && map.entries.length > 0) resources.value = map;
        }
      }
      if (entries.length > 0) root = { kind: 'map', start: 0, end: text.length, entries };
    }
    this.pieces = next;
    return { root, problems };
  }

  private reuse(fragment: string, start: number): Piece | undefined {
    const piece = this.pieces.get(fragment);
    if (!piece) return undefined;
    const delta = start - piece.base;
    if (delta !== 0) {
      shiftTree(piece.node, delta);
      for (const p of piece.problems) {
        p.start += delta;
        p.end += delta;
      }
      piece.base = start;
    }
    return piece;
  }
}

interface Split {
  sections: Array<{ start: number; end: number; resources?: Array<{ start: number; end: number }> }>;
}

/** Where the pieces are, or undefined when the text must be parsed whole. */
function splitTemplate(text: string): Split | undefined {
  const firstChar = /\S/.exec(text.replace(/^\s*#.*$/gm, ''))?.[0];
  if (firstChar === '{' || firstChar === '[' || /^(---|\.\.\.)/m.test(text) || /(^|[\s[{,])&[^\s]/.test(text) || /^%/m.test(text))
    return undefined;
  const sections: Split['sections'] = [];
  let resources: Array<{ start: number; end: number }> | undefined;
  let resourceIndent = -1;
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const body = line.replace(/\r$/, '');
    const trimmed = body.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = body.length - trimmed.length;
    if (indent === 0) {
      if (trimmed.startsWith('-')) return undefined;
      const last = sections.at(-1);
      // A Resources section ends with its own line; its resources end where the next section starts.
      if (last && !last.resources) last.end = lineStart;
      resources = RESOURCES_LINE.test(body) ? [] : undefined;
      resourceIndent = -1;
      sections.push({ start: lineStart, end: text.length, ...(resources ? { resources } : {}) });
      if (resources) {
        // The Resources line alone; its entries are pieces of their own.
        sections.at(-1)!.end = Math.min(offset, text.length);
      }
      continue;
    }
    if (!resources) continue;
    if (resourceIndent < 0) resourceIndent = indent;
    if (indent < resourceIndent || (indent === resourceIndent && trimmed.startsWith('-'))) return undefined;
    if (indent === resourceIndent) {
      const last = resources.at(-1);
      if (last) last.end = lineStart;
      resources.push({ start: lineStart, end: text.length });
    }
  }
  // Text after the last resource up to the next section belongs to the last resource.
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i];
    const rs = s.resources;
    if (rs && rs.length > 0) rs[rs.length - 1].end = sections[i + 1]?.start ?? text.length;
  }
  return sections.length > 0 ? { sections } : undefined;
}
