// The import directions between the rooms of src/ (docs/architecture.md) are lint rules; this
// checks the rules themselves catch each forbidden direction and let the allowed ones pass.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../..');

describe('import directions', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: ROOT });

  /** The no-restricted-imports messages for `source` as if it were the file `file`. */
  const violations = async (file: string, source: string): Promise<string[]> => {
    const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  const forbidden: Array<[string, string]> = [
    ['src/runtime/pool/x.ts', "import * as vscode from 'vscode';"],
    ['src/runtime/pool/x.ts', "import { LambdaDebugSession } from '../../debug/lambdaDebugSession';"],
    ['src/runtime/x.ts', "import { main } from '../cli/main';"],
    ['src/runtime/template/x.ts', "import { activate } from '../../vscode/extension';"],
    ['src/debug/x.ts', "import * as vscode from 'vscode';"],
    ['src/debug/cdp/x.ts', "import { activate } from '../../vscode/extension';"],
    ['src/debug/x.ts', "import { main } from '../cli/main';"],
    ['src/cli/x.ts', "import { LambdaDebugSession } from '../debug/lambdaDebugSession';"],
  ];
  for (const [file, line] of forbidden) {
    it(`refuses in ${file}: ${line}`, async () => {
      assert.equal((await violations(file, `${line}\nexport {};\n`)).length, 1);
    });
  }

  const allowed: Array<[string, string]> = [
    ['src/vscode/x.ts', "import * as vscode from 'vscode';\nimport { LambdaDebugSession } from '../debug/lambdaDebugSession';"],
    ['src/debug/x.ts', "import { LocalRuntime } from '../runtime/localRuntime';\nimport { DebugSession } from '@vscode/debugadapter';"],
    ['src/cli/x.ts', "import { LocalRuntime } from '../runtime/localRuntime';"],
    ['src/runtime/pool/x.ts', "import { ExecutionEnvironment } from '../environment/executionEnvironment';"],
  ];
  for (const [file, lines] of allowed) {
    it(`allows in ${file} what it may import`, async () => {
      assert.deepEqual(await violations(file, `${lines}\nexport {};\n`), []);
    });
  }
});
