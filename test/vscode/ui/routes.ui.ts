// What a user sees of a function's API routes: the Routes row under the function, and Send
// Request from a route's inline button, answered in a response document.
import { pane, row, runCommand, screenshot, useWorkbench } from './workbench';

describe('Routes and Send Request (UI)', function () {
  this.timeout(120_000);
  const ui = useWorkbench();

  it('sends a request to a route from its inline button and shows the response', async () => {
    const { page } = ui;
    await page.locator('.activitybar a[aria-label="Lambda"]').click();
    const functions = pane(page, 'Functions');
    await row(functions, 'HelloFunction').locator('.monaco-tl-twistie').click();
    await row(functions, 'Routes').locator('.monaco-tl-twistie').click();
    const route = row(functions, 'GET /Prod/hello');
    await route.hover();
    await route.locator('.action-label[aria-label="Send Request"]').click();
    const input = page.locator('.quick-input-widget input');
    for (const prompt of ['HTTP method', 'Path', 'Headers']) {
      await page.locator('.quick-input-widget', { hasText: prompt }).waitFor();
      await input.press('Enter');
    }
    await page.locator('.monaco-editor .view-lines', { hasText: 'HTTP/1.1 200 OK' }).waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'first byte' }).waitFor();
    await screenshot(page, 'routes-01-send-request');
    await runCommand(page, 'Lambda Lab: Stop Lambda API Server');
  });
});
