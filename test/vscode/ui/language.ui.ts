// The template language server as a user sees it: a squiggle under a mistyped !Ref with its
// hover, and the completion list of logical ids. Screenshots in test-results/.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCommand, screenshot, useWorkbench } from './workbench';

describe('template language server (UI)', function () {
  this.timeout(120_000);
  const ui = useWorkbench();
  const template = (): string => path.join(process.env.LAMBDA_LAB_WORKSPACE!, 'hello', 'template.yaml');

  after(async () => {
    await runCommand(ui.page, 'File: Revert File').catch(() => undefined);
  });

  it('squiggles a mistyped !Ref and explains it on hover', async () => {
    const { page } = ui;
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('hello/template.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'template.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'template.yaml' }).waitFor();
    const line = readFileSync(template(), 'utf8').split('\n').findIndex((l) => l.includes('!Ref Greeting')) + 1;
    assert.ok(line > 0);
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    const squiggle = page.locator('.monaco-editor .squiggly-error').first();
    await squiggle.waitFor();
    await squiggle.hover();
    const hover = page.locator('.monaco-hover', { hasText: 'Ref Greetin: no parameter' });
    await hover.waitFor();
    await screenshot(page, 'language-01-squiggle-hover');
  });

  it('lists logical ids to complete a !Ref', async () => {
    const { page } = ui;
    await page.locator('.monaco-editor .view-lines').first().hover({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget');
    await suggest.locator('.monaco-list-row', { hasText: 'Greeting' }).first().waitFor();
    await screenshot(page, 'language-02-completion');
    await page.keyboard.press('Escape');
  });
});
