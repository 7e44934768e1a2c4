// The user-level cache Lambda Lab fills on demand from the npm registry (the AWS SDK the Node
// runtimes ship, official Node builds), so it is fetched once per machine and works offline
// afterwards. `LAMBDA_LAB_CACHE_DIR` moves it (tests point it at a prepared folder);
// `LAMBDA_LAB_OFFLINE=1` uses only what is already there and never runs npm.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAMBDA_LAB_CACHE_DIR) return path.resolve(env.LAMBDA_LAB_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'lambda-lab');
}

export interface NpmInstallResult {
  ok: boolean;
  /** The last lines npm wrote to stderr, for the error message. */
  detail: string;
}

const LOCK_POLL_MS = 250;

/** After a failed install, cold starts go without for this long before npm is tried again (back online?). */
export const RETRY_INSTALL_AFTER_MS = 2 * 60_000;

/**
 * Runs `work` holding `<prefix>/.install-lock`, a folder created atomically: Lambda Lab
 * processes sharing the cache (extension, CLI, serve) never run npm in one prefix at once. A
 * lock older than `staleMs` belonged to a process that died mid-install and is taken over.
 */
export async function withInstallLock<T>(prefix: string, work: () => Promise<T>, staleMs = 11 * 60_000): Promise<T> {
  mkdirSync(prefix, { recursive: true });
  const lock = path.join(prefix, '.install-lock');
  const deadline = Date.now() + staleMs * 2;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let age: number;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      if (age > staleMs || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `npm install PACKAGES` into `prefix` (a private package.json there keeps earlier installs:
 * npm removes packages that are not listed). Bounded: killed after `timeoutMs`.
 */
export function npmInstall(prefix: string, packages: string[], timeoutMs = 10 * 60_000): Promise<NpmInstallResult> {
  if (process.env.LAMBDA_LAB_OFFLINE === '1') {
    return Promise.resolve({ ok: false, detail: `LAMBDA_LAB_OFFLINE=1: only ${userCacheDir()} is used` });
  }
  mkdirSync(prefix, { recursive: true });
  const manifest = path.join(prefix, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: 'lambda-lab-cache', private: true }, null, 2));
  return new Promise((resolve) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--save', '--loglevel=error', ...packages], {
      cwd: prefix,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `cannot run npm (${err.message}); install Node.js with npm` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' ');
      resolve({ ok: code === 0, detail: signal ? `npm was stopped (${signal})` : tail || `npm exited with ${code}` });
    });
  });
}
