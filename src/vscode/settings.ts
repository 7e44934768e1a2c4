// The `lambdaLab.*` settings, read in one place and turned into runtime options.
import * as vscode from 'vscode';
import type { RuntimeOptions } from '../runtime/runtimeOptions';

export interface LambdaLabSettings {
  templateGlobs: string[];
  templateExclude: string;
  /** As written in the setting; resolved against the workspace folder by the caller. */
  envVarsFile: string;
  inlineLogs: boolean;
  runtime: RuntimeOptions;
}

export function readSettings(): LambdaLabSettings {
  const c = vscode.workspace.getConfiguration('lambdaLab');
  return {
    templateGlobs: c.get<string[]>('templateGlobs', ['**/template.{yaml,yml,json}']),
    templateExclude: c.get<string>('templateExclude', '**/{node_modules,.aws-sam,.lambda-lab,cdk.out}/**'),
    envVarsFile: c.get<string>('envVarsFile', ''),
    inlineLogs: c.get<boolean>('inlineLogs', true),
    runtime: {
      freeze: c.get<boolean>('freeze', true),
      idleTimeoutMs: c.get<number>('idleTimeoutSeconds', 600) * 1000,
      concurrencyCap: c.get<number>('concurrencyCap', 10),
      nodeBinaries: c.get<Record<string, string>>('nodeBinaries', {}),
      pythonBinaries: c.get<Record<string, string>>('pythonBinaries', {}),
      logRetention: c.get<number>('logRetention', 50),
      // Not above 0: Lambda's own timing rather than a queue that cannot start.
      asyncRetryDelayScale: Math.max(c.get<number>('asyncRetryDelayScale', 1), 0) || 1,
      ...(c.get<string>('region') ? { region: c.get<string>('region') } : {}),
      // Present even when empty, so clearing the setting clears the runtime's option.
      awsProfile: c.get<string>('awsProfile') || undefined,
    },
  };
}

/** Settings that only take effect when templates are found/loaded again. */
export const templateSettings = ['lambdaLab.templateGlobs', 'lambdaLab.templateExclude', 'lambdaLab.envVarsFile'];
