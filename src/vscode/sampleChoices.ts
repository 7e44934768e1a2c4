// The sample events offered for a function, as quick-pick items: the ones its template's event
// sources send come first (and are the one picked by Enter), filled from the template.
import type * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import { samplesFor } from './declaredEventSources';

/** What picking a sample saves: its id (the file name) and its content. */
export interface SampleChoice {
  id: string;
  create(region: string, accountId: string): unknown;
}

export function sampleItems(
  fn: Pick<FunctionConfig, 'templatePath' | 'logicalId'>,
): Array<vscode.QuickPickItem & { sample: SampleChoice }> {
  return samplesFor(fn).map(({ sample, declared }) => ({
    label: declared ? `$(star-full) ${sample.label}` : sample.label,
    description: declared ? `${declared.detail} · declared as ${declared.name} (${declared.type})` : sample.description,
    sample: { id: sample.id, create: declared?.create ?? sample.create },
  }));
}
