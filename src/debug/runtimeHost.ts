// Where a debug session gets its runtime: the extension shares its own; the standalone adapter
// (tests, CLI) creates one per session.
import { LocalRuntime } from '../runtime/localRuntime';
import { findDefaultTemplate, noDefaultTemplateText } from '../runtime/template/templateDiscovery';
import { ConfigError } from './launchConfig';

export interface RuntimeHost {
  /** A runtime with the template loaded; `templatePath` undefined means the default template in `cwd`. */
  getRuntime(templatePath: string | undefined, opts: { envVarsFile?: string; cwd?: string }): Promise<LocalRuntime>;
  /** Called when the session ends; a host that owns its runtime disposes it. */
  dispose?(): Promise<void>;
}

/** The default template in `cwd`, or an error telling the user to set "template". */
export function defaultTemplateFor(cwd: string): string {
  const found = findDefaultTemplate(cwd);
  if (!found) throw new ConfigError(`${noDefaultTemplateText(cwd)}. Set "template" in your launch configuration.`);
  return found;
}

/** Owns one LocalRuntime for the adapter process's session. */
export class StandaloneRuntimeHost implements RuntimeHost {
  private runtime: LocalRuntime | undefined;

  async getRuntime(templatePath: string | undefined, opts: { envVarsFile?: string; cwd?: string }): Promise<LocalRuntime> {
    const template = templatePath ?? defaultTemplateFor(opts.cwd ?? process.cwd());
    this.runtime ??= new LocalRuntime({ prestartDebugger: true });
    await this.runtime.loadTemplate(template, { envVarsFile: opts.envVarsFile });
    return this.runtime;
  }

  async dispose(): Promise<void> {
    await this.runtime?.dispose();
    this.runtime = undefined;
  }
}
