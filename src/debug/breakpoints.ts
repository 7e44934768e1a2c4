// The user's breakpoints as DAP knows them: per-source lists, ids, verification state,
// hit counts and logpoint messages. Binding them in a process is environmentThread's job.
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { FunctionConfig } from '../runtime/functionConfig';

export type HitPredicate = (hits: number) => boolean;

export interface UserBreakpoint {
  id: number;
  path: string;
  /** 1-based, as the user set it. */
  line: number;
  column?: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hitPredicate?: HitPredicate;
  /** Hits so far (only counted for breakpoints with a hit condition). */
  hits: number;
  verified: boolean;
  /** Where it bound, in the user's source (may differ from `line`). */
  boundLine?: number;
  message?: string;
}

/** Parses VS Code's hit condition syntax: `5`, `>= 5`, `> 5`, `< 5`, `<= 5`, `== 5`, `% 5`. */
export function parseHitCondition(text: string): HitPredicate | undefined {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return (h) => h > n;
    case '>=':
      return (h) => h >= n;
    case '<':
      return (h) => h < n;
    case '<=':
      return (h) => h <= n;
    case '%':
      return (h) => n > 0 && h % n === 0;
    default:
      return (h) => h === n; // '5', '=5' and '==5' all mean "on the 5th hit"
  }
}

/**
 * A logpoint message (`value is {x.y}`) as one expression that evaluates to the text,
 * formatting objects as JSON so the Debug Console shows their content.
 */
export function logMessageExpression(message: string): string {
  const parts: string[] = [];
  const re = /\{([^{}]+)\}/g;
  let last = 0;
  for (let m = re.exec(message); m; m = re.exec(message)) {
    parts.push(JSON.stringify(message.slice(last, m.index)), `__fmt((${m[1]}))`);
    last = m.index + m[0].length;
  }
  parts.push(JSON.stringify(message.slice(last)));
  const fmt =
    "const __fmt = (v) => { if (typeof v === 'string') return v; if (typeof v === 'object' && v !== null) { try { return JSON.stringify(v); } catch {} } return String(v); };";
  return `(() => { ${fmt} return ${parts.join(' + ')}; })()`;
}

function sameSpec(bp: UserBreakpoint, spec: DebugProtocol.SourceBreakpoint): boolean {
  return (
    bp.line === spec.line &&
    bp.column === spec.column &&
    bp.condition === spec.condition &&
    bp.hitCondition === spec.hitCondition &&
    bp.logMessage === spec.logMessage
  );
}

export interface BreakpointChange {
  all: UserBreakpoint[];
  added: UserBreakpoint[];
  removed: UserBreakpoint[];
}

export class BreakpointRegistry {
  private nextId = 1;
  private readonly bySource = new Map<string, UserBreakpoint[]>();
  private readonly byId = new Map<number, UserBreakpoint>();

  /** Replaces the breakpoints of one file, keeping (id, hits, binding) those that did not change. */
  setForSource(filePath: string, specs: DebugProtocol.SourceBreakpoint[]): BreakpointChange {
    const previous = this.bySource.get(filePath) ?? [];
    const kept = new Set<UserBreakpoint>();
    const all: UserBreakpoint[] = [];
    const added: UserBreakpoint[] = [];
    for (const spec of specs) {
      const existing = previous.find((bp) => !kept.has(bp) && sameSpec(bp, spec));
      if (existing) {
        kept.add(existing);
        all.push(existing);
        continue;
      }
      const bp: UserBreakpoint = {
        id: this.nextId++,
        path: filePath,
        line: spec.line,
        column: spec.column,
        condition: spec.condition || undefined,
        hitCondition: spec.hitCondition || undefined,
        logMessage: spec.logMessage || undefined,
        hits: 0,
        verified: false,
      };
      if (bp.hitCondition) {
        bp.hitPredicate = parseHitCondition(bp.hitCondition);
        if (!bp.hitPredicate)
          bp.message = `Invalid hit condition "${bp.hitCondition}": use a number, or >, >=, <, <=, == or % followed by a number.`;
      }
      this.byId.set(bp.id, bp);
      all.push(bp);
      added.push(bp);
    }
    const removed = previous.filter((bp) => !kept.has(bp));
    for (const bp of removed) this.byId.delete(bp.id);
    this.bySource.set(filePath, all);
    return { all, added, removed };
  }

  get(id: number): UserBreakpoint | undefined {
    return this.byId.get(id);
  }

  all(): UserBreakpoint[] {
    return [...this.byId.values()];
  }

  /** Whether a breakpoint can bind at all (an invalid hit condition never does). */
  static isBindable(bp: UserBreakpoint): boolean {
    return !bp.hitCondition || !!bp.hitPredicate;
  }

  static toDap(bp: UserBreakpoint): DebugProtocol.Breakpoint {
    return {
      id: bp.id,
      verified: bp.verified,
      line: bp.boundLine ?? bp.line,
      source: { path: bp.path },
      message: bp.verified ? undefined : bp.message,
    };
  }
}

/**
 * Why a breakpoint is not bound yet: waiting for a cold start of a function whose code (or
 * whose build's source maps, `mapped`) holds the file, or a file none of them contains.
 */
export async function unboundMessage(
  bp: UserBreakpoint,
  functions: FunctionConfig[],
  mapped: (codeDir: string) => Promise<boolean>,
): Promise<string> {
  if (functions.length === 0) return 'Binds when the debugged function loads this file.';
  for (const fn of functions) {
    const folders = [fn.codeDir, fn.build?.sourceDir].filter((d): d is string => !!d);
    if (folders.some((d) => bp.path.startsWith(d + path.sep)) || (await mapped(fn.codeDir))) {
      return `Binds when ${fn.functionName} loads this file (next cold start).`;
    }
  }
  const names = functions.map((f) => f.functionName).join(', ');
  return `${bp.path} is not part of the code of ${names}; this breakpoint binds only if that code loads the file.`;
}
