// The template language server's benchmark (issue 14): time from an edit (didChange sent) to
// the diagnostics for that version, for the bundled example and for a generated
// 2,000-function template; the runtime loader's full pass after an edit; the server's memory.
// Floor: an LSP request round trip to the same server. Alone: `node --import tsx test/bench/languageBench.ts`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LspClient, positionOf } from '../language/lspClient';
import { formatTable, latencyRow, type BenchRow, runsAlone } from './benchTable';

const EXAMPLE = path.resolve(__dirname, '../../examples/hello/template.yaml');
const FUNCTIONS = 2000;
const RUNS = { edits: 60, bigEdits: 40, loads: 5, roundTrips: 200 };

function generatedTemplate(functions: number): string {
  const lines = [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Transform: AWS::Serverless-2016-10-31',
    'Parameters:',
    '  Stage:',
    '    Type: String',
    '    Default: dev',
    'Globals:',
    '  Function:',
    '    Runtime: nodejs22.x',
    '    Timeout: 10',
    '    CodeUri: src/',
    'Resources:',
    '  Table:',
    '    Type: AWS::DynamoDB::Table',
  ];
  for (let i = 0; i < functions; i++) {
    lines.push(
      `  Function${i}:`,
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.handler',
      '      MemorySize: 256',
      '      Environment:',
      '        Variables:',
      '          TABLE: !Ref Table',
      `          NAME: !Sub 'fn-${i}-\${Stage}'`,
      `          ARN: !GetAtt Table.Arn`,
    );
  }
  lines.push('Outputs:', '  TableArn:', '    Value: !GetAtt Table.Arn', '  FirstFunction:', '    Value: !Ref Function0');
  return `${lines.join('\n')}\n`;
}

function rssMB(pid: number | undefined): number {
  const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Retypes one MemorySize digit per round (an incremental change, as editors send them) and times each version's first diagnostics. */
async function editLatencies(client: LspClient, uri: string, text: string, at: string, count: number): Promise<number[]> {
  const digit = positionOf(text, at, at.indexOf('256') + 2);
  const range = { start: digit, end: { line: digit.line, character: digit.character + 1 } };
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await client.changeRange(uri, range, i % 2 === 0 ? '7' : '6');
    await client.diagnostics(uri);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Time until the runtime loader's findings for an edit are published (a loader-only error). */
async function loadLatencies(client: LspClient, uri: string, text: string, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const edited = text.replace('    Timeout: 10', `    Timeout: 10\n    Architectures: [x86_64, arm64${i % 2 ? ', arm64' : ''}]`);
    const t0 = performance.now();
    await client.change(uri, edited);
    await client.diagnostics(uri, (p) => p.diagnostics.some((d) => /Architectures must be a list/.test(d.message)), 120_000);
    samples.push(performance.now() - t0);
  }
  return samples;
}

export async function runLanguageBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-language-bench-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/app.js'), 'exports.handler = async () => ({});\n');
  const big = generatedTemplate(FUNCTIONS);
  const client = await LspClient.start(dir);
  try {
    const rows: BenchRow[] = [];
    const plain = pathToFileURL(path.join(dir, 'notes.yaml')).href;
    await client.open(plain, 'a: 1\n');
    const roundTrips: number[] = [];
    for (let i = 0; i < RUNS.roundTrips; i++) {
      const t0 = performance.now();
      await client.request('textDocument/documentSymbol', plain);
      roundTrips.push(performance.now() - t0);
    }
    const floor = latencyRow('LSP request round trip (floor)', roundTrips);
    rows.push(floor);

    const exampleText = readFileSync(EXAMPLE, 'utf8');
    const example = pathToFileURL(EXAMPLE).href;
    await client.open(example, exampleText);
    await client.diagnostics(example);
    rows.push(
      latencyRow('edit → diagnostics, examples/hello', await editLatencies(client, example, exampleText, 'MemorySize: 256', RUNS.edits), {
        floor: floor.median,
      }),
    );

    const uri = pathToFileURL(path.join(dir, 'template.yaml')).href;
    const t0 = performance.now();
    await client.open(uri, big);
    await client.diagnostics(uri);
    const opened = performance.now() - t0;
    rows.push(latencyRow(`open → diagnostics, ${FUNCTIONS} functions`, [opened], { note: 'first parse of every resource' }));
    const bigEdit =
      'Function1000:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      MemorySize: 256';
    rows.push(
      latencyRow(`edit → diagnostics, ${FUNCTIONS} functions`, await editLatencies(client, uri, big, bigEdit, RUNS.bigEdits), {
        floor: floor.median,
        goal: '≤ 200',
      }),
    );
    rows.push(
      latencyRow(`edit → runtime loader's findings, ${FUNCTIONS} functions`, await loadLatencies(client, uri, big, RUNS.loads), {
        note: 'worker thread, after 250 ms of quiet',
      }),
    );
    rows.push({ name: 'server memory (RSS) after the runs', median: rssMB(client.pid), unit: 'MB', goal: '≤ 400' });
    return rows;
  } finally {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (runsAlone(__filename)) {
  void runLanguageBench().then((rows) => console.log(formatTable(rows)));
}
