// The bootstrap's console patch: Lambda's Text and JSON formats, log-level filtering, and the
// structured records (with the call site in user code) our runtime asks for on LAMBDA_LAB_LOG_FD.
import assert from 'node:assert/strict';
import { BootstrapSession, ensureBootstrapBuilt, fixture, type StartOptions } from './runtimeApiTestServer';

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

interface JsonRecord {
  timestamp: string;
  level: string;
  requestId?: string;
  message: unknown;
  errorType?: string;
  errorMessage?: string;
  stackTrace?: string[];
}

describe('Node bootstrap: logs', function () {
  this.timeout(30_000);
  const sessions: BootstrapSession[] = [];
  /** Runs one invocation with `requestId`; returns the process once its output holds each of `lastOutputs`. */
  const run = async (options: Partial<StartOptions>, requestId: string, lastOutputs = ['raw stdout']) => {
    const session = await BootstrapSession.start({ taskRoot: fixture('logging'), handler: 'index.handler', ...options });
    sessions.push(session);
    await session.invoke({ requestId });
    const { process } = session;
    await process.until(() => {
      const written = process.stdout + JSON.stringify(process.logRecords);
      return lastOutputs.every((text) => written.includes(text));
    });
    return process;
  };

  before(ensureBootstrapBuilt);
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
  });

  it('writes Text records to stdout as <time>\\t<request id>\\t<LEVEL>\\t<message>', async () => {
    const process = await run({}, 'text-1');
    const lines = process.stdoutLines;
    const expect = (level: string, requestId: string, message: string) =>
      assert.ok(
        lines.some((l) => new RegExp(`^${ISO}\\t${requestId}\\t${level}\\t`).test(l) && l.endsWith(`\t${message}`)),
        `no ${level} '${message}' in:\n${lines.join('\n')}`,
      );
    expect('INFO', 'undefined', 'init phase');
    expect('INFO', 'text-1', 'hello world');
    expect('INFO', 'text-1', 'multi\rline');
    expect('WARN', 'text-1', 'careful { n: 1 }');
    expect('DEBUG', 'text-1', 'debugging');
    expect('TRACE', 'text-1', 'tracing');
    expect('INFO', 'text-1', '{ structured: true, records: 1 }');
    const error = lines.find((l) => l.includes('\tERROR\t'));
    assert.match(error ?? '', new RegExp(`^${ISO}\\ttext-1\\tERROR\\tfailed: Error: boom\\r    at `));
    // Direct stdout writes are not log records and stay as written.
    assert.ok(lines.includes('raw stdout'));
  });

  it('writes one JSON object per call with AWS_LAMBDA_LOG_FORMAT=JSON', async () => {
    const process = await run({ env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } }, 'json-1');
    const records = process.stdoutLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonRecord);
    assert.deepEqual(
      records.map((r) => [r.level, r.requestId ?? null]),
      [['INFO', null], ...['INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG', 'TRACE', 'INFO'].map((level) => [level, 'json-1'])],
    );
    for (const r of records) assert.match(r.timestamp, new RegExp(`^${ISO}$`));
    assert.equal(records[0].message, 'init phase');
    assert.equal(records[2].message, 'multi\nline');
    assert.equal(records[3].message, 'careful { n: 1 }');
    const error = records[4];
    assert.match(error.message as string, /^failed: Error: boom\n    at /);
    assert.deepEqual([error.errorType, error.errorMessage, error.stackTrace?.[0]], ['Error', 'boom', 'Error: boom']);
    // A single non-string argument stays structured.
    assert.deepEqual(records[7].message, { structured: true, records: 1 });
  });

  it('drops records below AWS_LAMBDA_LOG_LEVEL', async () => {
    const process = await run({ env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' } }, 'json-2');
    const levels = process.stdoutLines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as JsonRecord).level);
    assert.deepEqual(levels, ['WARN', 'ERROR']);
  });

  it('logs invoke errors in JSON as a structured error record', async () => {
    const process = await run(
      { taskRoot: fixture('cjs'), handler: 'index.throwsAsync', env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } },
      'json-3',
      ['bad thing'],
    );
    const record = JSON.parse(process.stdoutLines.find((l) => l.startsWith('{')) ?? '{}') as JsonRecord;
    assert.equal(record.level, 'ERROR');
    assert.equal(record.requestId, 'json-3');
    const message = record.message as { errorType: string; errorMessage: string; stackTrace: string[] };
    assert.deepEqual([message.errorType, message.errorMessage, message.stackTrace[0]], ['TypeError', 'bad thing', 'TypeError: bad thing']);
  });

  describe('LAMBDA_LAB_LOG_FD', () => {
    it('sends every record to the descriptor, with the console call site, and nothing to stdout', async () => {
      const process = await run({ logFd: true }, 'fd-1', ['raw stdout', 'records: 1']);
      const records = process.logRecords;
      const file = fixture('logging/index.js');
      const at = (message: string) => records.find((r) => r.line.endsWith(`\t${message}`));

      const init = at('init phase');
      assert.equal(init?.requestId, undefined);
      assert.equal(init?.level, 'INFO');
      assert.deepEqual(init?.source, { file, line: 1, column: 9 });

      const hello = at('hello world');
      assert.match(hello?.line ?? '', new RegExp(`^${ISO}\\tfd-1\\tINFO\\thello world$`));
      assert.equal(hello?.requestId, 'fd-1');
      assert.deepEqual(hello?.source, { file, line: 4, column: 11 });
      assert.equal(new Date(hello!.timestamp).toISOString(), hello!.line.slice(0, 24));

      // Inner newlines stay newlines: the record is one log event, not a stdout line.
      assert.deepEqual(at('multi\nline')?.source, { file, line: 5, column: 11 });
      assert.deepEqual(at('tracing')?.source, { file, line: 9, column: 11 });
      assert.equal(at('tracing')?.level, 'TRACE');

      assert.deepEqual(process.stdoutLines, ['raw stdout']);
    });

    it('converts an ES module call site from a file URL to a path', async () => {
      const process = await run({ logFd: true, handler: 'esm.handler' }, 'fd-2', ['from esm']);
      const record = process.logRecords.find((r) => r.line.endsWith('\tfrom esm'));
      assert.deepEqual(record?.source, { file: fixture('logging/esm.mjs'), line: 2, column: 11 });
    });

    it('gives the runtime its own records without a source, and JSON lines in JSON format', async () => {
      const process = await run(
        { logFd: true, taskRoot: fixture('cjs'), handler: 'index.throwsAsync', env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } },
        'fd-3',
        ['bad thing'],
      );
      const [record] = process.logRecords;
      assert.equal(record.level, 'ERROR');
      assert.equal(record.source, undefined);
      assert.equal((JSON.parse(record.line) as JsonRecord).requestId, 'fd-3');
    });
  });
});
