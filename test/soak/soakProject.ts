// The soak's SAM project: one function per outcome (an answer, a thrown error, an exit, a
// timeout, running out of memory), each recording every token it is handed in a ledger file,
// so a request run twice would show.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Kind = 'ok' | 'throw' | 'exit' | 'timeout' | 'oom';

/** How often each kind is asked for: mostly answers, each fault now and then. */
export const WEIGHTS: Record<Kind, number> = { ok: 80, throw: 8, exit: 5, timeout: 4, oom: 3 };

export const FUNCTION_OF: Record<Kind, string> = { ok: 'Ok', throw: 'Throw', exit: 'Exit', timeout: 'Slow', oom: 'Oom' };

const HANDLERS: Record<string, string> = {
  'common.js': `const fs = require('node:fs');
exports.record = (event) => fs.appendFileSync(process.env.SOAK_LEDGER, event.token + '\\n');
`,
  'ok.js': `const { record } = require('./common');
exports.handler = async (event) => { record(event); console.log('ok', event.token); return { token: event.token }; };
`,
  'throw.js': `const { record } = require('./common');
exports.handler = async (event) => { record(event); throw new Error('soak ' + event.token); };
`,
  'exit.js': `const { record } = require('./common');
exports.handler = async (event) => { record(event); process.exit(2); };
`,
  'slow.js': `const { record } = require('./common');
exports.handler = async (event) => { record(event); await new Promise((r) => setTimeout(r, 1500)); return 'late'; };
`,
  'oom.js': `const { record } = require('./common');
exports.handler = async (event) => { record(event); const hold = []; for (;;) hold.push(Buffer.alloc(8 * 1024 * 1024, 1)); };
`,
};

export interface SoakProject {
  dir: string;
  template: string;
  ledger: string;
}

export function makeSoakProject(): SoakProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-soak-'));
  const ledger = path.join(dir, 'ledger.txt');
  fs.writeFileSync(ledger, '');
  fs.mkdirSync(path.join(dir, 'src'));
  for (const [file, text] of Object.entries(HANDLERS)) fs.writeFileSync(path.join(dir, 'src', file), text);
  const fn = (name: string, handler: string, extra = '') =>
    `  ${name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: ${handler}.handler\n${extra}`;
  const template = path.join(dir, 'template.yaml');
  fs.writeFileSync(
    template,
    [
      `AWSTemplateFormatVersion: '2010-09-09'`,
      `Transform: AWS::Serverless-2016-10-31`,
      `Globals:`,
      `  Function:`,
      `    Runtime: nodejs20.x`,
      `    CodeUri: src/`,
      `    Timeout: 10`,
      `    MemorySize: 128`,
      `    Environment:`,
      `      Variables:`,
      `        SOAK_LEDGER: ${ledger}`,
      `Resources:`,
      fn('Ok', 'ok'),
      fn('Throw', 'throw'),
      fn('Exit', 'exit'),
      fn('Slow', 'slow', '      Timeout: 1\n'),
      fn('Oom', 'oom'),
    ].join('\n') + '\n',
  );
  return { dir, template, ledger };
}

export function pickKind(): Kind {
  const total = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
  let r = Math.random() * total;
  for (const [kind, weight] of Object.entries(WEIGHTS) as Array<[Kind, number]>) {
    if ((r -= weight) < 0) return kind;
  }
  return 'ok';
}
