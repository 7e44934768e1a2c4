// A Python handler paused in the real workbench: a breakpoint set with F9 in the .py file of the
// real-world python-orders project, its Debug code lens, the editor stopped on that line through
// debugpy and the Variables view showing the saved event. Screenshot: test-results/20-python-paused.png.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pane, repeatUntilShown, runCommand, screenshot, useWorkbench } from './workbench';

const PYTHON = '/usr/bin/python3';

/** Why a Python function cannot be debugged here, or undefined. */
function debugpyMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import debugpy']);
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  return probe.status === 0 ? undefined : `${PYTHON} has no debugpy (apt-get install python3-debugpy)`;
}

describe('debugging a Python handler (UI)', function () {
  this.timeout(180_000);
  const ui = useWorkbench();
  const handler = (): string => path.join(process.env.LAMBDA_LAB_WORKSPACE!, 'real-world', 'python-orders', 'src', 'app.py');

  before(function () {
    const missing = debugpyMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
  });

  it('pauses on a breakpoint in the .py handler with the event in the Variables view', async () => {
    const { page } = ui;
    const line =
      fs
        .readFileSync(handler(), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('total = round(')) + 1;
    assert.ok(line > 0, 'the fixture handler has no total line');
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Control+P');
    // An absolute path opens without waiting for the workspace's file search.
    await page.locator('.quick-input-widget input').fill(handler());
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'app.py' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'app.py' }).waitFor();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${line}`);
    await page.locator('.quick-input-widget', { hasText: `line ${line}` }).waitFor();
    await page.keyboard.press('Enter');
    // F9 pressed while the quick input still holds focus is lost: press it until the glyph shows.
    await repeatUntilShown(
      async () => {
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
        await page.keyboard.press('F9');
      },
      page.locator('.codicon-debug-breakpoint').first(),
      3,
      5_000,
    );
    await page.locator('.codelens-decoration a', { hasText: 'Debug' }).first().click();
    await page.locator('.debug-toolbar').waitFor({ timeout: 90_000 });
    await page
      .getByText(/Paused on breakpoint/i)
      .first()
      .waitFor({ timeout: 90_000 });
    // The paused line is the breakpoint's, in the Python file.
    await page.locator('.tabs-container .tab.active', { hasText: 'app.py' }).waitFor();
    await page.locator('.monaco-editor .debug-top-stack-frame-line').first().waitFor();
    const variables = pane(page, 'Variables');
    await variables.locator('.monaco-list-row', { hasText: 'event' }).first().waitFor();
    await variables.locator('.monaco-list-row', { hasText: "'orderId': '1001'" }).first().waitFor();
    await screenshot(page, '20-python-paused');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('F9'); // the cursor is still on the breakpoint's line: it goes
    await runCommand(page, 'View: Close All Editors');
  });
});
