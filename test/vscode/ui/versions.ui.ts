// The Versions and Layers views as a user drives them: two versions published from the command
// palette (with a description each), an alias that sends part of the traffic to the older one,
// and a layer's file tree. Screenshot: test-results/07-versions-and-layers.png.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expandRow, openFromRow, pane, row, runCommand, screenshot, useWorkbench } from './workbench';

/** Answers the open quick pick or input box with `text` (for a quick pick: the first item matching it). */
async function answer(page: Page, text: string, isPick = false): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(text);
  if (isPick) await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await input.press('Enter');
}

async function setExpanded(view: Locator, expanded: boolean): Promise<void> {
  const header = view.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
}

async function publish(page: Page, functionName: string, description: string): Promise<void> {
  await runCommand(page, 'Lambda Lab: Publish Version…');
  await answer(page, functionName, true);
  await page.locator('.quick-input-widget', { hasText: `Publish a version of ${functionName}` }).waitFor();
  await answer(page, description);
}

describe('Versions and Layers views (UI)', function () {
  this.timeout(120_000);
  const ui = useWorkbench();
  after(async () => {
    await setExpanded(pane(ui.page, 'Functions'), true).catch(() => undefined);
    await setExpanded(pane(ui.page, 'Logs'), true).catch(() => undefined);
  });

  it('publishes two versions, splits an alias between them and shows a layer version', async () => {
    const { page } = ui;
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    await row(pane(page, 'Functions'), 'ColdStartFunction').waitFor();
    // Room for Versions and Layers: the Functions view of the whole workspace is long.
    await setExpanded(pane(page, 'Functions'), false);
    await setExpanded(pane(page, 'Logs'), false);
    const versions = pane(page, 'Versions');
    if ((await versions.locator('.pane-header[aria-expanded="false"]').count()) > 0) await versions.locator('.pane-header').click();
    const coldStart = row(versions, 'ColdStartFunction');
    await coldStart.waitFor();

    await publish(page, 'ColdStartFunction', 'first cut');
    await versions.locator('.monaco-list-row', { hasText: 'first cut' }).waitFor();
    const workspace = process.env.LAMBDA_LAB_WORKSPACE!;
    writeFileSync(path.join(workspace, 'hello', 'src', 'coldstart', 'CHANGELOG.md'), '# 2\nWarms the cache in init.\n');
    await publish(page, 'ColdStartFunction', 'warms the cache in init');
    await versions.locator('.monaco-list-row', { hasText: 'warms the cache in init' }).waitFor();

    await runCommand(page, 'Lambda Lab: Create Alias…');
    await answer(page, 'ColdStartFunction', true);
    await answer(page, 'live');
    await answer(page, '2', true);
    await answer(page, '1', true);
    await answer(page, '20');
    const live = row(versions, 'live');
    await live.waitFor();
    assert.match(await live.innerText(), /→ 2 \(80%\) · 1 \(20%\)/);
    // ColdStartFunction's $LATEST (other functions, listed before it, have no versions).
    await versions
      .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: '$LATEST' }), hasText: 'code as version 2' })
      .waitFor();

    const layers = pane(page, 'Layers');
    if ((await layers.locator('.pane-header[aria-expanded="false"]').count()) > 0) await layers.locator('.pane-header').click();
    await expandRow(row(layers, 'greeting'), row(layers, 'Version 1'));
    await expandRow(row(layers, 'Version 1'), row(layers, 'nodejs'));
    await expandRow(row(layers, 'nodejs'), row(layers, 'greeting.js'));
    await openFromRow(row(layers, 'greeting.js'), page.locator('.tabs-container .tab.active', { hasText: 'greeting.js' }));
    await live.hover();
    await screenshot(page, '07-versions-and-layers');
  });

  it('starts the Lambda API server from the palette, shows its URL in the status bar and stops it from there', async () => {
    const { page } = ui;
    // The user settings of scripts/testVscode.mjs pick a free port.
    await runCommand(page, 'Lambda Lab: Start Lambda API Server');
    await answer(page, 'hello', true); // two templates: whose versions the API manages
    const item = page.locator('.statusbar-item', { hasText: /Lambda API 127\.0\.0\.1:\d+/ });
    await item.waitFor();
    await screenshot(page, '08-api-server-status');
    await item.click();
    await answer(page, 'Stop', true);
    await item.waitFor({ state: 'hidden' });
  });
});
