// The region the host's AWS configuration names, found the way the AWS SDKs and SAM CLI find
// it: AWS_REGION, AWS_DEFAULT_REGION, then the `region` of the active profile (AWS_PROFILE,
// else default) in the shared config file. Functions then call the region the user works in.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export function hostRegion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const file = env.AWS_CONFIG_FILE || path.join(env.HOME || homedir(), '.aws', 'config');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const sections = new Set([profile === 'default' ? 'default' : `profile ${profile}`, profile]);
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      inSection = sections.has(header[1]);
      continue;
    }
    const entry = inSection ? /^region\s*=\s*(\S+)/.exec(line) : null;
    if (entry) return entry[1];
  }
  return undefined;
}
