// Durable executions on disk: `<stateDir>/durable/<function>/<execution id>.json`, a snapshot
// rewritten whole by atomic rename (at each invocation, timer, callback), plus `<id>.journal`:
// one line per checkpoint since that snapshot, appended before the SDK hears the checkpoint
// was taken. Rewriting a growing snapshot per checkpoint would cost each step more than the
// step itself; reading applies the journal's whole lines to the snapshot (a torn last line is
// a checkpoint never acknowledged). One process at a time drives an execution: it holds the execution's owner
// file (`<id>.owner`, its pid and start time); an owner that no longer runs owns nothing.
// Callbacks for an execution another process drives are dropped into that function's `inbox/`,
// which the owner watches.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../store/atomicFile';
import { isAlive, selfIdentity } from '../store/processIdentity';
import type { ExecutionRecord, HistoryEvent, Operation } from './executionRecord';

/** What one checkpoint changed: operations (whole), new events, and the service's own fields. */
export interface JournalEntry {
  operations: Operation[];
  events: HistoryEvent[];
  fields: Pick<ExecutionRecord, 'checkpointToken' | 'deadlines' | 'updatedOperationIds' | 'Status' | 'EndTimestamp' | 'Result' | 'Error'>;
}

/** A callback result for an execution driven by another process. */
export interface InboxMessage {
  callbackId: string;
  outcome: 'succeed' | 'fail' | 'heartbeat';
  result?: string;
  error?: { ErrorMessage?: string; ErrorType?: string; ErrorData?: string; StackTrace?: string[] };
}

export class ExecutionStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'durable');
  }

  private fileOf(functionName: string, executionId: string) {
    return path.join(this.dir, safe(functionName), `${safe(executionId)}.json`);
  }

  inboxOf(functionName: string): string {
    return path.join(this.dir, safe(functionName), 'inbox');
  }

  private journalOf(functionName: string, executionId: string) {
    return path.join(this.dir, safe(functionName), `${safe(executionId)}.journal`);
  }

  /** Writes the snapshot; the journal it includes goes. */
  async save(record: ExecutionRecord): Promise<void> {
    await writeFileAtomic(this.fileOf(record.functionName, record.executionId), JSON.stringify(record));
    await rm(this.journalOf(record.functionName, record.executionId), { force: true });
  }

  append(record: ExecutionRecord, entry: JournalEntry): Promise<void> {
    return appendFile(this.journalOf(record.functionName, record.executionId), JSON.stringify(entry) + '\n');
  }

  async read(functionName: string, executionId: string): Promise<ExecutionRecord | undefined> {
    const record = await readJsonIfExists<ExecutionRecord>(this.fileOf(functionName, executionId));
    if (!record) return undefined;
    const journal = await readFile(this.journalOf(functionName, executionId), 'utf8').catch(() => '');
    for (const line of journal.split('\n')) {
      if (!line) continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        break;
      }
      for (const op of entry.operations) {
        const at = record.operations.findIndex((o) => o.Id === op.Id);
        if (at < 0) record.operations.push(op);
        else record.operations[at] = op;
      }
      record.events.push(...entry.events);
      Object.assign(record, entry.fields);
    }
    return record;
  }

  /** Every execution of a function, oldest first. */
  async list(functionName: string): Promise<ExecutionRecord[]> {
    const folder = path.join(this.dir, safe(functionName));
    const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
    const records = await Promise.all(names.map((n) => this.read(functionName, n.slice(0, -'.json'.length)).catch(() => undefined)));
    return records.filter((r): r is ExecutionRecord => r !== undefined).sort((a, b) => a.StartTimestamp - b.StartTimestamp);
  }

  /** Functions with executions on disk. */
  async functionNames(): Promise<string[]> {
    return (await readdir(this.dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);
  }

  async remove(record: ExecutionRecord): Promise<void> {
    await rm(this.fileOf(record.functionName, record.executionId), { force: true });
    await rm(this.journalOf(record.functionName, record.executionId), { force: true });
    await this.release(record);
  }

  /** Becomes the process driving the execution, unless a live process already is. */
  async claim(record: ExecutionRecord): Promise<boolean> {
    const file = this.ownerFile(record);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(file, selfIdentity(), { flag: 'wx' });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readFile(file, 'utf8').catch(() => '');
      if (holder === selfIdentity()) return true;
      if (holder && isAlive(holder)) return false;
      await rm(file, { force: true });
    }
    return false;
  }

  /** The live process driving an execution, if another one is. */
  async ownerOf(record: ExecutionRecord): Promise<string | undefined> {
    const holder = await readFile(this.ownerFile(record), 'utf8').catch(() => '');
    return holder && holder !== selfIdentity() && isAlive(holder) ? holder : undefined;
  }

  async release(record: ExecutionRecord): Promise<void> {
    const file = this.ownerFile(record);
    if ((await readFile(file, 'utf8').catch(() => '')) === selfIdentity()) await rm(file, { force: true });
  }

  async post(functionName: string, message: InboxMessage): Promise<void> {
    await writeJsonAtomic(path.join(this.inboxOf(functionName), `${Date.now()}-${randomUUID()}.json`), message);
  }

  /** Messages waiting in a function's inbox, each removed as it is taken. */
  async take(functionName: string): Promise<InboxMessage[]> {
    const inbox = this.inboxOf(functionName);
    const names = (await readdir(inbox).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
    const out: InboxMessage[] = [];
    for (const name of names) {
      const file = path.join(inbox, name);
      const message = await readJsonIfExists<InboxMessage>(file).catch(() => undefined);
      await rm(file, { force: true });
      if (message) out.push(message);
    }
    return out;
  }

  private ownerFile(record: ExecutionRecord) {
    return path.join(this.dir, safe(record.functionName), `${safe(record.executionId)}.owner`);
  }
}

/** Names from requests become file names: keep them to one harmless path segment. */
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
