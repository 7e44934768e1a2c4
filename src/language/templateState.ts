// One open template: its text, the incremental parse and index, the fast checks run on every
// edit, and the latest answer of the runtime's loader.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateModel } from '../runtime/functionConfig';
import type { CodeProbe } from './codeProbe';
import type { Finding } from './findings';
import { FunctionFindingCache, functionFindings } from './functionChecks';
import { IncrementalParser } from './incrementalParser';
import { LineIndex } from './lineIndex';
import type { LoaderResult } from './loaderWorker';
import { referenceFindings } from './referenceChecks';
import { isTemplateText } from './templateRecognizer';
import { ReferenceCache, TemplateIndex } from './templateIndex';
import { walkTree } from './templateTree';

export class TemplateState {
  private readonly parser = new IncrementalParser();
  private readonly referenceCache = new ReferenceCache();
  private readonly findingCache = new FunctionFindingCache();
  readonly templatePath: string;
  version = -1;
  isTemplate = false;
  lines = new LineIndex('');
  index: TemplateIndex | undefined;
  findings: Finding[] = [];
  /** The loader's answer for `loaderVersion` of the text. */
  loaderVersion = -1;
  model: TemplateModel | undefined;
  loaderFindings: Finding[] = [];

  constructor(
    readonly uri: string,
    fallbackDir: string,
  ) {
    this.templatePath = uri.startsWith('file:') ? fileURLToPath(uri) : path.join(fallbackDir, 'template.yaml');
  }

  get templateDir(): string {
    return path.dirname(this.templatePath);
  }

  get text(): string {
    return this.lines.text;
  }

  update(text: string, version: number, probe: CodeProbe): void {
    this.version = version;
    this.lines = new LineIndex(text);
    this.isTemplate = isTemplateText(text);
    if (!this.isTemplate) {
      this.index = undefined;
      this.findings = [];
      return;
    }
    const parsed = this.parser.parse(text);
    this.index = new TemplateIndex(text, parsed, this.referenceCache);
    this.findings = [
      ...parsed.problems.map((p): Finding => ({ ...p, severity: 'error' })),
      ...referenceFindings(this.index),
      ...functionFindings(this.index, this.templateDir, probe, this.findingCache),
    ];
  }

  acceptLoaderResult(version: number, result: LoaderResult): void {
    this.loaderVersion = version;
    const ends = this.nodeEnds();
    if ('model' in result) {
      this.model = result.model;
      this.loaderFindings = [
        ...result.model.diagnostics.map((d) =>
          this.findingAt(ends, d.position, d.severity === 'error' ? 'error' : 'information', d.message),
        ),
        // Not when the fast checks already said why: the runtime does not run here (the same problem).
        ...result.model.unsupported
          .filter((u) => !this.findings.some((f) => f.message.startsWith(`${u.logicalId} cannot run in Lambda Lab`)))
          .map((u) => this.findingAt(ends, u.position, 'warning', `${u.logicalId} cannot run locally: ${u.reason}`)),
      ];
    } else {
      this.loaderFindings = [this.findingAt(ends, result.error.position, 'error', result.error.message)];
    }
  }

  /** Fast findings, plus the loader's for this very version where they don't overlap one (the same problem, said twice). */
  allFindings(): Finding[] {
    if (this.loaderVersion !== this.version) return this.findings;
    const extra = this.loaderFindings.filter((l) => !this.findings.some((f) => l.start <= f.end && f.start <= l.end));
    return [...this.findings, ...extra];
  }

  /** Where each key, scalar or tag that starts at an offset ends. */
  private nodeEnds(): Map<number, number> {
    const ends = new Map<number, number>();
    const note = (start: number, end: number): void => {
      ends.set(start, Math.max(end, ends.get(start) ?? end));
    };
    walkTree(this.index?.root, (node) => {
      if (node.kind === 'map') for (const e of node.entries) note(e.keyStart, e.keyEnd);
      if (node.kind === 'scalar') {
        note(node.start, node.end);
        if (node.tagStart !== undefined) note(node.tagStart, node.end);
      }
    });
    return ends;
  }

  /** A loader position (1-based) → the node or word that starts there. */
  private findingAt(
    ends: Map<number, number>,
    position: { line: number; column: number },
    severity: Finding['severity'],
    message: string,
  ): Finding {
    const start = this.lines.offset({ line: position.line - 1, character: position.column - 1 });
    const end = ends.get(start) ?? start + (/^\S+/.exec(this.text.slice(start, start + 200))?.[0].length ?? 1);
    return { start, end, severity, message };
  }
}
