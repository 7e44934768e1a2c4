import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogStore } from '../../src/runtime/logs/logStore';
import type { LogRecord } from '../../src/runtime/runtimeEvents';

const record = (message: string, logStreamName: string, timestamp: number): LogRecord => ({
  functionName: 'Fn',
  version: '$LATEST',
  environmentId: 'Fn:$LATEST:1',
  logGroup: '/aws/lambda/Fn',
  logStreamName,
  timestamp,
  message,
  kind: 'function',
  requestId: 'r1',
});

describe('log store', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-logs-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads back streams in order with their events, multi-line messages intact', () => {
    const store = new LogStore(dir);
    const a = store.openStream('Fn', '2026/11/27/[$LATEST]aaa');
    a.append(record('first', '2026/11/27/[$LATEST]aaa', 1));
    a.append(record('line 1\nline 2', '2026/11/27/[$LATEST]aaa', 2));
    a.close();
    const b = store.openStream('Fn', '2026/11/27/[$LATEST]bbb');
    b.append(record('second stream', '2026/11/27/[$LATEST]bbb', 3));
    assert.deepEqual(
      store.listStreams('Fn').map((s) => s.logStreamName),
      ['2026/11/27/[$LATEST]aaa', '2026/11/27/[$LATEST]bbb'],
    );
    const events = [...store.readStream('Fn', '2026/11/27/[$LATEST]aaa')];
    assert.deepEqual(
      events.map((e) => e.message),
      ['first', 'line 1\nline 2'],
    );
    assert.equal(events[0].requestId, 'r1');
    assert.equal([...store.readStream('Fn', '2026/11/27/[$LATEST]bbb')][0].message, 'second stream');
    b.close();
  });

  it('keeps only the newest streams beyond retention', () => {
    const store = new LogStore(dir, 2);
    for (const [i, name] of ['s1', 's2', 's3'].entries()) {
      const w = store.openStream('Fn', name);
      w.append(record(name, name, i + 1));
      w.close();
    }
    assert.deepEqual(
      store.listStreams('Fn').map((s) => s.logStreamName),
      ['s2', 's3'],
    );
  });

  it('skips a torn last line and keeps the rest', () => {
    const store = new LogStore(dir);
    const w = store.openStream('Fn', 's');
    w.append(record('whole', 's', 1));
    w.close();
    fs.appendFileSync(w.file, '{"timestamp":2,"mess');
    assert.deepEqual(
      [...store.readStream('Fn', 's')].map((e) => e.message),
      ['whole'],
    );
  });
});
