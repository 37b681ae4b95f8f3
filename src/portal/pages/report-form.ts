import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import {
  classificationChoices,
  damageQuestions,
  damageScale,
  likelihoodQuestions,
  likelihoodScale,
  requestableTlps,
  taxonomyLabels,
  type FieldErrors,
  type Language,
} from '../../reporting/index.ts';
import { layout } from './layout.ts';
import { formStyles, reportWords, type ReportWords } from './report-words.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface ReportFormProps {
  lang: Language;
  instanceName: string;
  csrfToken: string;
  /** What the reporter entered, shown again with the messages (never the files). */
  values?: Record<string, string>;
  errors?: FieldErrors;
}

/** The order of the fields, which is the order of the error summary. */
const fieldOrder = [
  'type',
  'targets',
  'description',
  'steps',
  'observed_at',
  'attachments',
  ...likelihoodQuestions.map((_, i) => `likelihood_${i + 1}`),
  ...damageQuestions.map((_, i) => `damage_${i + 1}`),
  'tlp',
  'name',
  'email',
  'pgp_key',
  'consent',
];

/**
 * `GET /report`: the report form, a plain multipart POST that works without JavaScript. Each message is
 * tied to its control (`aria-describedby`, `aria-invalid`) and listed in a summary at the top that links
 * to the control, which is how GOV.UK's and NL Design System's error patterns work.
 */
export function reportFormPage({ lang, instanceName, csrfToken, values = {}, errors = {} }: ReportFormProps) {
  const w = reportWords[lang];
  const other: Language = lang === 'en' ? 'nl' : 'en';
  const errorIds = fieldOrder.filter((f) => errors[f] !== undefined);
  // Field names are the constants above, so the attribute text needs no escaping.
  const aria = (field: string, hint: boolean) => {
    const ids = [hint ? `${field}-hint` : '', errors[field] ? `${field}-error` : ''].filter(Boolean);
    const describedBy = ids.length === 0 ? '' : ` aria-describedby="${ids.join(' ')}"`;
    return raw(`${describedBy}${errors[field] ? ' aria-invalid="true"' : ''}`);
  };
  const message = (field: string) => {
    const text = errors[field];
    return text === undefined
      ? ''
      : html`<p class="error" id="${field}-error">
          <span class="visually-hidden">${w.errorPrefix}</span> ${text[lang]}
        </p>`;
  };
  const value = (field: string) => values[field] ?? '';
  const hint = (field: string, text: string) => html`<p class="hint" id="${field}-hint">${text}</p>`;
  const tag = (required: boolean) => html` <small>(${required ? w.required : w.optional})</small>`;

  const body: Html = html`${formStyles}
    <p><a href="/report?lang=${other}" hreflang="${other}" lang="${other}">${w.switchTo}</a></p>
    <h1>${w.formTitle}</h1>
    ${
      errorIds.length === 0
        ? ''
        : html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
            <h2 id="error-summary-title">${w.errorSummary}</h2>
            <ul>
              ${errorIds.map((f) => html`<li><a href="#${f}">${errors[f]?.[lang]}</a></li>`)}
            </ul>
          </div>`
    }
    <p>${w.formIntro}</p>
    <p><small>${w.formNoJs}</small></p>
    <form method="post" action="/report?lang=${lang}" enctype="multipart/form-data" novalidate>
      <input type="hidden" name="csrf" value="${csrfToken}" />
      <input type="hidden" name="lang" value="${lang}" />

      <div class="field">
        <label for="type">${w.type}${tag(true)}</label>
        ${hint('type', w.typeHint)} ${message('type')}
        <select id="type" name="type" required ${aria('type', true)}>
          <option value="">${w.typeChoose}</option>
          ${classificationChoices.map(
            (group) =>
              html`<optgroup label="${taxonomyLabels[group.taxonomy]?.[lang] ?? group.taxonomy}">
                ${group.types.map(
                  (type) =>
                    html`<option value="${type}" ${value('type') === type ? 'selected' : ''}>
                      ${type}
                    </option>`,
                )}
              </optgroup>`,
          )}
        </select>
      </div>

      <div class="field">
        <label for="targets">${w.targets}${tag(true)}</label>
        ${hint('targets', w.targetsHint)} ${message('targets')}
        <textarea id="targets" name="targets" rows="4" required spellcheck="false" ${aria('targets', true)}>
${value('targets')}</textarea>
      </div>

      <div class="field">
        <label for="description">${w.description}${tag(true)}</label>
        ${hint('description', w.descriptionHint)} ${message('description')}
        <textarea id="description" name="description" rows="6" required ${aria('description', true)}>
${value('description')}</textarea>
      </div>

      <div class="field">
        <label for="steps">${w.steps}${tag(false)}</label>
        ${hint('steps', w.stepsHint)} ${message('steps')}
        <textarea id="steps" name="steps" rows="4" ${aria('steps', true)}>${value('steps')}</textarea>
      </div>

      <div class="field">
        <label for="observed_at">${w.observedAt}${tag(false)}</label>
        ${hint('observed_at', w.observedAtHint)} ${message('observed_at')}
        <input
          type="text"
          id="observed_at"
          name="observed_at"
          inputmode="numeric"
          placeholder="2026-11-30 14:05"
          value="${value('observed_at')}"
          ${aria('observed_at', true)}
        />
      </div>

      <div class="field">
        <label for="attachments">${w.attachments}${tag(false)}</label>
        ${hint('attachments', w.attachmentsHint)} ${message('attachments')}
        <input
          type="file"
          id="attachments"
          name="attachments"
          multiple
          accept=".txt,.log,.csv,.json,.png,.jpg,.jpeg,.pdf,.zip"
          ${aria('attachments', true)}
        />
      </div>

      ${estimateFieldset(w, lang, value, aria, message)}

      <div class="field">
        <label for="tlp">${w.tlp}${tag(true)}</label>
        ${hint('tlp', w.tlpHint)} ${message('tlp')}
        <select id="tlp" name="tlp" required ${aria('tlp', true)}>
          ${requestableTlps.map(
            (tlp) =>
              html`<option value="${tlp}" ${(value('tlp') || 'AMBER') === tlp ? 'selected' : ''}>
                ${w.tlpLabels[tlp]}
              </option>`,
          )}
        </select>
      </div>

      <fieldset aria-describedby="contact-hint">
        <legend>${w.contact}</legend>
        <p class="hint" id="contact-hint">${w.contactHint}</p>
        <div class="field">
          <label for="name">${w.name}${tag(false)}</label>
          ${message('name')}
          <input
            type="text"
            id="name"
            name="name"
            autocomplete="name"
            value="${value('name')}"
            ${aria('name', false)}
          />
        </div>
        <div class="field">
          <label for="email">${w.email}${tag(false)}</label>
          ${message('email')}
          <input
            type="email"
            id="email"
            name="email"
            autocomplete="email"
            value="${value('email')}"
            ${aria('email', false)}
          />
        </div>
        <div class="field">
          <label for="pgp_key">${w.pgpKey}${tag(false)}</label>
          ${hint('pgp_key', w.pgpKeyHint)} ${message('pgp_key')}
          <textarea id="pgp_key" name="pgp_key" rows="4" spellcheck="false" ${aria('pgp_key', true)}>
${value('pgp_key')}</textarea>
        </div>
      </fieldset>

      <div class="field">
        ${message('consent')}
        <input
          type="checkbox"
          id="consent"
          name="consent"
          value="yes"
          required
          ${value('consent') === 'yes' ? 'checked' : ''}
          ${aria('consent', false)}
        />
        <label for="consent" style="display:inline">${w.consent}${tag(true)}</label>
        <p><a href="/policy?lang=${lang}">${w.consentLink}</a></p>
      </div>

      <button type="submit">${w.submit}</button>
    </form>`;
  return layout({ title: w.formTitle, instanceName, lang, body });
}

function estimateFieldset(
  w: ReportWords,
  lang: Language,
  value: (field: string) => string,
  aria: (field: string, hint: boolean) => unknown,
  message: (field: string) => unknown,
) {
  return html`<fieldset aria-describedby="estimate-hint">
    <legend>${w.estimate} <small>(${w.optional})</small></legend>
    <p class="hint" id="estimate-hint">${w.estimateHint} <a href="/framework?lang=${lang}">/framework</a></p>
    <fieldset>
      <legend>${w.likelihood}</legend>
      ${likelihoodQuestions.map((question, i) => {
        const field = `likelihood_${i + 1}`;
        return html`<div class="field">
          <label for="${field}">${i + 1}. ${question[lang]}</label>
          ${message(field)}
          <select id="${field}" name="${field}" ${aria(field, false)}>
            <option value="">${w.noAnswer}</option>
            ${likelihoodScale.map(
              (label, n) =>
                html`<option value="${n + 1}" ${value(field) === String(n + 1) ? 'selected' : ''}>
                  ${label[lang]}
                </option>`,
            )}
          </select>
        </div>`;
      })}
    </fieldset>
    <fieldset>
      <legend>${w.damage}</legend>
      ${damageQuestions.map((question, i) => {
        const field = `damage_${i + 1}`;
        return html`<div class="field">
          <label for="${field}">${i + 1}. ${question[lang]}</label>
          ${message(field)}
          <select id="${field}" name="${field}" ${aria(field, false)}>
            <option value="">${w.noAnswer}</option>
            ${(['low', 'medium', 'high'] as const).map(
              (level) =>
                html`<option value="${level}" ${value(field) === level ? 'selected' : ''}>
                  ${damageScale[level][lang]}
                </option>`,
            )}
          </select>
        </div>`;
      })}
    </fieldset>
  </fieldset>`;
}
