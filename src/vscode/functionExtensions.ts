// A function's external extensions: the executables in its layers' `extensions/` folders (what
// Lambda starts from /opt/extensions), and what each did in the function's last environment,
// read from the platform lines Lambda writes to the log stream when init ends
// (`EXTENSION Name: … State: Ready Events: […]`, `TELEMETRY Name: … State: Subscribed Types: […]`).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { externalExtensions } from '../runtime/environment/environmentExtensions';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { LogRecord } from '../runtime/runtimeEvents';
import { subscribe } from './subscribe';
import type { TemplateWorkspace } from './templateWorkspace';

export interface FunctionExtension {
  /** The executable's name, which is also the name it registers under. */
  name: string;
  file: string;
  layerName: string;
}

/** What one extension did in an environment's init. */
export interface ExtensionActivity {
  environmentId: string;
  logStreamName: string;
  /** Events it registered for; undefined when it did not register. */
  events?: string[];
  /** Telemetry or Logs API subscription: `telemetry: Platform, Function`. */
  subscription?: string;
}

export class FunctionExtensions implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** By function name, then extension name: the latest environment's activity. */
  private readonly activity = new Map<string, Map<string, ExtensionActivity>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
  ) {
    this.subscriptions = [subscribe(runtime, 'log', (record) => this.onLog(record))];
  }

  /** The extensions of the function's layers defined in the templates (layers by ARN are not unpacked until an invoke). */
  of(fn: FunctionConfig): FunctionExtension[] {
    const layers = this.templates.layers();
    return fn.layers.flatMap((ref) => {
      const layer = layers.find((l) => l.templatePath === fn.templatePath && l.logicalId === ref);
      if (!layer) return [];
      return externalExtensions(layer.contentPath).map((file) => ({ name: path.basename(file), file, layerName: layer.layerName }));
    });
  }

  /** What the extension did in the function's latest environment that started it, if any. */
  activityOf(fn: FunctionConfig, ext: FunctionExtension): ExtensionActivity | undefined {
    return this.activity.get(fn.functionName)?.get(ext.name);
  }

  /** Whether that environment still runs. */
  running(fn: FunctionConfig, activity: ExtensionActivity): boolean {
    return this.runtime.environments(fn.functionName).some((e) => e.id === activity.environmentId && e.state !== 'stopped');
  }

  private onLog(record: LogRecord): void {
    if (record.kind !== 'platform') return;
    const line = parseLine(record.message);
    if (!line) return;
    let byName = this.activity.get(record.functionName);
    if (!byName) this.activity.set(record.functionName, (byName = new Map()));
    const previous = byName.get(line.name);
    const same = previous?.environmentId === record.environmentId ? previous : undefined;
    byName.set(line.name, {
      environmentId: record.environmentId,
      logStreamName: record.logStreamName,
      events: line.events ?? same?.events,
      subscription: line.subscription ?? same?.subscription,
    });
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}

/** An extension's init line, in the Text or JSON log format. */
function parseLine(message: string): { name: string; events?: string[]; subscription?: string } | undefined {
  const text = /^(EXTENSION|TELEMETRY|LOGS)\tName: ([^\t]+)\tState: \w+\t(?:Events|Types): \[([^\]]*)\]/.exec(message);
  if (text) {
    const list = text[3]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return text[1] === 'EXTENSION'
      ? { name: text[2], events: list }
      : { name: text[2], subscription: `${text[1].toLowerCase()}: ${list.join(', ')}` };
  }
  if (!message.startsWith('{')) return undefined;
  try {
    const { type, record } = JSON.parse(message) as { type?: string; record?: { name?: string; events?: string[]; types?: string[] } };
    if (typeof record?.name !== 'string') return undefined;
    if (type === 'platform.extension') return { name: record.name, events: record.events ?? [] };
    const api = /^platform\.(telemetry|logs)Subscription$/.exec(type ?? '')?.[1];
    if (api) return { name: record.name, subscription: `${api}: ${(record.types ?? []).join(', ')}` };
  } catch {
    // not a JSON record
  }
  return undefined;
}
