// The AWS profiles of the user's shared config and credentials files, read as the AWS SDKs read
// them (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials;
// `[profile name]` in config, `[name]` in credentials), and the profile handlers get.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export interface AwsProfile {
  name: string;
  /** `region` of the profile in the config file. */
  region?: string;
  /** Which files define it. */
  files: string[];
}

export function awsConfigFiles(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = env.HOME || homedir();
  return {
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
  };
}

/** Every profile either file names, `default` first, then by name. */
export function readAwsProfiles(env: NodeJS.ProcessEnv = process.env): AwsProfile[] {
  const files = awsConfigFiles(env);
  const profiles = new Map<string, AwsProfile>();
  const add = (name: string, file: string, region?: string) => {
    const p = profiles.get(name) ?? { name, files: [] };
    if (!p.files.includes(file)) p.files.push(file);
    if (region && !p.region) p.region = region;
    profiles.set(name, p);
  };
  for (const section of sections(files.config)) {
    const name = section.header === 'default' ? 'default' : /^profile\s+(.+)$/.exec(section.header)?.[1];
    if (name) add(name.trim(), files.config, section.values.region);
  }
  for (const section of sections(files.credentials)) add(section.header, files.credentials);
  return [...profiles.values()].sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

/** The profile handlers use when the user chose none: the host's, as an SDK would pick it. */
export function hostProfile(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
}

function sections(file: string): Array<{ header: string; values: Record<string, string> }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: Array<{ header: string; values: Record<string, string> }> = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '').trim();
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) out.push({ header: header[1], values: {} });
    const entry = /^([A-Za-z_][\w.-]*)\s*=\s*(.*)$/.exec(line);
    if (entry && out.length && !/^\s/.test(raw)) out[out.length - 1].values[entry[1].toLowerCase()] = entry[2].trim();
  }
  return out;
}
