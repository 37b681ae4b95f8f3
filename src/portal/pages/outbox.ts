import { html } from 'hono/html';
import type { OutboxEntry, OutboxMessage } from '../../notification/index.ts';
import { layout } from './layout.ts';

/** `GET /outbox`: every message, newest first, with its delivery state (administrators only). */
export function outboxPage(p: {
  instanceName: string;
  entries: readonly OutboxEntry[];
  counts: Readonly<Record<string, number>>;
  transport: string;
}) {
  return layout({
    title: 'Outbox',
    instanceName: p.instanceName,
    body: html`<h1>Outbox</h1>
      <p>${p.transport}</p>
      <p>
        ${
          Object.entries(p.counts)
            .sort()
            .map(([state, n]) => `${state}: ${n}`)
            .join(' · ') || 'No messages yet.'
        }
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Queued</th>
            <th scope="col">Ticket</th>
            <th scope="col">To</th>
            <th scope="col">Subject</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${p.entries.map(
            (e) =>
              html`<tr>
                <td>${e.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td>
                <td>${e.ticketId ?? ''}</td>
                <td>${e.to}</td>
                <td><a href="/outbox/${e.id}">${e.subject}</a></td>
                <td>${e.state}${e.attempts > 1 ? ` (${e.attempts} attempts)` : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  });
}

/** `GET /outbox/:id`: one message as it was, or would have been, sent. */
export function outboxMessagePage(p: { instanceName: string; message: OutboxMessage }) {
  const m = p.message;
  return layout({
    title: m.subject,
    instanceName: p.instanceName,
    body: html`<p><a href="/outbox">Outbox</a></p>
      <h1>${m.subject}</h1>
      <dl>
        <dt>From</dt>
        <dd>${m.from}</dd>
        <dt>To</dt>
        <dd>${m.to}</dd>
        <dt>Message-ID</dt>
        <dd>${m.messageId}</dd>
        <dt>Ticket</dt>
        <dd>${m.ticketId ?? '-'}</dd>
        <dt>State</dt>
        <dd>${m.state}${m.lastResponse ? ` (${m.lastResponse})` : ''}</dd>
      </dl>
      <h2>Text</h2>
      <pre style="white-space: pre-wrap">${m.text}</pre>
      ${m.attachments.map(
        (a) =>
          html`<h2>Attachment ${a.filename} (${a.contentType})</h2>
            <pre style="white-space: pre-wrap">${a.content}</pre>`,
      )}`,
  });
}
