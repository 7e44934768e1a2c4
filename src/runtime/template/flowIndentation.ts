// PyYAML, which SAM CLI reads templates with, lets the lines of a flow collection (`[ ... ]`,
// `{ ... }`) that spans several lines sit at any indentation; YAML 1.2 parsers want them
// indented more than the key the collection belongs to. This re-indents such lines so a strict
// parser accepts them, and says which lines moved and by how much, so positions reported
// afterwards still match the file.

export interface RelaxedText {
  text: string;
  /** 1-based line → spaces added at its start. */
  padding: Map<number, number>;
  /** 1-based lines where a re-indented flow collection starts. */
  lines: number[];
}

export function relaxFlowIndentation(text: string): RelaxedText {
  const lines = text.split('\n');
  const padding = new Map<number, number>();
  const moved = new Set<number>();
  /** Line where the outermost open flow collection started. */
  let startLine = 0;
  let depth = 0;
  /** Indentation of the line the outermost open flow collection started on. */
  let baseIndent = 0;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (depth > 0 && !quote && line.trim() !== '') {
      const indent = line.length - line.trimStart().length;
      if (indent <= baseIndent) {
        const pad = baseIndent + 1 - indent;
        line = ' '.repeat(pad) + line;
        lines[i] = line;
        padding.set(i + 1, pad);
        moved.add(startLine);
      }
    }
    for (let j = 0; j < line.length; j++) {
      const c = line[j];
      if (quote) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) {
          if (quote === "'" && line[j + 1] === "'") j++;
          else quote = undefined;
        }
        continue;
      }
      if (c === '#' && (j === 0 || /\s/.test(line[j - 1]))) break;
      if (depth > 0) {
        if (c === '"' || c === "'") quote = c;
        else if (c === '[' || c === '{') depth++;
        else if (c === ']' || c === '}') depth--;
        continue;
      }
      if ((c === '[' || c === '{') && startsNode(line, j)) {
        depth = 1;
        baseIndent = line.length - line.trimStart().length;
        startLine = i + 1;
      } else if ((c === '"' || c === "'") && startsNode(line, j)) {
        quote = c;
      }
    }
    // A quoted scalar at block level never continues on the next line in a template worth relaxing.
    if (depth === 0) quote = undefined;
  }
  return { text: lines.join('\n'), padding, lines: [...moved] };
}

/** Whether position j of a line begins a node: at the line's start, or after `- `, `: ` or `? `. */
function startsNode(line: string, j: number): boolean {
  const before = line.slice(0, j).trimEnd();
  if (before === '') return true;
  if (line[j - 1] !== ' ' && line[j - 1] !== '\t') return false;
  return /(^|\s)-$/.test(before) || /:$/.test(before) || /(^|\s)\?$/.test(before);
}
