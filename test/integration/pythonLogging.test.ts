// Python logs as the managed runtime writes them: print lines as-is, the root logging handler's
// Text and JSON records (levels filtered by AWS_LAMBDA_LOG_LEVEL), multi-line records kept as
// one, and — on LAMBDA_LAB_LOG_FD — each record with the line of code that wrote it.
import assert from 'node:assert/strict';
import { PythonSession, pythonFixture, requirePython, type PythonStartOptions } from './pythonHarness';
import { ensureBootstrapBuilt } from './runtimeApiTestServer';

const TEXT_TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

describe('Python bootstrap: logs', function () {
  this.timeout(30_000);
  const sessions: PythonSession[] = [];
  const app = pythonFixture('handlers', 'logs', 'app.py');
  const start = async (handler: string, options: Partial<PythonStartOptions> = {}) => {
    const session = await PythonSession.start({ taskRoot: pythonFixture('handlers'), handler, ...options });
    sessions.push(session);
    return session;
  };
  /** Runs logs/app.handler once; resolves with the records on the log descriptor. */
  const recordsOf = async (env: Record<string, string> = {}) => {
    const session = await start('logs/app.handler', { logFd: true, env });
    const outcome = await session.invoke({ requestId: 'req-logs' });
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    await session.process.until(() => session.process.logRecords.some((r) => r.line.startsWith('context log')));
    assert.equal(session.process.stdout, '', 'nothing on stdout when records go to the descriptor');
    return session.process.logRecords;
  };

  before(function () {
    requirePython(this);
    ensureBootstrapBuilt();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
  });

  it('writes print lines and Text records [LEVEL]\\t<time>\\t<request id>\\t<message> to stdout, WARNING and up by default', async () => {
    const session = await start('logs/app.handler');
    await session.invoke({ requestId: 'req-text' });
    await session.process.until(() => session.process.stdout.includes('context log'));
    const out = session.process.stdout;
    assert.match(out, new RegExp(`^\\[WARNING\\]\\t${TEXT_TIME}\\t\\tinit warning\\nprinted line\\ntwo\\nlines\\n`));
    assert.match(out, new RegExp(`\\[ERROR\\]\\t${TEXT_TIME}\\treq-text\\tmulti\\nline record\\n`));
    assert.match(out, new RegExp(`\\[WARNING\\]\\t${TEXT_TIME}\\treq-text\\twith extra\\n`));
    assert.doesNotMatch(out, /info record|debug record/);
  });

  it('sends each print line and each logging record as one record with its call site', async () => {
    const records = await recordsOf();
    const lines = records.map((r) => r.line);
    assert.deepEqual(lines.slice(1, 4), ['printed line', 'two', 'lines']);
    const multi = records.find((r) => r.line.includes('multi'))!;
    assert.match(multi.line, new RegExp(`^\\[ERROR\\]\\t${TEXT_TIME}\\treq-logs\\tmulti\\nline record$`));
    assert.equal(multi.level, 'ERROR');
    const exception = records.find((r) => r.line.includes('exception record'))!;
    assert.match(exception.line, /exception record\nTraceback \(most recent call last\):\n.*\nRuntimeError: caught$/s);
    // Call sites: file and line of the print / logger call in logs/app.py.
    const sites = records.map((r) => [
      r.line.split('\n')[0].replace(/^\[(\w+)\].*\t/, '$1 '),
      r.source?.file === app ? r.source.line : r.source,
    ]);
    assert.deepEqual(sites, [
      ['WARNING init warning', 4],
      ['printed line', 8],
      ['two', 9],
      ['lines', 9],
      ['ERROR multi', 12],
      ['WARNING with extra', 13],
      ['ERROR exception record', 17],
      ['context log', 18],
    ]);
    assert.equal(records[0].requestId, undefined, 'init records have no request id');
    assert.ok(records.slice(1).every((r) => r.requestId === 'req-logs'));
  });

  it('writes one JSON object per record with LogFormat JSON, filtered by AWS_LAMBDA_LOG_LEVEL', async () => {
    const records = await recordsOf({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' });
    const json = records.filter((r) => r.line.startsWith('{')).map((r) => JSON.parse(r.line));
    assert.deepEqual(
      json.map((j) => [j.level, j.message]),
      [
        ['WARNING', 'init warning'],
        ['INFO', 'info record'],
        ['DEBUG', 'debug record'],
        ['ERROR', 'multi\nline record'],
        ['WARNING', 'with extra'],
        ['ERROR', 'exception record'],
      ],
    );
    assert.match(json[1].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual([json[1].logger, json[1].requestId], ['root', 'req-logs']);
    assert.equal(json[0].requestId, '');
    assert.deepEqual([json[4].logger, json[4].order_id], ['orders', 42]);
    assert.deepEqual([json[5].errorType, json[5].errorMessage], ['RuntimeError', 'caught']);
    assert.match(json[5].location, /logs\/app\.py:handler:17$/);
    assert.match(json[5].stackTrace[0], /line 15, in handler/);
    assert.ok(!('stackTrace' in json[1]), 'None fields are left out');
    // print lines stay plain text in JSON format, as in Lambda.
    assert.ok(records.some((r) => r.line === 'printed line'));

    const filtered = await recordsOf({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'ERROR' });
    const levels = filtered.filter((r) => r.line.startsWith('{')).map((r) => JSON.parse(r.line).level);
    assert.deepEqual(levels, ['ERROR', 'ERROR']);
  });

  it('logs an invoke error in JSON format as one structured record', async () => {
    const session = await start('app.raises', { logFd: true, env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    const outcome = await session.invoke({ event: 2 });
    await session.process.until(() => session.process.logRecords.length > 0);
    const record = JSON.parse(session.process.logRecords[0].line);
    assert.equal(record.log_level, 'ERROR');
    assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual([record.errorType, record.errorMessage, record.requestId], ['ValueError', 'bad value: 2', outcome.requestId]);
    assert.equal(record.stackTrace.length, 2);
  });

  it('leaves logging unimported for functions that never import it, and routes stderr lines too', async () => {
    const session = await start('logs/no_logging.handler', { logFd: true });
    const outcome = await session.invoke();
    assert.equal(outcome.body.toString(), 'false');
    await session.process.until(() => session.process.logRecords.length >= 2);
    assert.deepEqual(
      session.process.logRecords.map((r) => [r.line, r.source?.line]),
      [
        ['hello from print', 5],
        ['to stderr', 6],
      ],
    );
  });
});
