import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKey, readMessage, decrypt, readPrivateKey } from 'openpgp';
import { sql } from 'kysely';
import { backend, createTestStore } from '../../test/db.ts';
import { createReportingApp, validReportFields } from '../../test/reporting.ts';
import { buildZip } from '../../test/zip.ts';
import type { Store } from '../platform/db/index.ts';
import { addAnalystMessage } from '../reporting/index.ts';
import { storedEvents } from '../../test/events.ts';

let store: Store;
let harness: Awaited<ReturnType<typeof createReportingApp>>;

beforeEach(async () => {
  store = await createTestStore();
  harness = await createReportingApp(store, { rateLimit: 3 });
});

afterEach(async () => {
  await harness.processor.drain();
  await store.close();
});

/** As @hono/node-server hands the peer over: the default client address of the routes. */
const peer = (address = '192.0.2.77') => ({ incoming: { socket: { remoteAddress: address } } });

interface Browser {
  cookie: string;
  csrf: string;
}

/** Opens the form as a browser does: the CSRF cookie and the token of the page. */
async function openForm(lang = 'en'): Promise<Browser> {
  const response = await harness.app.request(`/report?lang=${lang}`, {}, peer());
  expect(response.status).toBe(200);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(await response.text())?.[1] ?? '';
  expect(cookie).toMatch(/^tocsin_report_csrf=/);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  return { cookie, csrf };
}

function form(fields: Record<string, string>, files: { name: string; data: Buffer; type?: string }[] = []) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  for (const file of files) {
    body.append(
      'attachments',
      new File([file.data], file.name, { type: file.type ?? 'application/octet-stream' }),
    );
  }
  return body;
}

async function post(
  browser: Browser | undefined,
  fields: Record<string, string>,
  files: { name: string; data: Buffer; type?: string }[] = [],
  address?: string,
  path = '/report?lang=en',
) {
  const body = form(browser === undefined ? fields : { csrf: browser.csrf, ...fields }, files);
  return harness.app.request(
    path,
    { method: 'POST', body, headers: browser === undefined ? {} : { cookie: browser.cookie } },
    peer(address),
  );
}

async function count(table: string): Promise<number> {
  const result = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Submits a valid report and follows the redirect to the receipt. */
async function submit(fields = validReportFields(), files: { name: string; data: Buffer }[] = []) {
  const browser = await openForm();
  const response = await post(browser, fields, files);
  expect(response.status).toBe(303);
  const location = response.headers.get('location') ?? '';
  const token = /^\/report\/status\/([A-Za-z0-9_-]{43})\?receipt=1/.exec(location)?.[1] ?? '';
  expect(token).not.toBe('');
  const receipt = await harness.app.request(location, { headers: { cookie: browser.cookie } }, peer());
  return { browser, token, location, receipt, html: await receipt.text() };
}

describe(`the report form on ${backend}`, () => {
  it('speaks Dutch or English by ?lang or Accept-Language, with a switch, a label for every control', async () => {
    const dutch = await harness.app.request('/report', {
      headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' },
    });
    const nl = await dutch.text();
    expect(nl).toContain('<html lang="nl">');
    expect(nl).toContain('Meld een kwetsbaarheid');
    expect(nl).toContain('href="/report?lang=en"');
    const english = await harness.app.request('/report?lang=en', { headers: { 'accept-language': 'nl' } });
    const en = await english.text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('enctype="multipart/form-data"');
    expect(en).toContain('href="/policy?lang=en"');
    const controls = [...en.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(controls.length).toBeGreaterThan(20);
    for (const id of controls) expect(en, id).toContain(`for="${id}"`);
    expect(
      await (await harness.app.request('/report', { headers: { 'accept-language': 'fr, en;q=0.3' } })).text(),
    ).toContain('<html lang="en">');
  });

  it('shows the disclosure policy in both languages, without promising immunity', async () => {
    const en = await (await harness.app.request('/policy?lang=en')).text();
    expect(en).toContain('Coordinated vulnerability disclosure policy');
    expect(en).toContain('We cannot promise that you will not be prosecuted');
    expect(en).toContain('within one working day');
    const nl = await (await harness.app.request('/policy?lang=nl')).text();
    expect(nl).toContain('We kunnen niet beloven dat u niet wordt vervolgd');
  });

  it('refuses a post without a CSRF token, or with a wrong one, with a 403 page; nothing is stored', async () => {
    const without = await post(undefined, validReportFields());
    expect(without.status).toBe(403);
    expect(without.headers.get('content-type')).toMatch(/text\/html/);
    expect(await without.text()).toContain('security token is missing or not valid');
    const browser = await openForm();
    const wrong = await post(
      { ...browser, csrf: browser.csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
      validReportFields(),
    );
    expect(wrong.status).toBe(403);
    const otherCookie = await openForm();
    const mixed = await post({ cookie: otherCookie.cookie, csrf: browser.csrf }, validReportFields());
    expect(mixed.status).toBe(403);
    expect(await count('researcher_reports')).toBe(0);
    expect(await count('reports')).toBe(0);
  });

  it('answers invalid input with a message per field, tied to it, and a summary linking to each', async () => {
    const browser = await openForm();
    const response = await post(browser, {
      lang: 'en',
      type: 'no-such-type',
      targets: '198.51.100.20\nnot a host!\n',
      description: '',
      observed_at: 'yesterday',
      tlp: 'PURPLE',
      email: 'ada@',
      pgp_key: 'not a key',
      likelihood_1: '3',
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    const expected: Record<string, string> = {
      type: 'Choose the kind of problem from the list.',
      targets: 'Line 2: &quot;not a host!&quot; is not an IP address, network (CIDR), domain name or URL.',
      description: 'This field is required.',
      observed_at: 'Enter a date and time such as 2026-11-30 14:05 (UTC), or leave it empty.',
      likelihood_2: 'Answer all ten statements, or none of them.',
      tlp: 'Choose a TLP label from the list.',
      email: 'Enter an e-mail address such as name@example.org',
      pgp_key: 'This is not a readable OpenPGP public key',
      consent: 'Agree to the disclosure policy to send the report.',
    };
    for (const [field, text] of Object.entries(expected)) {
      expect(html, field).toMatch(
        new RegExp(`<p class="error" id="${field}-error">[^<]*<span[^>]*>Error:</span> ${escape(text)}`),
      );
      expect(html, field).toMatch(
        new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error"[^>]*aria-invalid="true"`),
      );
      expect(html, field).toContain(`<li><a href="#${field}">`);
    }
    // What was typed comes back, the valid parts unflagged.
    expect(html).toMatch(/198\.51\.100\.20\r?\nnot a host!/);
    expect(html).not.toMatch(/id="steps"[^>]*aria-invalid/);
    expect(await count('researcher_reports')).toBe(0);
  });

  it('names a private address and refuses it', async () => {
    const response = await post(
      await openForm(),
      validReportFields({ targets: 'www.minvb.example\n\n10.1.2.3' }),
    );
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Line 3: &quot;10.1.2.3&quot; is a private or reserved address');
  });

  it('refuses a zip bomb and a path-traversal member with a clear reason', async () => {
    const bomb = buildZip([{ name: 'scan.txt', data: Buffer.alloc(30 * 1024 * 1024) }]);
    const refused = await post(await openForm(), validReportFields(), [{ name: 'scan.zip', data: bomb }]);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('scan.zip: the archive expands far beyond its size');
    const traversal = buildZip([{ name: '../../../etc/cron.d/x', data: Buffer.from('* * * * * root id') }]);
    const named = await post(await openForm(), validReportFields(), [
      { name: '../../evidence.zip', data: traversal },
    ]);
    expect(named.status).toBe(422);
    expect(await named.text()).toContain(
      'evidence.zip: the member &quot;../../../etc/cron.d/x&quot; has a path that leaves the archive (path traversal, &quot;..&quot;): refused.',
    );
    const disguised = await post(await openForm(), validReportFields(), [
      { name: 'shot.png', data: Buffer.from('MZ\x90\x00 not an image'), type: 'image/png' },
    ]);
    expect(await disguised.text()).toContain('shot.png: the content is');
    expect(await count('researcher_reports')).toBe(0);
  });

  it('receives a valid report: a receipt with a tracking id and a secret status link, the report in the pipeline', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const { token, receipt, html } = await submit(validReportFields(), [
      { name: 'C:\\temp\\my shot.png', data: png },
    ]);
    expect(receipt.status).toBe(200);
    const trackingId = /<p class="tracking" id="tracking-id">(R-\d{8}-[0-9A-Z]{6})<\/p>/.exec(html)?.[1];
    expect(trackingId).toBeDefined();
    expect(html).toContain(`https://meldpunt.test/report/status/${token}`);
    expect(html).toContain('We sent an acknowledgement to your e-mail address.');
    expect(html).toContain('my_shot.png');

    // Only the hash of the token is kept; the attachment is stored with its sniffed type.
    const stored = await sql<Record<string, unknown>>`select * from researcher_reports`.execute(store.db);
    expect(JSON.stringify(stored.rows)).not.toContain(token);
    const attachment = await sql<{ file_name: string; media_type: string; size_bytes: number }>`
      select file_name, media_type, size_bytes from researcher_report_attachments`.execute(store.db);
    expect(attachment.rows).toEqual([
      { file_name: 'my_shot.png', media_type: 'image/png', size_bytes: png.length },
    ]);

    // The same pipeline as the feeds: a report, events in IDF, assessed with the report's own context.
    await harness.processor.drain();
    const report = await store.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(report).toMatchObject({ feed: 'jsonl', status: 'processed', accepted: 2 });
    expect(report.source).toMatch(/^researcher-[0-9a-f]{16}$/);
    expect(report.request.single).toEqual({ evidence: true, contact: true, requestedTlp: 'AMBER' });
    const events = await storedEvents(store, { orderBy: 'source_ip' });
    const data = events.map((e) => e.data);
    expect(data).toContainEqual(
      expect.objectContaining({
        'source.ip': '198.51.100.20',
        'classification.type': 'vulnerable-system',
        'classification.taxonomy': 'vulnerable',
        'time.source': '2026-11-30T14:05:00+00:00',
        'feed.name': 'Researcher report',
        tlp: 'AMBER',
      }),
    );
    expect(data).toContainEqual(
      expect.objectContaining({
        'source.url': 'https://www.minvb.example/login',
        'source.fqdn': 'www.minvb.example',
      }),
    );
    expect(JSON.stringify(data)).not.toContain('ada@researcher.example');

    const status = await (await harness.app.request(`/report/status/${token}?lang=en`)).text();
    expect(status).toMatch(/<li aria-current="step" data-stage="assessed">/);
    expect(status).toContain('an analyst reviews it');
    expect(status).toContain('href="/framework?lang=en#credibility.unknown-source"');
    expect(status).toContain('0 organisations warned');
  });

  it('queues an acknowledgement with the tracking id and the status link, from the outward identity', async () => {
    const { token, html } = await submit();
    const trackingId = /id="tracking-id">([^<]+)</.exec(html)?.[1] ?? '';
    const mails = await sql<{ from_address: string; to_address: string; subject: string; body_text: string }>`
      select from_address, to_address, subject, body_text from outbox`.execute(store.db);
    expect(mails.rows).toHaveLength(1);
    const mail = mails.rows[0];
    expect(mail?.from_address).toBe('Nationaal Cyber Security Centrum <meldingen@ncsc.example.nl>');
    expect(mail?.to_address).toBe('ada@researcher.example');
    expect(mail?.subject).toBe(`Report received: ${trackingId}`);
    expect(mail?.body_text).toContain(trackingId);
    expect(mail?.body_text).toContain(`https://meldpunt.test/report/status/${token}`);
  });

  it('encrypts the acknowledgement to the reporter’s OpenPGP key, and refuses a private key', async () => {
    const { privateKey, publicKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'ada@researcher.example' }],
      format: 'armored',
    });
    const leaked = await post(await openForm(), validReportFields({ pgp_key: privateKey }));
    expect(leaked.status).toBe(422);
    expect(await leaked.text()).toContain('This is a private key. Never send your private key');

    const { token } = await submit(validReportFields({ pgp_key: publicKey, lang: 'nl' }));
    const mail = await sql<{
      body_text: string;
      subject: string;
    }>`select body_text, subject from outbox`.execute(store.db);
    const body = mail.rows[0]?.body_text ?? '';
    expect(body).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(body).not.toContain(token);
    expect(mail.rows[0]?.subject).toMatch(/^Melding ontvangen: R-/);
    const decrypted = await decrypt({
      message: await readMessage({ armoredMessage: body }),
      decryptionKeys: await readPrivateKey({ armoredKey: privateKey }),
    });
    expect(decrypted.data).toContain(`https://meldpunt.test/report/status/${token}`);
  });

  it('takes an anonymous report: no mail, the receipt says the link is the only way', async () => {
    const { html } = await submit(validReportFields({ name: '', email: '' }));
    expect(html).toContain('You reported anonymously');
    expect(await count('outbox')).toBe(0);
    await harness.processor.drain();
    const report = await store.db
      .selectFrom('reports')
      .select(['source', 'request'])
      .executeTakeFirstOrThrow();
    expect(report.source).toBe('web-form');
    expect(report.request.single?.contact).toBe(false);
  });

  it('shows HTML in a description as text, escaped', async () => {
    const attack = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const { token } = await submit(validReportFields({ description: attack }));
    const status = await (await harness.app.request(`/report/status/${token}`)).text();
    expect(status).not.toContain('<script>alert(1)</script>');
    expect(status).not.toContain('<img src=x');
    expect(status).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    // Also when the form comes back with errors.
    const again = await post(await openForm(), validReportFields({ description: attack, tlp: '' }));
    const html = await again.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('answers an unknown or malformed status token with 404', async () => {
    await submit();
    for (const token of ['A'.repeat(43), 'nope', `${'A'.repeat(42)}.`]) {
      const response = await harness.app.request(`/report/status/${token}`);
      expect(response.status, token).toBe(404);
      expect(await response.text()).toContain('This status link is not known');
    }
  });

  it('lets the reporter add information (CSRF-protected) and shows analysts’ messages', async () => {
    const { token, browser, html } = await submit();
    const trackingId = /id="tracking-id">([^<]+)</.exec(html)?.[1] ?? '';
    const noToken = await harness.app.request(
      `/report/status/${token}`,
      { method: 'POST', body: form({ message: 'more' }), headers: { cookie: browser.cookie } },
      peer(),
    );
    expect(noToken.status).toBe(403);
    const added = await post(
      browser,
      { message: 'Port 8443 <b>too</b>.' },
      [],
      undefined,
      `/report/status/${token}`,
    );
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe(`/report/status/${token}?added=1&lang=en`);
    await addAnalystMessage(store, trackingId, 'Thank you, we have warned the owner.');
    const page = await (await harness.app.request(`/report/status/${token}`)).text();
    expect(page).toContain('Port 8443 &lt;b&gt;too&lt;/b&gt;.');
    expect(page).toContain('From us');
    expect(page).toContain('Thank you, we have warned the owner.');
    const empty = await post(browser, { message: '  ' }, [], undefined, `/report/status/${token}`);
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Write the information you want to add.');
  });

  it('limits submissions per address and hour: over the limit a 429 page with Retry-After', async () => {
    // A fixed clock, so the hour cannot turn between the submissions.
    await harness.processor.drain();
    harness = await createReportingApp(store, { rateLimit: 3, now: () => new Date('2026-12-01T10:20:00Z') });
    for (let i = 0; i < 3; i++) await submit(validReportFields({ targets: `198.51.100.${10 + i}` }));
    const browser = await openForm();
    const refused = await post(browser, validReportFields());
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBe(40 * 60);
    expect(await refused.text()).toContain('Too many reports');
    // Another address is not affected; the counts are in the database, not in this process.
    expect((await post(browser, validReportFields(), [], '203.0.113.9')).status).toBe(303);
    const rows = await sql<{ address_hash: string; submissions: number }>`
      select address_hash, submissions from report_form_rate_limits order by submissions`.execute(store.db);
    expect(rows.rows.map((r) => r.submissions)).toEqual([1, 3]);
    expect(JSON.stringify(rows.rows)).not.toContain('192.0.2.77');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
