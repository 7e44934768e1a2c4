// The asynchronous invocation configuration in force per function and qualifier: the
// template's (SAM EventInvokeConfig, AWS::Lambda::EventInvokeConfig), overridden by what
// the Lambda API put. An override is kept on disk and holds while the template's own
// configuration for that qualifier stays as it was when the override was made: editing
// the template wins again, as a redeploy would.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateModel } from '../functionConfig';
import { readJsonIfExists, writeJsonAtomic } from '../store/atomicFile';
import { ASYNC_DIR } from './destinationFiles';
import type { EventInvokeConfig } from './eventInvokeConfig';

export interface StoredEventInvokeConfig extends EventInvokeConfig {
  /** Seconds since epoch, as Lambda's LastModified timestamp. */
  LastModified: number;
}

interface Override {
  /** null: deleted through the API. */
  config: StoredEventInvokeConfig | null;
  /** The template's configuration (JSON) when the override was made. */
  over: string;
}

type OverrideFile = Record<string, Override>;

const key = (functionName: string, qualifier: string) => `${functionName}:${qualifier}`;

export class EventInvokeConfigStore {
  private overrides: Promise<OverrideFile> | undefined;
  private readonly file: string | undefined;

  constructor(
    private readonly templates: () => TemplateModel[],
    /** Where API overrides are kept; without it they last as long as this object. */
    stateDir?: string,
  ) {
    this.file = stateDir ? join(stateDir, ASYNC_DIR, 'event-invoke-configs.json') : undefined;
  }

  /** The configuration for an invoke of `functionName` with `qualifier` (default `$LATEST`), if any. */
  async get(functionName: string, qualifier = '$LATEST'): Promise<StoredEventInvokeConfig | undefined> {
    const fromTemplate = this.fromTemplate(functionName, qualifier);
    const override = (await this.load())[key(functionName, qualifier)];
    if (override && override.over === JSON.stringify(fromTemplate?.config ?? null)) return override.config ?? undefined;
    return fromTemplate && { ...fromTemplate.config, LastModified: fromTemplate.lastModified };
  }

  /** Every qualifier of the function that has a configuration. */
  async list(functionName: string): Promise<Array<{ qualifier: string; config: StoredEventInvokeConfig }>> {
    const qualifiers = new Set<string>();
    for (const model of this.templates()) {
      for (const c of model.asyncInvoke?.eventInvokeConfigs ?? []) if (c.functionName === functionName) qualifiers.add(c.qualifier);
    }
    for (const k of Object.keys(await this.load())) if (k.startsWith(`${functionName}:`)) qualifiers.add(k.slice(functionName.length + 1));
    const out: Array<{ qualifier: string; config: StoredEventInvokeConfig }> = [];
    for (const qualifier of [...qualifiers].sort()) {
      const config = await this.get(functionName, qualifier);
      if (config) out.push({ qualifier, config });
    }
    return out;
  }

  async put(functionName: string, qualifier: string, config: EventInvokeConfig): Promise<StoredEventInvokeConfig> {
    const stored: StoredEventInvokeConfig = { ...config, LastModified: Date.now() / 1000 };
    await this.setOverride(functionName, qualifier, stored);
    return stored;
  }

  async delete(functionName: string, qualifier: string): Promise<void> {
    await this.setOverride(functionName, qualifier, null);
  }

  /** DeadLetterQueue / DeadLetterConfig target of a function, if any. */
  deadLetterTarget(functionName: string): string | undefined {
    for (const model of this.templates()) {
      const target = model.asyncInvoke?.deadLetterTargets[functionName];
      if (target) return target;
    }
    return undefined;
  }

  private fromTemplate(functionName: string, qualifier: string) {
    for (const model of this.templates()) {
      const found = model.asyncInvoke?.eventInvokeConfigs.find((c) => c.functionName === functionName && c.qualifier === qualifier);
      if (found) return { config: found.config, lastModified: mtimeSeconds(model.templatePath) };
    }
    return undefined;
  }

  private async setOverride(functionName: string, qualifier: string, config: StoredEventInvokeConfig | null): Promise<void> {
    const overrides = await this.load();
    overrides[key(functionName, qualifier)] = { config, over: JSON.stringify(this.fromTemplate(functionName, qualifier)?.config ?? null) };
    if (this.file) await writeJsonAtomic(this.file, overrides);
  }

  private async load(): Promise<OverrideFile> {
    const file = this.file;
    this.overrides ??= file ? readJsonIfExists<OverrideFile>(file).then((o) => o ?? {}) : Promise.resolve({});
    return this.overrides;
  }
}

function mtimeSeconds(path: string): number {
  try {
    return Math.floor(statSync(path).mtimeMs) / 1000;
  } catch {
    return Date.now() / 1000;
  }
}
