import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { LinkAction } from '../../notification/index.ts';
import { layout } from './layout.ts';

type Lang = 'nl' | 'en';

const words = {
  nl: {
    title: 'Reactie op melding',
    acknowledge: 'U bevestigt dat u de melding hebt ontvangen en in behandeling neemt.',
    resolved: 'U meldt dat het probleem is opgelost.',
    dispute: 'U meldt dat de melding onterecht is (false positive).',
    comment: 'Toelichting (optioneel)',
    send: 'Bevestigen',
    thanks: 'Dank u. Uw reactie is vastgelegd.',
    unchanged: 'Uw reactie is vastgelegd; de status van de melding bleef',
    state: 'Status van de melding',
    invalid: 'Deze link is niet geldig.',
    invalidHelp: 'Controleer of u de hele link uit het bericht hebt gebruikt, of antwoord op het bericht.',
    expired: 'Deze link is verlopen.',
    expiredHelp: 'Antwoord op het bericht en noem het kenmerk',
    ticket: 'Kenmerk',
  },
  en: {
    title: 'Response to a warning',
    acknowledge: 'You confirm that you received the warning and are handling it.',
    resolved: 'You report that the problem has been resolved.',
    dispute: 'You report that the warning is mistaken (a false positive).',
    comment: 'Comment (optional)',
    send: 'Confirm',
    thanks: 'Thank you. Your response has been recorded.',
    unchanged: 'Your response has been recorded; the state of the warning stayed',
    state: 'State of the warning',
    invalid: 'This link is not valid.',
    invalidHelp: 'Check that you used the whole link from the message, or reply to the message.',
    expired: 'This link has expired.',
    expiredHelp: 'Reply to the message and quote reference',
    ticket: 'Reference',
  },
} as const;

interface PageBase {
  instanceName: string;
  lang: Lang;
}

/** The frame of these pages: the title, then the ticket number and what follows. */
function ticketPage(p: PageBase & { ticket: string }, rest: HtmlEscapedString | Promise<HtmlEscapedString>) {
  const w = words[p.lang];
  return layout({
    title: w.title,
    instanceName: p.instanceName,
    lang: p.lang,
    body: html`<h1>${w.title}</h1>
      <p>${w.ticket}: <strong>${p.ticket}</strong></p>
      ${rest}`,
  });
}

export function ticketConfirmPage(p: PageBase & { ticket: string; action: LinkAction; token: string }) {
  const w = words[p.lang];
  return ticketPage(
    p,
    html`<p>${w[p.action]}</p>
      <form method="post" action="/t/${p.token}">
        <p>
          <label for="comment">${w.comment}</label><br />
          <textarea id="comment" name="comment" rows="4" cols="60" maxlength="2000"></textarea>
        </p>
        <p><button type="submit">${w.send}</button></p>
      </form>`,
  );
}

export function ticketDonePage(p: PageBase & { ticket: string; moved: boolean; state: string }) {
  const w = words[p.lang];
  return ticketPage(
    p,
    html`<p>${p.moved ? w.thanks : `${w.unchanged} ${p.state}.`}</p>
      <p>${w.state}: <strong>${p.state}</strong></p>`,
  );
}

export function ticketLinkRefusedPage(p: {
  instanceName: string;
  lang: Lang;
  reason: 'invalid' | 'expired';
  ticket?: string | undefined;
}) {
  const w = words[p.lang];
  return layout({
    title: w.title,
    instanceName: p.instanceName,
    lang: p.lang,
    body:
      p.reason === 'expired'
        ? html`<h1>${w.expired}</h1>
            <p>${w.expiredHelp} <strong>${p.ticket ?? ''}</strong>.</p>`
        : html`<h1>${w.invalid}</h1>
            <p>${w.invalidHelp}</p>`,
  });
}
