// What a paused Node thread shows through the inspector: stack frames (through source maps),
// scopes, variables, evaluation, exception details, and the text of scripts without a file.
// Frame ids and source references are fresh numbers per pause, never reused; they and the
// variable references die when their thread runs again.
import { Scope, Source, StackFrame } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Debugger } from './cdp/cdpProtocol';
import { OBJECT_GROUP, type EnvironmentThread } from './environmentThread';
import { VariableStore, exceptionText } from './variables';

const SCOPE_NAMES: Record<Debugger.Scope['type'], string> = {
  local: 'Local',
  closure: 'Closure',
  block: 'Block',
  module: 'Module',
  script: 'Script',
  global: 'Global',
  catch: 'Catch',
  with: 'With',
  eval: 'Eval',
  'wasm-expression-stack': 'Expression stack',
};

/** The session's conversion of 1-based positions to what its client asked for. */
export interface ClientPositions {
  line(line: number): number;
  column(column: number): number;
}

type EvaluateBody = DebugProtocol.EvaluateResponse['body'];

export class NodeInspection {
  private readonly variables = new VariableStore();
  private readonly frames = new Map<number, { thread: EnvironmentThread; frame: Debugger.CallFrame }>();
  private readonly scriptSources = new Map<number, { thread: EnvironmentThread; scriptId: string }>();
  private nextHandle = 1;

  constructor(private readonly client: ClientPositions) {}

  async stackTrace(thread: EnvironmentThread, args: DebugProtocol.StackTraceArguments): Promise<DebugProtocol.StackTraceResponse['body']> {
    const callFrames = thread.paused?.callFrames ?? [];
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : callFrames.length;
    const stackFrames = await Promise.all(
      callFrames.slice(start, end).map(async (frame) => {
        const id = this.nextHandle++;
        this.frames.set(id, { thread, frame });
        const where = await thread.userLocation(frame.location);
        const source = new Source(where.name, where.path);
        if (where.scriptId !== undefined) {
          source.sourceReference = this.nextHandle++;
          this.scriptSources.set(source.sourceReference, { thread, scriptId: where.scriptId });
        }
        if (where.skipped) (source as DebugProtocol.Source).presentationHint = 'deemphasize';
        const sf = new StackFrame(
          id,
          frame.functionName || '(anonymous)',
          source,
          this.client.line(where.line),
          this.client.column(where.column),
        );
        if (where.skipped) (sf as DebugProtocol.StackFrame).presentationHint = 'subtle';
        return sf;
      }),
    );
    return { stackFrames, totalFrames: callFrames.length };
  }

  /** The thread a stack frame belongs to (undefined once the thread resumed). */
  threadOfFrame(frameId: number): EnvironmentThread | undefined {
    return this.frames.get(frameId)?.thread;
  }

  scopes(frameId: number): DebugProtocol.Scope[] {
    const entry = this.frames.get(frameId);
    if (!entry) throw new Error('This stack frame is no longer available: the environment has resumed.');
    const { thread, frame } = entry;
    return frame.scopeChain.flatMap((scope, index) => {
      if (!scope.object.objectId) return [];
      const extras: DebugProtocol.Variable[] = [];
      if (scope.type === 'local') {
        if (frame.this.type !== 'undefined') extras.push(this.variables.toVariable(thread, 'this', frame.this, 'this'));
        if (frame.returnValue) extras.push(this.variables.toVariable(thread, 'Return value', frame.returnValue));
      }
      const ref = this.variables.addScope(thread, scope.object.objectId, frame.callFrameId, index, extras);
      const name = SCOPE_NAMES[scope.type] + (scope.type === 'closure' && scope.name ? `: ${scope.name}` : '');
      const s = new Scope(name, ref, scope.type === 'global') as DebugProtocol.Scope;
      if (scope.type === 'local') s.presentationHint = 'locals';
      return [s];
    });
  }

  variablesOf(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    return this.variables.variables(args);
  }

  async setVariable(args: DebugProtocol.SetVariableArguments): Promise<DebugProtocol.SetVariableResponse['body']> {
    const v = await this.variables.setVariable(args);
    return {
      value: v.value,
      type: v.type,
      variablesReference: v.variablesReference,
      indexedVariables: v.indexedVariables,
      namedVariables: v.namedVariables,
    };
  }

  /** In a frame when one is given, else in a paused thread (or any), as the REPL does without a frame. */
  async evaluate(args: DebugProtocol.EvaluateArguments, threads: EnvironmentThread[]): Promise<EvaluateBody> {
    const entry = args.frameId !== undefined ? this.frames.get(args.frameId) : undefined;
    if (args.frameId !== undefined && !entry) throw new Error('This stack frame is no longer available: the environment has resumed.');
    const thread = entry?.thread ?? threads.find((t) => t.isPaused) ?? threads[0];
    if (!thread) throw new Error('No execution environment of the debugged function is running: invoke the function first.');
    // Hovers and watches must not change the program; the REPL may.
    const common = {
      expression: args.expression,
      objectGroup: OBJECT_GROUP,
      generatePreview: true,
      throwOnSideEffect: args.context === 'hover' || args.context === 'watch',
      includeCommandLineAPI: args.context === 'repl',
    };
    const r = entry
      ? await thread.cdp.send('Debugger.evaluateOnCallFrame', { ...common, callFrameId: entry.frame.callFrameId })
      : await thread.cdp.send('Runtime.evaluate', common);
    if (r.exceptionDetails) throw new Error(exceptionText(r.exceptionDetails));
    const v = this.variables.toVariable(thread, '', r.result, args.expression);
    return {
      result: v.value,
      type: v.type,
      variablesReference: v.variablesReference,
      indexedVariables: v.indexedVariables,
      namedVariables: v.namedVariables,
    };
  }

  exceptionInfo(thread: EnvironmentThread): DebugProtocol.ExceptionInfoResponse['body'] {
    const paused = thread.paused;
    const data = paused?.data;
    if (!paused || (paused.reason !== 'exception' && paused.reason !== 'promiseRejection') || !data) {
      throw new Error('This thread is not paused on an exception.');
    }
    const description = data.description ?? String(data.value);
    return {
      exceptionId: data.className ?? data.type,
      description: description.split('\n')[0],
      breakMode: data.uncaught ? 'unhandled' : 'always',
      details: { message: description.split('\n')[0], typeName: data.className, stackTrace: description },
    };
  }

  async source(sourceReference: number): Promise<DebugProtocol.SourceResponse['body']> {
    const entry = this.scriptSources.get(sourceReference);
    if (!entry) throw new Error('This source is no longer available: its environment has ended.');
    const r = await entry.thread.cdp.send('Debugger.getScriptSource', { scriptId: entry.scriptId });
    return { content: r.scriptSource, mimeType: 'text/javascript' };
  }

  /** Frames and variables handed out for a pause are invalid once the thread runs again. */
  forgetPause(thread: EnvironmentThread): void {
    this.variables.release(thread);
    for (const [id, f] of this.frames) if (f.thread === thread) this.frames.delete(id);
  }

  forgetThread(thread: EnvironmentThread): void {
    this.forgetPause(thread);
    for (const [ref, source] of this.scriptSources) if (source.thread === thread) this.scriptSources.delete(ref);
  }
}
