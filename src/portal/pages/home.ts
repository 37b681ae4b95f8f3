import { html } from 'hono/html';
import { layout } from './layout.ts';

export interface HomeLink {
  href: string;
  label: string;
  description: string;
}

export interface HomeProps {
  instanceName: string;
  version: string;
  links: readonly HomeLink[];
}

/** `GET /`: what this instance is and what it offers, listing only what exists. */
export function homePage({ instanceName, version, links }: HomeProps) {
  return layout({
    title: 'Home',
    instanceName,
    body: html`<h1>${instanceName}</h1>
      <p>
        This is a national cyber-threat reporting and warning point. Security researchers, ethical hackers and
        partner organisations report vulnerable or compromised systems here; each report is assessed by a
        published framework and the organisations that must act are warned, by one sender.
      </p>
      <h2>What is here</h2>
      <dl>
        ${links.map(
          (link) =>
            html`<dt><a href="${link.href}">${link.label}</a></dt>
              <dd>${link.description}</dd>`,
        )}
      </dl>
      <p><small>Tocsin ${version}</small></p>`,
  });
}
