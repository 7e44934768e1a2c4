// A pre-started bootstrap's wait: node is up, nothing of any function loaded, until the runtime
// hands over the environment and working folder a spawn would have given. After it the process
// is as if started for that function: the same variables and no others, the same folder, module
// paths from its NODE_PATH, and the handover descriptor closed.
import { closeSync, readSync } from 'node:fs';
import type { PrestartHandover } from '../bootstrapProtocol';

export function receiveEnvironment(fd: number): void {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      // Blocking: the process sleeps here, using no CPU, until the handover or its owner's end.
      n = readSync(fd, buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  closeSync(fd);
  // End of stream without a handover: the runtime that started us is gone.
  if (chunks.length === 0) process.exit(0);
  const { env, cwd } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PrestartHandover;
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, env);
  process.chdir(cwd);
  // Node read NODE_PATH when it started, before the handover: read it again.
  (require('node:module') as { _initPaths(): void })._initPaths();
}
