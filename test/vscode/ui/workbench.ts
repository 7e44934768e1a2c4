// Drives the code-server workbench that scripts/testVscode.mjs started (CODE_SERVER_URL,
// LAMBDA_LAB_WORKSPACE) with headless Chromium, and saves screenshots into test-results/.
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** The page's own function (the evaluate callback runs in the browser; this project compiles without DOM types). */
declare const getComputedStyle: (element: unknown, pseudo: string) => { content: string };

export const resultsDir = path.resolve(__dirname, '..', '..', '..', 'test-results');

export interface Workbench {
  browser: Browser;
  page: Page;
}

/**
 * The mocha hooks every UI suite needs: one workbench page for the suite, closed after it, and
 * a screenshot of each failed test. Read `page` inside tests (it exists once `before` ran).
 */
export function useWorkbench(): { readonly page: Page } {
  let wb: Workbench | undefined;
  before(async () => {
    wb = await openWorkbench();
  });
  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') await screenshot(wb.page, `failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });
  after(async () => {
    await wb?.browser.close();
  });
  return {
    get page() {
      if (!wb) throw new Error('the workbench is not open yet: use it inside tests');
      return wb.page;
    },
  };
}

export async function openWorkbench(): Promise<Workbench> {
  const url = process.env.CODE_SERVER_URL;
  const folder = process.env.LAMBDA_LAB_WORKSPACE;
  if (!url || !folder)
    throw new Error('Run the UI tests through scripts/testVscode.mjs (it sets CODE_SERVER_URL and LAMBDA_LAB_WORKSPACE).');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.setDefaultTimeout(30_000);
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.statusbar').waitFor();
  return { browser, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(resultsDir, `${name}.png`);
  await page.waitForTimeout(300); // let animations (tree twisties, notifications) settle
  await page.screenshot({ path: file });
  return file;
}

/** Runs a command by its palette title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await input.press('Enter');
}

/** The view pane titled `title` in the side bar. */
export function pane(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`, 'i') }) });
}

/** A row of a tree view whose label starts with `label`. */
export function row(container: Locator, label: string): Locator {
  return container.locator('.monaco-list-row', { has: container.page().locator('.label-name', { hasText: label }) }).first();
}

/**
 * Does `act` until `shown` shows. A view re-rendered under the pointer (a row's description
 * changing as environments start and freeze, a template reload) or a quick input still holding
 * focus can swallow a click or a key: the step is repeated, the last try waiting longest.
 */
export async function repeatUntilShown(act: () => Promise<void>, shown: Locator, tries = 3, waitMs = 10_000): Promise<void> {
  for (let i = 1; ; i++) {
    await act();
    try {
      await shown.waitFor({ timeout: i < tries ? waitMs : Math.max(waitMs, 30_000) });
      return;
    } catch (err) {
      if (i >= tries) throw err;
    }
  }
}

/** Clicks a tree row that opens something until `opened` shows. */
export function openFromRow(target: Locator, opened: Locator): Promise<void> {
  return repeatUntilShown(() => target.click(), opened);
}

/**
 * Expands a tree row until `child` shows. A row that stays open and empty (its children asked for
 * while the view was being refreshed) is closed and opened again.
 */
export function expandRow(target: Locator, child: Locator): Promise<void> {
  const twistie = target.locator('.monaco-tl-twistie');
  return repeatUntilShown(async () => {
    if ((await target.getAttribute('aria-expanded')) === 'true') await twistie.click();
    await twistie.click();
  }, child);
}

/** Text shown after the end of editor lines by decorations (rendered as CSS ::after content). */
export async function afterTexts(page: Page): Promise<string[]> {
  return page
    .locator('.monaco-editor .view-lines span')
    .evaluateAll((spans) =>
      spans.map((s) => getComputedStyle(s, '::after').content).filter((c) => c && c !== 'none' && c !== 'normal' && c !== '""'),
    );
}

/** Waits until a decoration after some line shows `text`; returns every after-text then shown. */
export async function waitForAfterText(page: Page, text: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await afterTexts(page);
    if (texts.some((c) => c.includes(text)) || Date.now() > deadline) return texts;
    await page.waitForTimeout(200);
  }
}
