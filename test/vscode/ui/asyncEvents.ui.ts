// What a user sees of asynchronous invocation and extensions: ChargeCard (real-world/async-payments)
// with its Extensions and Async setup rows, Invoke Asynchronously (Event) from its context menu,
// the failed event's OnFailure record and dead-letter message, a record opened as JSON, and a
// re-drive from the record's inline button. Screenshots: test-results/async-*.png.
import { expandRow, openFromRow, pane, row, runCommand, screenshot, useWorkbench } from './workbench';

describe('asynchronous events and extensions (UI)', function () {
  this.timeout(180_000);
  const ui = useWorkbench();

  it('invokes a function asynchronously, shows its failed event records, opens one and re-drives it', async () => {
    const { page } = ui;
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    const functions = pane(page, 'Functions');
    // A wider side bar, so the rows' descriptions (attempts, destinations, extension state) show whole.
    const bar = await page.locator('.part.sidebar').boundingBox();
    if (bar) {
      await page.mouse.move(bar.x + bar.width - 1, bar.y + bar.height / 2);
      await page.mouse.down();
      await page.mouse.move(bar.x + bar.width + 320, bar.y + bar.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    // Other templates' rows out of the way.
    await functions.locator('.pane-header').hover();
    await functions.locator('.pane-header .action-label[aria-label="Collapse All"]').click();
    const charge = row(functions, 'ChargeCard');
    await expandRow(row(functions, 'real-world/async-payments'), charge);
    await expandRow(charge, row(functions, 'Async setup'));
    await expandRow(row(functions, 'Async setup'), row(functions, 'OnFailure'));
    await expandRow(row(functions, 'Extensions'), row(functions, 'audit-ext'));

    await charge.click({ button: 'right' });
    // The workbench's menu acts on the highlighted item at Enter (a synthetic click may land before it is armed).
    await page.locator('.context-view .action-label', { hasText: 'Invoke Asynchronously (Event)' }).hover();
    await page.keyboard.press('Enter');
    await page
      .locator('.monaco-workbench .panel .monaco-editor', { hasText: 'RetriesExhausted after 2 invocation(s)' })
      .waitFor({ timeout: 90_000 });
    const failure = row(functions, 'OnFailure record');
    await expandRow(row(functions, 'Async events'), failure);
    await row(functions, 'dead-letter message').waitFor();
    await row(functions, 'audit-ext').filter({ hasText: 'registered · INVOKE, SHUTDOWN' }).waitFor();
    await failure.hover();
    await screenshot(page, 'async-01-failed-event-records');

    await openFromRow(failure, page.locator('.monaco-editor .view-lines', { hasText: 'RetriesExhausted' }));
    await page.locator('.tabs-container .tab.active', { hasText: '.json' }).waitFor();
    await screenshot(page, 'async-02-record-opened');

    await failure.hover();
    await failure.locator('.action-label[aria-label="Re-drive Event"]').click();
    await functions.locator('.monaco-list-row', { hasText: 'OnFailure record' }).nth(1).waitFor({ timeout: 90_000 });
    await screenshot(page, 'async-03-redriven');
    await runCommand(page, 'View: Close All Editors');
  });
});
