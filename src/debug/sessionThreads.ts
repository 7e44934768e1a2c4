// The threads of one debug session: which execution environment each debugs, and how an
// environment becomes a thread. A Node environment (its inspector URL reported) becomes an
// EnvironmentThread over CDP; another debugger bridge adds its kind of thread here.
import type { EnvironmentInfo } from '../runtime/runtimeEvents';
import type { DebugThread } from './debugThread';
import { EnvironmentThread, type SessionParts, type ThreadSettings } from './environmentThread';
import type { LoadedSourceMap } from './sourceMaps';

export class SessionThreads {
  private readonly byId = new Map<number, EnvironmentThread>();
  private readonly byEnvironment = new Map<string, EnvironmentThread>();
  private nextId = 1;

  /** Whether an environment's process waits for a debugger this session can speak to. */
  static debuggable(env: EnvironmentInfo): boolean {
    return env.inspectorUrl !== undefined;
  }

  all(): EnvironmentThread[] {
    return [...this.byId.values()];
  }

  get(threadId: number): EnvironmentThread {
    const thread = this.byId.get(threadId);
    if (!thread) throw new Error(`Thread ${threadId} has ended: its execution environment is gone.`);
    return thread;
  }

  ofEnvironment(environmentId: string): EnvironmentThread | undefined {
    return this.byEnvironment.get(environmentId);
  }

  /** Connects to the environment's debugger; the thread counts as the session's from then on. */
  async connect(
    env: EnvironmentInfo,
    settings: Omit<ThreadSettings, 'knownMaps'>,
    knownMaps: Promise<LoadedSourceMap[]>,
    parts: SessionParts,
  ): Promise<EnvironmentThread> {
    const thread = await EnvironmentThread.connect(this.nextId++, env, settings, knownMaps, parts);
    this.byId.set(thread.id, thread);
    this.byEnvironment.set(env.id, thread);
    return thread;
  }

  /** Forgets an ended thread; the thread as the session knew it, if it did. */
  remove(thread: DebugThread): EnvironmentThread | undefined {
    const known = this.byId.get(thread.id);
    this.byId.delete(thread.id);
    if (this.byEnvironment.get(thread.environment.id) === thread) this.byEnvironment.delete(thread.environment.id);
    return known;
  }
}
