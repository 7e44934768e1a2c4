// The template language server as a user sees it: a squiggle under a mistyped !Ref with its
// hover, and the completion list of logical ids. Screenshots in test-results/.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCommand, screenshot, useWorkbench } from './workbench';

describe('template language server (UI)', function () {
  this.timeout(120_000);
  const ui = useWorkbench();
  const template = (): string => path.join(process.env.LAMBDA_LAB_WORKSPACE!, 'hello', 'template.yaml');
  // The suites after this one need the template as it was, whatever happens here.
  let original = '';
  before(() => {
    original = readFileSync(template(), 'utf8');
  });
  after(() => {
    if (original) writeFileSync(template(), original);
  });

  it('squiggles a mistyped !Ref and explains it on hover', async () => {
    const { page } = ui;
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Control+P');
    // An absolute path opens without waiting for the workspace's file search.
    await page.locator('.quick-input-widget input').fill(template());
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'template.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'template.yaml' }).waitFor();
    const line = original.split('\n').findIndex((l) => l.includes('GREETING: !Ref Greeting')) + 1;
    assert.ok(line > 0);
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${line}`);
    await page.locator('.quick-input-widget', { hasText: `line ${line}` }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    // The keyboard's hover, at the cursor: the mouse would land on the sticky scroll header.
    await page.keyboard.press('ArrowLeft');
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: 'Ref Greetin: no parameter' });
    await hover.waitFor();
    await screenshot(page, 'language-01-squiggle-hover');
  });

  it('lists logical ids to complete a !Ref', async () => {
    const { page } = ui;
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Backspace');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget');
    for (const id of ['Stage', 'Greeting', 'HelloFunction']) await suggest.locator('.monaco-list-row', { hasText: id }).first().waitFor();
    await screenshot(page, 'language-02-completion');
    // Put the text back and save it: the workbench saves on focus changes, so the disk has seen the edits.
    await page.keyboard.press('Escape');
    await page.keyboard.type('Greeting');
    await page.locator('.monaco-editor .view-lines', { hasText: 'GREETING: !Ref Greeting' }).waitFor();
    await runCommand(page, 'File: Save');
    await runCommand(page, 'View: Close All Editors');
  });
});
