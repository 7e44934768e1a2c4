// The subset of the Chrome DevTools Protocol (Debugger and Runtime domains) the adapter uses,
// typed after the protocol definitions so every command and event is checked at compile time.

export namespace Runtime {
  export type RemoteObjectId = string;
  export type ScriptId = string;

  export interface RemoteObject {
    type: 'object' | 'function' | 'undefined' | 'string' | 'number' | 'boolean' | 'symbol' | 'bigint';
    subtype?: string;
    className?: string;
    value?: unknown;
    unserializableValue?: string;
    description?: string;
    objectId?: RemoteObjectId;
    preview?: ObjectPreview;
  }

  export interface ObjectPreview {
    type: RemoteObject['type'];
    subtype?: string;
    description?: string;
    overflow: boolean;
    properties: PropertyPreview[];
    entries?: Array<{ key?: ObjectPreview; value: ObjectPreview }>;
  }

  export interface PropertyPreview {
    name: string;
    type: RemoteObject['type'] | 'accessor';
    value?: string;
    subtype?: string;
  }

  export interface PropertyDescriptor {
    name: string;
    value?: RemoteObject;
    writable?: boolean;
    get?: RemoteObject;
    set?: RemoteObject;
    configurable: boolean;
    enumerable: boolean;
    wasThrown?: boolean;
    isOwn?: boolean;
    symbol?: RemoteObject;
  }

  export interface InternalPropertyDescriptor {
    name: string;
    value?: RemoteObject;
  }

  export interface CallArgument {
    value?: unknown;
    unserializableValue?: string;
    objectId?: RemoteObjectId;
  }

  export interface ExceptionDetails {
    exceptionId: number;
    text: string;
    lineNumber: number;
    columnNumber: number;
    scriptId?: ScriptId;
    url?: string;
    exception?: RemoteObject;
  }

  export interface EvaluateResult {
    result: RemoteObject;
    exceptionDetails?: ExceptionDetails;
  }
}

export namespace Debugger {
  export type BreakpointId = string;
  export type CallFrameId = string;

  export interface Location {
    scriptId: Runtime.ScriptId;
    /** 0-based. */
    lineNumber: number;
    /** 0-based. */
    columnNumber?: number;
  }

  export interface Scope {
    type: 'global' | 'local' | 'with' | 'closure' | 'catch' | 'block' | 'script' | 'eval' | 'module' | 'wasm-expression-stack';
    object: Runtime.RemoteObject;
    name?: string;
  }

  export interface CallFrame {
    callFrameId: CallFrameId;
    functionName: string;
    location: Location;
    scopeChain: Scope[];
    this: Runtime.RemoteObject;
    returnValue?: Runtime.RemoteObject;
  }

  export type PauseReason =
    | 'ambiguous'
    | 'assert'
    | 'CSPViolation'
    | 'debugCommand'
    | 'DOM'
    | 'EventListener'
    | 'exception'
    | 'instrumentation'
    | 'OOM'
    | 'other'
    | 'promiseRejection'
    | 'XHR'
    | 'step';

  export interface PausedEvent {
    callFrames: CallFrame[];
    reason: PauseReason;
    /** For exceptions: the exception object, with `uncaught` added by V8. */
    data?: Runtime.RemoteObject & { uncaught?: boolean; scriptId?: string; url?: string };
    hitBreakpoints?: BreakpointId[];
  }

  export interface ScriptParsedEvent {
    scriptId: Runtime.ScriptId;
    url: string;
    sourceMapURL?: string;
    hash: string;
  }

  export interface BreakpointResolvedEvent {
    breakpointId: BreakpointId;
    location: Location;
  }
}

type Empty = Record<string, never>;

/** Command name → params and result. */
export interface CdpCommands {
  'Runtime.runIfWaitingForDebugger': { params: Empty; result: Empty };
  'Runtime.getIsolateId': { params: Empty; result: { id: string } };
  'Runtime.evaluate': {
    params: {
      expression: string;
      objectGroup?: string;
      returnByValue?: boolean;
      generatePreview?: boolean;
      throwOnSideEffect?: boolean;
      includeCommandLineAPI?: boolean;
      silent?: boolean;
    };
    result: Runtime.EvaluateResult;
  };
  'Runtime.callFunctionOn': {
    params: {
      functionDeclaration: string;
      objectId: Runtime.RemoteObjectId;
      arguments?: Runtime.CallArgument[];
      returnByValue?: boolean;
      generatePreview?: boolean;
      objectGroup?: string;
      silent?: boolean;
    };
    result: Runtime.EvaluateResult;
  };
  'Runtime.getProperties': {
    params: { objectId: Runtime.RemoteObjectId; ownProperties?: boolean; generatePreview?: boolean; nonIndexedPropertiesOnly?: boolean };
    result: {
      result: Runtime.PropertyDescriptor[];
      internalProperties?: Runtime.InternalPropertyDescriptor[];
      exceptionDetails?: Runtime.ExceptionDetails;
    };
  };
  'Runtime.releaseObjectGroup': { params: { objectGroup: string }; result: Empty };
  'Debugger.enable': { params: { maxScriptsCacheSize?: number }; result: { debuggerId: string } };
  'Debugger.disable': { params: Empty; result: Empty };
  'Debugger.setBreakpointByUrl': {
    params: { lineNumber: number; url?: string; urlRegex?: string; columnNumber?: number; condition?: string };
    result: { breakpointId: Debugger.BreakpointId; locations: Debugger.Location[] };
  };
  'Debugger.setBreakpoint': {
    params: { location: Debugger.Location; condition?: string };
    result: { breakpointId: Debugger.BreakpointId; actualLocation: Debugger.Location };
  };
  'Debugger.removeBreakpoint': { params: { breakpointId: Debugger.BreakpointId }; result: Empty };
  'Debugger.setPauseOnExceptions': { params: { state: 'none' | 'uncaught' | 'all' }; result: Empty };
  'Debugger.setBlackboxPatterns': { params: { patterns: string[] }; result: Empty };
  'Debugger.resume': { params: Empty; result: Empty };
  'Debugger.pause': { params: Empty; result: Empty };
  'Debugger.stepOver': { params: Empty; result: Empty };
  'Debugger.stepInto': { params: Empty; result: Empty };
  'Debugger.stepOut': { params: Empty; result: Empty };
  'Debugger.evaluateOnCallFrame': {
    params: {
      callFrameId: Debugger.CallFrameId;
      expression: string;
      objectGroup?: string;
      returnByValue?: boolean;
      generatePreview?: boolean;
      throwOnSideEffect?: boolean;
      includeCommandLineAPI?: boolean;
      silent?: boolean;
    };
    result: Runtime.EvaluateResult;
  };
  'Debugger.setVariableValue': {
    params: { scopeNumber: number; variableName: string; newValue: Runtime.CallArgument; callFrameId: Debugger.CallFrameId };
    result: Empty;
  };
  'Debugger.getScriptSource': { params: { scriptId: Runtime.ScriptId }; result: { scriptSource: string } };
}

/** Event name → params. */
export interface CdpEvents {
  'Debugger.paused': Debugger.PausedEvent;
  'Debugger.resumed': Empty;
  'Debugger.scriptParsed': Debugger.ScriptParsedEvent;
  'Debugger.breakpointResolved': Debugger.BreakpointResolvedEvent;
}

export type CdpMethod = keyof CdpCommands;
export type CdpEventName = keyof CdpEvents;
