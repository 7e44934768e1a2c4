// File-system answers the checks ask for on every edit (does this folder exist, where does
// this handler lead), remembered briefly: a 2,000-function template sharing one code folder
// asks the same questions 2,000 times per edit. Forgotten when files change.
import { existsSync, statSync } from 'node:fs';
import { handlerLanguageOf, type HandlerTarget } from './handlerSources';

const TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

export class CodeProbe {
  private readonly answers = new Map<string, { at: number; value: unknown }>();
  private forgotten = 0;

  forget(): void {
    this.answers.clear();
    this.forgotten++;
  }

  /** Changes whenever an answer may have changed: results built on answers are valid while it holds. */
  get generation(): string {
    return `${this.forgotten}:${Math.floor(Date.now() / TTL_MS)}`;
  }

  isDirectory(dir: string): boolean {
    return this.remember(`d\0${dir}`, () => existsSync(dir) && statSync(dir).isDirectory());
  }

  locateHandler(runtime: string, codeDir: string, handler: string, esbuild: boolean): HandlerTarget {
    const language = handlerLanguageOf(runtime);
    if (!language) return { kind: 'unknown' };
    return this.remember(`h\0${runtime}\0${codeDir}\0${handler}\0${esbuild}`, () => language.locate(codeDir, handler, esbuild));
  }

  private remember<T>(key: string, compute: () => T): T {
    const now = Date.now();
    const known = this.answers.get(key);
    if (known && now - known.at < TTL_MS) return known.value as T;
    if (this.answers.size >= MAX_ENTRIES) this.answers.clear();
    const value = compute();
    this.answers.set(key, { at: now, value });
    return value;
  }
}
