#!/usr/bin/env node
// The same suite in a desktop VS Code, for machines that have one or can download one
// (@vscode/test-electron). Here, without access to VS Code's update service, use
// scripts/testVscode.mjs (code-server) instead.
//   node test/vscode/runDesktop.mjs            downloads VS Code stable into .vscode-test/
//   VSCODE_PATH=/usr/bin/code node test/vscode/runDesktop.mjs   uses an installed one
// Build first: npm run build.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace, repoRoot } from './scratchWorkspace.mjs';

const testsPath = path.join(repoRoot, 'out', 'test', 'vscode', 'index.js');
if (!existsSync(testsPath)) {
  console.error(`Missing ${testsPath}: run \`npm run build\` first.`);
  process.exit(1);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'lambda-lab-desktop-'));
const resultFile = path.join(scratch, 'suite-result.json');
let code = 0;
try {
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: testsPath,
    vscodeExecutablePath: process.env.VSCODE_PATH,
    version: process.env.VSCODE_VERSION ?? 'stable',
    launchArgs: [
      makeWorkspace(scratch),
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir',
      path.join(scratch, 'user-data'),
    ],
    extensionTestsEnv: { LAMBDA_LAB_TEST_RESULT: resultFile, LAMBDA_LAB_REPO: repoRoot },
  });
} catch (err) {
  console.error(`The VS Code suite failed: ${err instanceof Error ? err.message : err}`);
  code = 1;
}
if (existsSync(resultFile)) {
  const { tests } = JSON.parse(readFileSync(resultFile, 'utf8'));
  console.log(`${tests.filter((t) => t.state === 'passed').length} passed, ${tests.filter((t) => t.state === 'failed').length} failed`);
}
rmSync(scratch, { recursive: true, force: true });
process.exit(code);
