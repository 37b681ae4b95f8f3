import { html } from 'hono/html';
import type { FrameworkView } from '../../assessment/index.ts';
import { layout } from './layout.ts';

type Language = 'en' | 'nl';

const words = {
  en: {
    intro:
      'Every report this reporting point receives is judged by the published rules below, in this order. ' +
      'Each decision records the framework version and the reasons that led to it, so reporters and ' +
      'recipients can see why a report was or was not shared.',
    rules: 'Rules',
    effects: 'Effect',
    changes: 'Changes',
    json: 'The same framework as JSON',
    other: 'Nederlands',
  },
  nl: {
    intro:
      'Elke melding die dit meldpunt ontvangt, wordt beoordeeld volgens de gepubliceerde regels hieronder, ' +
      'in deze volgorde. Bij elk besluit worden de versie van het kader en de redenen vastgelegd, zodat ' +
      'melders en ontvangers kunnen zien waarom een melding wel of niet is gedeeld.',
    rules: 'Regels',
    effects: 'Gevolg',
    changes: 'Wijzigingen',
    json: 'Hetzelfde kader als JSON',
    other: 'English',
  },
} as const;

/** `GET /framework?lang=nl|en`: the assessment framework in force, every rule with its explanation. */
export function frameworkPage(view: FrameworkView, lang: Language, instanceName: string) {
  const w = words[lang];
  const other: Language = lang === 'en' ? 'nl' : 'en';
  return layout({
    title: view.title[lang],
    instanceName,
    lang,
    body: html`<p><a href="/framework?lang=${other}" hreflang="${other}" lang="${other}">${w.other}</a></p>
      <h1>${view.title[lang]} <small>${view.version}</small></h1>
      <p><strong>${view.principle[lang]}</strong></p>
      <p>${w.intro}</p>
      <h2>${w.rules}</h2>
      ${view.rules.map(
        (rule) =>
          html`<section id="${rule.id}">
            <h3><code>${rule.id}</code> ${rule.title[lang]}</h3>
            <p>${rule.explanation[lang]}</p>
            ${rule.effects.length === 0 ? '' : html`<p><em>${w.effects}:</em> ${rule.effects.join('; ')}</p>`}
          </section>`,
      )}
      <h2>${w.changes}</h2>
      <dl>
        ${view.changelog.map(
          (entry) =>
            html`<dt>${entry.version} (${entry.date})</dt>
              <dd>${entry.changes.join(' ')}</dd>`,
        )}
      </dl>
      <p><a href="/api/v1/framework">${w.json}</a></p>`,
  });
}
