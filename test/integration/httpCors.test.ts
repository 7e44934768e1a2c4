// CORS as a browser enforces it: headless Chromium loads a page from one origin and calls the
// local HTTP API on another (its own port), allowed and refused, with and without preflight.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startHttpHarness, type HttpHarness } from '../fixtures/http/httpHarness';

const CHROMIUM = '/usr/bin/chromium';

interface CallResult {
  status?: number;
  exposed?: string | null;
  error?: string;
}

describe('HTTP front doors: CORS in a browser (integration)', function () {
  this.timeout(90_000);
  let h: HttpHarness;
  let pages: Server;
  let browser: Browser;
  let pagePort: number;
  let invocations = 0;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      this.skip();
    }
    // Any *.localhost name reaches this server; the name makes the page's origin.
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>caller</title>');
    });
    await new Promise<void>((ok) => pages.listen(0, '127.0.0.1', ok));
    pagePort = (pages.address() as AddressInfo).port;
    h = await startHttpHarness({ AllowedOrigin: `http://allowed.localhost:${pagePort}` });
    h.runtime.on('invocationStarted', () => invocations++);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
    pages?.close();
  });

  async function callFrom(
    origin: string,
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<CallResult> {
    const page = await browser.newPage();
    try {
      await page.goto(`http://${origin}:${pagePort}/`);
      return await page.evaluate(
        async ([target, options]) => {
          try {
            const res = await fetch(target, options);
            return { status: res.status, exposed: res.headers.get('x-shape') };
          } catch (err) {
            return { error: String(err) };
          }
        },
        [url, init] as const,
      );
    } finally {
      await page.close();
    }
  }

  it('allows the configured origin, through a preflight, and exposes the configured headers', async () => {
    const result = await callFrom('allowed.localhost', `${h.api('HttpApi')}/items/1`, { headers: { 'content-type': 'application/json' } });
    assert.deepEqual(result, { status: 200, exposed: 'echo' });
  });

  it('refuses another origin at the preflight: the function never runs', async () => {
    const before = invocations;
    const result = await callFrom('refused.localhost', `${h.api('HttpApi')}/items/1`, { headers: { 'content-type': 'application/json' } });
    assert.match(result.error ?? '', /Failed to fetch/);
    assert.equal(invocations, before);
  });

  it('refuses another origin for a simple request: the function runs, the browser withholds the answer', async () => {
    const before = invocations;
    const result = await callFrom('refused.localhost', `${h.api('HttpApi')}/items/1`, {});
    assert.match(result.error ?? '', /Failed to fetch/);
    assert.equal(invocations, before + 1);
    const allowed = await callFrom('allowed.localhost', `${h.api('HttpApi')}/items/1`, {});
    assert.deepEqual(allowed, { status: 200, exposed: 'echo' });
  });

  it("REST APIs leave CORS to the function: SAM's preflight passes, the function's own header decides", async () => {
    const before = invocations;
    const result = await callFrom('allowed.localhost', `${h.api('RestApi')}/shapes`, { headers: { 'content-type': 'application/json' } });
    // The preflight allows '*' (so the function runs), but the function answers for http://from-function only.
    assert.equal(invocations, before + 1);
    assert.match(result.error ?? '', /Failed to fetch/);
  });
});
