// Extensions in an invocation's lifecycle, with real extension processes: the caller's answer
// comes as soon as the runtime posts it while an extension works on, the environment takes
// its next invocation only once the extension is done (whose time counts in REPORT and
// platform.report, not in platform.runtimeDone), and extensions are frozen between invokes
// with the runtime and thawed for the next invoke and for SHUTDOWN.
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../fixtures/api/apiHarness';

describe('extensions in the invoke lifecycle (integration)', function () {
  this.timeout(90_000);
  let h: Harness;
  let out: string;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-lab-ext-lifecycle-'));
    cpSync(join(__dirname, '../fixtures/extensions'), dir, { recursive: true });
    out = mkdtempSync(join(tmpdir(), 'lambda-lab-ext-lifecycle-out-'));
    const template = join(dir, 'template.yaml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('/tmp/replaced-by-the-test', out));
    h = await startHarness(dir, { runtime: { freeze: true } });
  });
  after(async () => {
    await h?.stop(true);
    rmSync(out, { recursive: true, force: true });
  });

  const invoke = async (name: string) => {
    const o = await h.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}'), LogType: 'Tail' }));
    return { o, answeredAt: Date.now(), id: o.$metadata.requestId! };
  };
  const tail = (o: InvokeCommandOutput) => Buffer.from(o.LogResult ?? '', 'base64').toString();
  const read = (file: string) => readFileSync(join(out, file), 'utf8');
  const lines = (file: string) =>
    read(file)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  it('answers the caller when the runtime responds, and hands the environment its next invoke once the extension is done', async () => {
    const first = await invoke('post-invoke');
    const second = await invoke('post-invoke');
    assert.equal(first.o.FunctionError, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(second.o.Payload!).toString()).ok, true);
    // The caller's tail ends with the runtime's answer: END and REPORT come when the extension is done.
    assert.match(tail(first.o), /^START RequestId: /);
    assert.doesNotMatch(tail(first.o), /REPORT RequestId/);
    // The second invocation is over once the extension is done with it: the environment freezes.
    await until(() => h.runtime.environments('post-invoke')[0]?.state === 'frozen');
    await h.runtime.stopEnvironments('post-invoke');

    const events = lines('slow-ext.events');
    const at = (type: string, id: string) => events.find((e) => e.type === type && e.requestId === id)?.at as number;
    assert.ok(first.answeredAt < at('done', first.id), 'the first answer came before the extension finished its work');
    assert.ok(second.answeredAt < at('done', second.id), 'the second answer came before the extension finished its work');
    // One environment, which took the second invocation only after the extension's work on the first.
    const streams = h.runtime.logs.listStreams('post-invoke');
    assert.equal(streams.length, 1);
    assert.ok(at('INVOKE', second.id) >= at('done', first.id), JSON.stringify(events));

    const stored = [...h.runtime.logs.readStream('post-invoke', streams[0].logStreamName)];
    for (const { id } of [first, second]) {
      const report = stored.find((e) => e.message.startsWith(`REPORT RequestId: ${id}`))!;
      const duration = Number(/\tDuration: ([\d.]+) ms/.exec(report.message)?.[1]);
      assert.ok(duration >= 1200, `REPORT Duration ${duration} ms includes the extension's 1.2 s`);
      assert.ok(report.timestamp >= at('done', id), 'REPORT comes after the extension is done');
    }
    // The next START comes after the first invocation's REPORT.
    const messages = stored.map((e) => e.message);
    assert.ok(
      messages.findIndex((m) => m.startsWith(`START RequestId: ${second.id}`)) >
        messages.findIndex((m) => m.startsWith(`REPORT RequestId: ${first.id}`)),
    );

    const telemetry = lines('slow-ext.telemetry');
    for (const { id } of [first, second]) {
      const runtimeDone = telemetry.find((e) => e.type === 'platform.runtimeDone' && e.record.requestId === id);
      const report = telemetry.find((e) => e.type === 'platform.report' && e.record.requestId === id);
      assert.ok(
        runtimeDone.record.metrics.durationMs < 1200,
        `runtimeDone ${runtimeDone.record.metrics.durationMs} ms is the runtime's own`,
      );
      assert.ok(report.record.metrics.durationMs >= 1200, `report ${report.record.metrics.durationMs} ms includes the extension`);
      assert.ok(report.record.metrics.billedDurationMs >= Math.ceil(report.record.metrics.durationMs));
    }
  });

  it('lets an extension finish its work on an answered invocation when Lambda Lab shuts down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-lab-ext-dispose-'));
    cpSync(h.dir, dir, { recursive: true, filter: (src) => !src.includes('.lambda-lab') });
    const other = await startHarness(dir, { runtime: { freeze: true } });
    const result = await other.runtime.invoke('post-invoke', '{}');
    await other.stop();
    const events = lines('slow-ext.events');
    assert.ok(
      events.some((e) => e.type === 'done' && e.requestId === result.requestId),
      JSON.stringify(events),
    );
    const [stream] = other.runtime.logs.listStreams('post-invoke');
    const stored = [...other.runtime.logs.readStream('post-invoke', stream.logStreamName)].map((e) => e.message);
    const report = stored.find((l) => l.startsWith(`REPORT RequestId: ${result.requestId}`)) ?? '';
    assert.doesNotMatch(report, /Status/, report);
    rmSync(dir, { recursive: true, force: true });
  });

  it('freezes the extensions with the runtime between invokes, and thaws them for the next invoke and for SHUTDOWN', async () => {
    await invoke('ticker');
    await until(() => h.runtime.environments('ticker')[0]?.state === 'frozen');
    const pid = Number(read('ticker.pid'));
    // SIGSTOP takes effect when the process is next scheduled.
    await until(() => processState(pid) === 'T');
    const frozenAt = Number(read('ticker.count'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(Number(read('ticker.count')), frozenAt, 'its 10 ms timer did not run while frozen');

    await invoke('ticker');
    await h.runtime.stopEnvironments('ticker');
    const events = lines('ticker.events');
    assert.deepEqual(
      events.map((e) => e.type),
      ['INVOKE', 'INVOKE', 'SHUTDOWN'],
    );
    assert.ok(events[1].count >= frozenAt, 'thawed for the second INVOKE, it counts on from where it stopped');
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), 'condition not met within 5 s');
}

/** The state letter of /proc/<pid>/stat (R, S, T for stopped, ...). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}
