// Which template a command means when it names none: SAM CLI's default file names, looked up
// in one folder. Callers word the error, since each tells the user a different fix.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const DEFAULT_TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

/** The first of template.yaml, template.yml, template.json that exists in `dir`. */
export function findDefaultTemplate(dir: string): string | undefined {
  return DEFAULT_TEMPLATE_NAMES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

/** The start of every "no template here" message, so the CLI and the debugger say it alike. */
export function noDefaultTemplateText(dir: string): string {
  return `No template.yaml, template.yml or template.json in ${dir}`;
}
