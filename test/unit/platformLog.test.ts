import * as assert from 'node:assert/strict';
import * as platformLog from '../../src/runtime/logs/platformLog';

const t = new Date('2026-11-27T10:00:00.000Z');

describe('platform log lines', () => {
  it('formats START/END/REPORT as Lambda writes them in Text', () => {
    assert.equal(platformLog.startLine('Text', 'r1', '$LATEST', t), 'START RequestId: r1 Version: $LATEST');
    assert.equal(platformLog.endLine('Text', 'r1', 'success', t), 'END RequestId: r1');
    assert.equal(
      platformLog.reportLine(
        'Text',
        'r1',
        { durationMs: 1.234, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 150.5 },
        t,
      ),
      'REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 150.50 ms\t',
    );
    assert.match(
      platformLog.reportLine(
        'Text',
        'r1',
        {
          durationMs: 3000,
          billedDurationMs: 3000,
          memorySizeMB: 128,
          maxMemoryUsedMB: 40,
          status: 'timeout',
          errorType: 'Sandbox.Timedout',
        },
        t,
      ),
      /Max Memory Used: 40 MB\tStatus: timeout\tError Type: Sandbox.Timedout\t$/,
    );
  });

  it('formats platform records as JSON when LogFormat is JSON', () => {
    assert.deepEqual(JSON.parse(platformLog.startLine('JSON', 'r1', '3', t)), {
      time: '2026-11-27T10:00:00.000Z',
      type: 'platform.start',
      record: { requestId: 'r1', version: '3' },
    });
    const report = JSON.parse(
      platformLog.reportLine('JSON', 'r1', { durationMs: 1.234, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 40 }, t),
    );
    assert.equal(report.type, 'platform.report');
    assert.deepEqual(report.record.metrics, { durationMs: 1.23, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 40 });
    assert.equal(report.record.status, 'success');
  });

  it('writes the timeout line with two decimals of seconds', () => {
    assert.equal(platformLog.timeoutLine('Text', 'r1', 3, t), '2026-11-27T10:00:00.000Z r1 Task timed out after 3.00 seconds');
  });

  it('bills in 1 ms steps, init included on cold starts, at least 1 ms', () => {
    assert.equal(platformLog.billedDuration(0.2), 1);
    assert.equal(platformLog.billedDuration(10.01), 11);
    assert.equal(platformLog.billedDuration(10, 150.5), 161);
  });
});
