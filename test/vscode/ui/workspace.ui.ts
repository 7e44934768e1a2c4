// The real-world workspace (test/vscode/fixtures/realWorld, copied to real-world/) as a user sees
// it: a .ts breakpoint bound in a minified build without source maps, the notification of a
// debugged function that fails at init, the broken template's error row, an HTTP result read as
// a response, and the sample picker offering the declared event source first.
// Screenshots: test-results/1x-*.png.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { pane, row, runCommand, screenshot, useWorkbench } from './workbench';

/** Picks the first quick-pick item matching `text`. */
async function pick(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await input.press('Enter');
}

async function closeNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

describe('a workspace of real-world SAM projects (UI)', function () {
  this.timeout(180_000);
  const ui = useWorkbench();

  before(async () => {
    const { page } = ui;
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    await row(pane(page, 'Functions'), 'real-world/orders-api').waitFor();
    await runCommand(page, 'View: Close All Editors');
  });

  it('binds a .ts breakpoint in a build with Sourcemap: false and Minify: true', async () => {
    const { page } = ui;
    await runCommand(page, 'Go to File');
    await pick(page, 'price.ts');
    await page.locator('.tabs-container .tab.active', { hasText: 'price.ts' }).waitFor();
    await runCommand(page, 'Go to Line/Column');
    await page.keyboard.type('15');
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9');
    await page.locator('.codelens-decoration a', { hasText: 'Debug' }).first().click();
    await page.locator('.debug-toolbar').waitFor({ timeout: 90_000 });
    await page
      .getByText(/Paused on breakpoint/i)
      .first()
      .waitFor({ timeout: 90_000 });
    await pane(page, 'Variables').locator('.monaco-list-row', { hasText: 'quantity' }).first().waitFor();
    await page.locator('.tabs-container .tab.active', { hasText: 'price.ts' }).waitFor();
    await screenshot(page, '10-ts-minified-breakpoint');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'Go to Line/Column');
    await page.keyboard.type('15');
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9'); // the breakpoint goes, so later sessions run through
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
  });

  it('notifies when a debugged function fails at init', async () => {
    const { page } = ui;
    await closeNotifications(page);
    await runCommand(page, 'Lambda Lab: Debug');
    await pick(page, 'BrokenInitFunction');
    const toast = page.locator('.notification-toast', { hasText: 'BrokenInitFunction failed' });
    await toast.waitFor({ timeout: 90_000 });
    assert.match(await toast.innerText(), /ORDERS_TABLE is not set/);
    await toast.locator('.monaco-button', { hasText: 'Go to Error' }).waitFor();
    await page.locator('.statusbar-item', { hasText: /λ BrokenInitFunction/ }).waitFor();
    await screenshot(page, '11-debug-init-failure');
    await closeNotifications(page);
    await page
      .locator('.debug-toolbar .action-label[aria-label^="Stop"], .debug-toolbar .action-label[aria-label^="Disconnect"]')
      .first()
      .click();
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    await runCommand(page, 'View: Close All Editors');
  });

  it('keeps the broken template in the Functions view as an error row', async () => {
    const { page } = ui;
    const functions = pane(page, 'Functions');
    await functions.locator('.pane-header').hover();
    await functions.locator('.action-label[aria-label^="Collapse All"]').click();
    const broken = row(functions, 'real-world/broken');
    await broken.locator('.monaco-tl-twistie').click();
    const error = row(functions, 'Line 11: Nested mappings are not allowed');
    await error.waitFor();
    assert.match(await broken.innerText(), /failed to load/);
    await row(functions, 'real-world/wrong-case').locator('.monaco-tl-twistie').click();
    const report = row(functions, 'ReportFunction');
    if ((await report.getAttribute('aria-expanded')) === 'false') await report.locator('.monaco-tl-twistie').click();
    await row(functions, 'set CodeUri to src/').waitFor();
    await screenshot(page, '12-broken-template-row');
  });

  it('shows an HTTP API result as a response', async () => {
    const { page } = ui;
    await runCommand(page, 'Lambda Lab: Invoke');
    await pick(page, 'GetOrderFunction');
    await page
      .locator('.tabs-container .tab.active', { hasText: /GetOrderFunction [0-9a-f]{8} response\.http/ })
      .waitFor({ timeout: 90_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'HTTP/1.1 200 OK' }).waitFor();
    await page.locator('.monaco-editor .view-lines', { hasText: 'x-order-source: lambda-lab' }).waitFor();
    await screenshot(page, '13-http-response');
  });

  it('offers the declared event source first in the sample picker', async () => {
    const { page } = ui;
    await runCommand(page, 'Lambda Lab: New Event from Sample…');
    await pick(page, 'QueueWorkerFunction');
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor();
    assert.match(await first.innerText(), /SQS messages[\s\S]*OrdersQueue · declared as OrderQueued \(SQS\)/);
    assert.match(String(await first.getAttribute('class')), /focused/);
    await screenshot(page, '14-event-picker');
    await page.keyboard.press('Escape');
  });
});
