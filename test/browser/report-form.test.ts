import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/platform/db/index.ts';
import { startHttpServer, type HttpServer } from '../../src/platform/http-server.ts';
import { backend, createTestStore } from '../db.ts';
import { createReportingApp } from '../reporting.ts';

/**
 * The report form in a real browser (Debian's Chromium, headless, JavaScript off: the form must work
 * without it) against the portal on a loopback port. `.ci/run` installs Chromium; without it these tests
 * are skipped, saying so (but not in CI).
 */
const chromiumPath = '/usr/bin/chromium';
// CI (`.ci/run` sets TOCSIN_REQUIRE_BROWSER=1) installs Chromium, and there a missing browser fails the
// tests rather than skipping them.
const required = process.env.TOCSIN_REQUIRE_BROWSER === '1';
const haveChromium = existsSync(chromiumPath) || required;
if (!haveChromium) {
  console.warn(`browser tests skipped: ${chromiumPath} is missing (apt-get install -y chromium)`);
}

let store: Store;
let harness: Awaited<ReturnType<typeof createReportingApp>>;
let server: HttpServer;
let browser: Browser;
let context: BrowserContext;

describe.skipIf(!haveChromium)(`the report form in Chromium on ${backend}`, () => {
  beforeAll(async () => {
    store = await createTestStore();
    harness = await createReportingApp(store);
    server = await startHttpServer(harness.app, { port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
    context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
  });

  afterAll(async () => {
    await context.close();
    await browser.close();
    await server.close(1000);
    await harness.processor.drain();
    await store.close();
  });

  it('is filled in with an attachment, sent with the keyboard, and reaches the receipt', async () => {
    const evidence = join(mkdtempSync(join(tmpdir(), 'tocsin-browser-')), 'banner.txt');
    writeFileSync(evidence, 'HTTP/1.1 200 OK\r\nServer: OldCMS/1.2\r\n');
    const page = await context.newPage();
    await page.goto(`${server.url}/report`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.getByLabel('Kind of problem').selectOption('vulnerable-system');
    await page.getByLabel('Affected systems').fill('198.51.100.20\nhxxps://www[.]minvb.example/login');
    await page.getByLabel('Description').fill('The login page runs OldCMS 1.2 <with a known RCE>.');
    await page.getByLabel('Steps to reproduce').fill('curl -I https://www.minvb.example/login');
    await page.getByLabel('Time observed (UTC)').fill('2026-11-30 14:05');
    await page.getByLabel('Evidence').setInputFiles(evidence);
    await page.getByLabel('Requested TLP').selectOption('GREEN');
    await page.getByLabel('E-mail address').fill('ada@researcher.example');

    // The rest by keyboard: tick the consent, then Tab past the policy link to the button and press Enter.
    await page.getByLabel(/I have read the disclosure policy/).focus();
    await page.keyboard.press('Space');
    expect(await page.getByLabel(/I have read the disclosure policy/).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect((await page.locator(':focus').textContent())?.trim()).toBe('Send report');
    await Promise.all([
      page.waitForURL(/\/report\/status\/[A-Za-z0-9_-]{43}\?receipt=1/),
      page.keyboard.press('Enter'),
    ]);

    expect(await page.locator('h1').first().textContent()).toBe('Report received');
    const trackingId = await page.locator('#tracking-id').textContent();
    expect(trackingId).toMatch(/^R-\d{8}-[0-9A-Z]{6}$/);
    const link = await page.locator('#status-link').textContent();
    expect(link).toMatch(/^https:\/\/meldpunt\.test\/report\/status\/[A-Za-z0-9_-]{43}$/);
    expect(await page.locator('#report-description').textContent()).toBe(
      'The login page runs OldCMS 1.2 <with a known RCE>.',
    );
    expect(await page.getByText('banner.txt').count()).toBe(1);
    await page.close();
  });

  it('shows each invalid field its own message, tied to the field, and a summary linking to them', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/report?lang=nl`);
    await page.getByLabel('Getroffen systemen').fill('www.minvb.example\nniet-een-host!');
    await page.getByLabel('Tijdstip van waarneming (UTC)').fill('gisteren');
    await page.getByLabel('E-mailadres').fill('ada@');
    await page.getByLabel('1. De kwetsbaarheid is publiek bekend.').selectOption('4');
    await Promise.all([
      page.waitForURL(`${server.url}/report?lang=nl`),
      page.getByRole('button', { name: 'Melding versturen' }).click(),
    ]);

    const summary = page.getByRole('alert');
    expect(await summary.getByRole('heading').textContent()).toBe('Er is een probleem met uw melding');
    const expected: Record<string, RegExp> = {
      type: /Dit veld is verplicht/,
      targets: /Regel 2: "niet-een-host!" is geen IP-adres/,
      description: /Dit veld is verplicht/,
      observed_at: /Vul een datum en tijd in/,
      likelihood_2: /Beantwoord alle tien stellingen/,
      email: /Vul een e-mailadres in/,
      consent: /Ga akkoord met het meldbeleid/,
    };
    for (const [field, message] of Object.entries(expected)) {
      const control = page.locator(`#${field}`);
      expect(await control.getAttribute('aria-invalid'), field).toBe('true');
      const describedBy = (await control.getAttribute('aria-describedby')) ?? '';
      expect(describedBy.split(' '), field).toContain(`${field}-error`);
      expect(await page.locator(`#${field}-error`).textContent(), field).toMatch(message);
      expect(await summary.locator(`a[href="#${field}"]`).textContent(), field).toMatch(message);
    }
    // What was typed is kept; a valid field is not marked.
    expect(await page.getByLabel('Getroffen systemen').inputValue()).toBe(
      'www.minvb.example\nniet-een-host!',
    );
    expect(await page.locator('#steps').getAttribute('aria-invalid')).toBeNull();
    await page.close();
  });
});
