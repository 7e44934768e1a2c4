// The HTTP front doors' benchmark (issue 12): a warm request through an HTTP API route beside the
// 2-hop loopback floor measured in the same run (client → API server → handler process is two
// hops), and the time from a streaming handler's first write to the client receiving it.
// Alone: `node --import tsx test/bench/httpBench.ts`.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HttpFrontDoors } from '../../src/runtime/http/frontDoors';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { openTwoHop, WARM_LANES } from './apiBench';
import { formatTable, interleave, laneRow, latencyRow, median, runsAlone, type BenchRow, type Lane } from './benchTable';

const RUNS = { firstWrites: 300 };
const FIXTURE = path.resolve(__dirname, '../fixtures/http/bench');

function post(agent: http.Agent, url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** ms between the handler's first write (its clock, in the chunk) and this process receiving it. */
function firstWriteDelay(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let first: number | undefined;
        res.once('data', (chunk: Buffer) => {
          first = performance.timeOrigin + performance.now() - Number(chunk.toString());
        });
        res.on('end', () => (first === undefined ? reject(new Error('no chunk')) : resolve(first)));
      })
      .on('error', reject);
  });
}

/** The event the HTTP API route hands the function, as the echo route of the fixture returns it. */
async function captureEvent(api: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${api}/echo`,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': 7 } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end('{"n":1}');
  });
}

function bareFrontDoor(runtime: LocalRuntime, event: string): Promise<{ url: string; close(): void }> {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    req.resume();
    req.on('end', async () => {
      const result = await runtime.invoke('PingFunction', event);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': result.payload.length });
      res.end(result.payload);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

export async function runHttpBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-httpbench-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab'), watchCode: false });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let doors: HttpFrontDoors | undefined;
  let hop: Lane | undefined;
  try {
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    doors = await HttpFrontDoors.start(runtime, { port: 0 });
    const api = doors.apiServers()[0].url;
    hop = await openTwoHop();
    const route: Lane = {
      name: 'warm request through an HTTP API route (payload 2.0)',
      call: () => post(agent, `${api}/ping`, '{"n":1}'),
      samples: [],
    };
    // Attribution: a bare HTTP server handing the same-sized event to the runtime: what any front door costs.
    const bare = await bareFrontDoor(runtime, await captureEvent(api, agent));
    const viaBare: Lane = {
      name: '  same event, bare HTTP server → runtime.invoke()',
      call: () => post(agent, `${bare.url}/ping`, '{"n":1}'),
      samples: [],
    };
    try {
      await interleave([hop, route, viaBare], WARM_LANES);
    } finally {
      bare.close();
    }
    const floor = median(hop.samples);
    rows.push(laneRow(hop));
    rows.push(
      laneRow(route, { floor, goal: '≤ 1.5× floor', note: 'freeze on (serve default); sampled in blocks alternating with the floor' }),
    );
    rows.push(laneRow(viaBare, { floor, note: 'the runtime and HTTP part of the figure above' }));

    const url = doors.getUrl('FirstWriteFunction')!.url;
    const delays: number[] = [];
    for (let i = 0; i < RUNS.firstWrites; i++) delays.push(await firstWriteDelay(agent, url));
    rows.push(
      latencyRow('streaming function URL: handler first write → client receives', delays.slice(10), {
        goal: '≤ 5',
        note: 'clocks: both processes use performance.timeOrigin',
      }),
    );
  } finally {
    agent.destroy();
    await hop?.close?.();
    await doors?.close();
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (runsAlone(__filename)) {
  runHttpBench().then(
    (rows) => {
      console.log(formatTable(rows));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
