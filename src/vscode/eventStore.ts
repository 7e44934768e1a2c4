// Saved test events, kept as SAM keeps them: JSON files in `events/` next to the template.
// `events/<LogicalId>/*.json` belong to that function (and `events/<FunctionName>/`, where a
// template's FunctionName differs and events were saved under it); files directly in `events/`
// go to the function whose name they start with (`hello.json` → HelloFunction) or, if none, to all.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';

export interface SavedEvent {
  /** File name without `.json`. */
  name: string;
  file: string;
}

/** An event file that is not valid JSON, with the position of the problem. */
export class EventFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`${file}:${line}:${column}: invalid JSON in event file (${detail}). Fix the file or pick another event.`);
  }
}

export class EventStore {
  constructor(private readonly state: vscode.Memento) {}

  eventsDir(fn: FunctionConfig): string {
    return path.join(path.dirname(fn.templatePath), 'events');
  }

  /** The events offered for `fn`; `siblings` are the other functions of its template. */
  list(fn: FunctionConfig, siblings: FunctionConfig[]): SavedEvent[] {
    const dir = this.eventsDir(fn);
    const legacy = fn.functionName !== fn.logicalId && !siblings.some((s) => s.logicalId === fn.functionName);
    const own = [fn.logicalId, ...(legacy ? [fn.functionName] : [])].flatMap((name) => jsonFiles(path.join(dir, name)));
    const shared = jsonFiles(dir).filter((e) => {
      const owner = siblings.find((s) => e.name.toLowerCase().startsWith(stem(s)));
      return owner ? owner.logicalId === fn.logicalId : true;
    });
    return [...own, ...shared];
  }

  /** The event Invoke uses without asking: the last one used, else the function's first saved one. */
  defaultEvent(fn: FunctionConfig, siblings: FunctionConfig[]): SavedEvent | undefined {
    const last = this.state.get<string>(lastKey(fn));
    if (last && existsSync(last)) return { name: path.basename(last, '.json'), file: last };
    const events = this.list(fn, siblings);
    return events.find((e) => e.name.toLowerCase() === stem(fn)) ?? events[0];
  }

  async remember(fn: FunctionConfig, event: SavedEvent | undefined): Promise<void> {
    await this.state.update(lastKey(fn), event?.file);
  }

  /** Reads and validates an event file; throws EventFileError with the position of bad JSON. */
  read(file: string): string {
    const text = readFileSync(file, 'utf8');
    try {
      JSON.parse(text);
    } catch (err) {
      const { line, column } = errorPosition(text, (err as Error).message);
      throw new EventFileError(file, line, column, (err as Error).message);
    }
    return text;
  }

  /** Writes a new event file for `fn` and returns it; never overwrites. */
  save(fn: FunctionConfig, name: string, json: unknown): SavedEvent {
    const dir = path.join(this.eventsDir(fn), fn.logicalId);
    mkdirSync(dir, { recursive: true });
    let file = path.join(dir, `${name}.json`);
    for (let i = 2; existsSync(file); i++) file = path.join(dir, `${name}-${i}.json`);
    writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
    return { name: path.basename(file, '.json'), file };
  }
}

function lastKey(fn: FunctionConfig): string {
  return `lambdaLab.lastEvent:${fn.templatePath}#${fn.logicalId}`;
}

/** `HelloFunction` → `hello`. */
function stem(fn: FunctionConfig): string {
  return fn.logicalId.replace(/Function$/, '').toLowerCase();
}

function jsonFiles(dir: string): SavedEvent[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json'))
    .map((d) => ({ name: d.name.slice(0, -'.json'.length), file: path.join(dir, d.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** V8 says either `at position N` or `(line L column C)`; both become 1-based line/column. */
function errorPosition(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : text.length;
  const before = text.slice(0, offset).split(/\r?\n/);
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
