// What the debugger shows of a durable execution while a thread is paused in one of its
// invocations: the thread's name says which execution and which invocation (first run or
// which replay), and a "Durable history" scope lists the execution's operations so far — steps
// with their attempts and results, waits, callbacks (with their ids), invokes, child contexts.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ExecutionRecord } from '../runtime/durable/executionRecord';
import { formatDuration, timeline, type TimelineEntry } from '../runtime/durable/executionTimeline';
import type { LocalRuntime } from '../runtime/localRuntime';

/** Above the inspector variables' references (counted from 1), below DAP's 2^31 limit. */
const REF_BASE = 1_000_000_000;

interface DurableInvocation {
  record: ExecutionRecord;
  number: number;
}

export class DurableScopes {
  /** The request each environment is running now (set by the runtime's invocation events). */
  private readonly running = new Map<string, string>();
  private readonly containers = new Map<number, DebugProtocol.Variable[]>();
  /** The references each environment's last scope made: released when it makes new ones. */
  private readonly refsOf = new Map<string, number[]>();
  private nextRef = REF_BASE;

  constructor(private readonly runtime: () => LocalRuntime | undefined) {}

  invocationStarted(environmentId: string, requestId: string): void {
    this.running.set(environmentId, requestId);
  }

  invocationEnded(environmentId: string): void {
    this.running.delete(environmentId);
    for (const ref of this.refsOf.get(environmentId) ?? []) this.containers.delete(ref);
    this.refsOf.delete(environmentId);
  }

  private invocationOf(environmentId: string): DurableInvocation | undefined {
    const requestId = this.running.get(environmentId);
    return requestId ? this.runtime()?.durable.invocation(requestId) : undefined;
  }

  /** `Fn $LATEST #1 · durable order-17 · replay 2` while the environment runs a durable invocation. */
  threadName(environmentId: string, name: string): string {
    const inv = this.invocationOf(environmentId);
    return inv ? `${name} · durable ${inv.record.DurableExecutionName} · ${invocationWord(inv.number)}` : name;
  }

  /** The "Durable history" scope of a paused environment running a durable invocation. */
  scope(environmentId: string): DebugProtocol.Scope | undefined {
    const inv = this.invocationOf(environmentId);
    if (!inv) return undefined;
    for (const ref of this.refsOf.get(environmentId) ?? []) this.containers.delete(ref);
    const refs: number[] = [];
    this.refsOf.set(environmentId, refs);
    const add = (variables: DebugProtocol.Variable[]) => {
      const ref = this.nextRef++;
      this.containers.set(ref, variables);
      refs.push(ref);
      return ref;
    };
    const { record, number } = inv;
    const operations = timeline(record);
    const top: DebugProtocol.Variable[] = [
      leaf('execution', record.DurableExecutionName),
      leaf('arn', record.DurableExecutionArn),
      leaf('invocation', `${number} (${invocationWord(number)})`),
      leaf('replaying', String(number > 1)),
      ...operations.map((e) => this.operation(e, add)),
    ];
    return { name: 'Durable history', variablesReference: add(top), namedVariables: top.length, expensive: false };
  }

  /** The scope's variables, or undefined when the reference is not one of this scope's. */
  variables(ref: number): DebugProtocol.Variable[] | undefined {
    return ref >= REF_BASE ? (this.containers.get(ref) ?? []) : undefined;
  }

  private operation(e: TimelineEntry, add: (v: DebugProtocol.Variable[]) => number): DebugProtocol.Variable {
    const fields: DebugProtocol.Variable[] = [
      // The SDK's sub-type when it says more than the type (Parallel, WaitForCallback), not Step for STEP.
      leaf('type', e.subType && e.subType.toUpperCase() !== e.type.replace(/_/g, '') ? `${e.type} (${e.subType})` : e.type),
      leaf('status', e.status),
      ...(e.attempts ? [leaf('attempts', String(e.attempts))] : []),
      ...(e.detail ? [leaf('detail', e.detail)] : []),
      ...(e.endedAt !== undefined ? [leaf('duration', formatDuration(e.endedAt - e.startedAt))] : []),
      ...(e.result !== undefined ? [leaf('result', e.result)] : []),
      ...(e.error ? [leaf('error', e.error)] : []),
      ...(e.callbackId ? [leaf('callbackId', e.callbackId)] : []),
      ...e.children.map((c) => this.operation(c, add)),
    ];
    const value = [e.kind, e.status, e.result !== undefined ? `→ ${short(e.result)}` : e.error].filter(Boolean).join(' · ');
    return { name: e.name, value, variablesReference: add(fields), namedVariables: fields.length };
  }
}

function invocationWord(number: number): string {
  return number === 1 ? 'first run' : `replay ${number - 1}`;
}

function leaf(name: string, value: string): DebugProtocol.Variable {
  return { name, value, variablesReference: 0 };
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
