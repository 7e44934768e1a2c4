// What a user sees: the Lambda sidebar, an invoke from its button, logs inline and in a log
// document, a paused debug session. Each step leaves a screenshot in test-results/.
import * as assert from 'node:assert/strict';
import { openFromRow, pane, row, runCommand, screenshot, waitForAfterText, useWorkbench } from './workbench';

describe('Lambda sidebar (UI)', function () {
  this.timeout(120_000);
  const ui = useWorkbench();

  it('shows the Lambda container with Functions, Versions, Layers and Logs', async () => {
    const { page } = ui;
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    const functions = pane(page, 'Functions');
    await row(functions, 'HelloFunction').waitFor();
    for (const title of ['Versions', 'Layers', 'Logs']) assert.equal(await pane(page, title).count(), 1, `${title} view missing`);
    assert.match(await row(functions, 'HelloFunction').innerText(), /HelloFunction\s*nodejs20\.x/);
    await screenshot(page, '01-lambda-sidebar');
  });

  it('invokes a function from its inline Invoke button and shows the result', async () => {
    const { page } = ui;
    const hello = row(pane(page, 'Functions'), 'HelloFunction');
    await hello.hover();
    await hello.locator('.action-label[aria-label="Invoke"]').click();
    await page.locator('.tabs-container .tab', { hasText: /^HelloFunction [0-9a-f]{8} response\.http/ }).waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: /λ HelloFunction/ }).waitFor();
    await page.locator('.monaco-editor .view-lines', { hasText: 'HTTP/1.1 200 OK' }).waitFor();
    await screenshot(page, '02-invoke-result');
  });

  it('shows each console line inline in the handler', async () => {
    const { page } = ui;
    await runCommand(page, 'View: Close All Editors');
    const functions = pane(page, 'Functions');
    await row(functions, 'HelloFunction').locator('.monaco-tl-twistie').click();
    await openFromRow(row(functions, 'app.handler'), page.locator('.tabs-container .tab.active', { hasText: 'app.js' }));
    const texts = await waitForAfterText(page, 'GET /hello for Lambda Lab');
    assert.ok(
      texts.some((c) => c.includes('GET /hello for Lambda Lab')),
      `inline texts: ${texts.join(' | ')}`,
    );
    await page.locator('.codelens-decoration', { hasText: 'Invoke' }).first().waitFor();
    await page
      .locator('.monaco-editor .view-lines')
      .first()
      .hover({ position: { x: 5, y: 5 } }); // no hover cards in the picture
    await screenshot(page, '03-inline-logs');
  });

  it('shows where a TypeScript handler threw, from the error notification', async () => {
    const { page } = ui;
    await runCommand(page, 'View: Close All Editors');
    const functions = pane(page, 'Functions');
    await row(functions, 'TypeScriptFunction').locator('.monaco-tl-twistie').click();
    const events = functions.locator('.monaco-list-row', { hasText: 'Events' }).nth(1); // HelloFunction's is the first
    await events.locator('.monaco-tl-twistie').click();
    const crash = row(functions, 'typescript-crash');
    await crash.hover();
    await crash.locator('.action-label[aria-label="Invoke with This Event"]').click();
    const toast = page.locator('.notification-toast', { hasText: 'TypeScriptFunction failed' });
    await toast.waitFor({ timeout: 60_000 });
    await toast.locator('.monaco-button', { hasText: 'Go to Error' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'orders.ts' }).waitFor();
    const texts = await waitForAfterText(page, 'order lookup failed');
    assert.ok(
      texts.some((c) => c.includes('order lookup failed')),
      `inline texts: ${texts.join(' | ')}`,
    );
    await screenshot(page, '04-inline-error');
  });

  it('opens a log stream from the Logs view as a highlighted lambda-log document', async () => {
    const { page } = ui;
    await runCommand(page, 'View: Close All Editors');
    const logs = pane(page, 'Logs');
    await row(logs, 'HelloFunction').click();
    const stream = logs.locator('.monaco-list-row', { hasText: 'invocation' }).first();
    await stream.waitFor();
    await openFromRow(stream, page.locator('.monaco-editor .view-lines', { hasText: 'START RequestId' }));
    await page.locator('.statusbar-item', { hasText: 'Lambda Log' }).waitFor();
    await screenshot(page, '05-log-document');
  });

  it('pauses a debug session at a breakpoint with the variables visible', async () => {
    const { page } = ui;
    const functions = pane(page, 'Functions');
    await openFromRow(row(functions, 'app.handler'), page.locator('.tabs-container .tab.active', { hasText: 'app.js' }));
    await runCommand(page, 'Go to Line/Column');
    await page.keyboard.type('11');
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor();
    await page.locator('.codelens-decoration a', { hasText: 'Debug' }).first().click();
    await page.locator('.debug-toolbar').waitFor({ timeout: 60_000 });
    await page
      .getByText(/Paused on breakpoint/i)
      .first()
      .waitFor({ timeout: 60_000 });
    await pane(page, 'Variables').locator('.monaco-list-row', { hasText: 'event' }).first().waitFor();
    await screenshot(page, '06-debug-paused');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  });
});
