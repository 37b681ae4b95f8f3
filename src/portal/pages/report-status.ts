import { html, raw } from 'hono/html';
import type { Language, ReportStage, ResearcherReportStatus, Text } from '../../reporting/index.ts';
import { layout } from './layout.ts';
import { formStyles, reportWords } from './report-words.ts';

export interface ReportStatusProps {
  lang: Language;
  instanceName: string;
  status: ResearcherReportStatus;
  /** The status link's secret: the page posts back to itself. */
  token: string;
  csrfToken: string;
  /** Shown once, right after the report was sent. */
  receipt?: { statusUrl: string; mailed: boolean };
  added?: boolean;
  messageError?: Text;
  messageValue?: string;
}

const stageOrder = ['received', 'assessed', 'warned', 'resolved'] as const;

function decisionName(names: Readonly<Record<string, string>>, decision: string): string {
  return names[decision] ?? decision;
}

function stageIndex(stage: ReportStage): number {
  return stage === 'failed' ? 0 : stageOrder.indexOf(stage);
}

/** `GET /report/status/:token`: where the report stands, the public reasons, the messages, a reply form. */
export function reportStatusPage(props: ReportStatusProps) {
  const { lang, instanceName, status, token, csrfToken, receipt } = props;
  const w = reportWords[lang];
  const { report, progress, stage, messages } = status;
  const other: Language = lang === 'en' ? 'nl' : 'en';
  const current = stageIndex(stage);
  const self = `/report/status/${token}`;
  const body = html`${formStyles}
    <p><a href="${self}?lang=${other}" hreflang="${other}" lang="${other}">${w.switchTo}</a></p>
    ${
      receipt === undefined
        ? ''
        : html`<section class="receipt" aria-labelledby="receipt-title">
            <h1 id="receipt-title">${w.receiptTitle}</h1>
            <p>${w.receiptIntro}</p>
            <p class="tracking" id="tracking-id">${report.trackingId}</p>
            <p>${w.receiptLink}</p>
            <p class="secret-link"><a href="${self}" id="status-link">${receipt.statusUrl}</a></p>
            <p>${receipt.mailed ? w.receiptMail : w.receiptAnonymous}</p>
          </section>`
    }
    ${
      receipt === undefined
        ? html`<h1>${w.statusTitle} ${report.trackingId}</h1>`
        : html`<h2>${w.statusTitle} ${report.trackingId}</h2>`
    }
    ${stage === 'failed' ? html`<p class="error">${w.failed}</p>` : ''}
    <ol class="stages">
      ${stageOrder.map((s, i) => {
        const state = i < current ? w.stageDone : i === current ? w.stageCurrent : w.stagePending;
        return html`<li ${i === current ? raw('aria-current="step"') : ''} data-stage="${s}">
          ${w.stages[s]} <small>(${state})</small>
        </li>`;
      })}
    </ol>
    ${
      progress.assessed === 0
        ? ''
        : html`<h3>${w.decisions}</h3>
            <ul id="decisions">
              ${Object.entries(progress.decisions).map(
                ([decision, count]) => html`<li>${count} × ${decisionName(w.decisionNames, decision)}</li>`,
              )}
            </ul>
            <h3>${w.reasons}</h3>
            <ul id="reasons">
              ${progress.reasons.map((reason) =>
                reason.ruleId === 'analyst'
                  ? html`<li>${w.analystReason}</li>`
                  : html`<li>
                      ${reason.text[lang]}
                      <small><a href="/framework?lang=${lang}#${reason.ruleId}">${reason.ruleId}</a></small>
                    </li>`,
              )}
            </ul>`
    }
    <p id="warned">${w.warnedCount(progress.organisationsWarned)}</p>
    ${
      progress.tickets === 0
        ? ''
        : html`<p id="resolved">${w.resolvedCount(progress.ticketsResolved, progress.tickets)}</p>`
    }

    <h2>${w.yourReport}</h2>
    <dl>
      <dt>${w.type}</dt>
      <dd>${report.classificationType}</dd>
      <dt>${w.systems}</dt>
      <dd>
        <ul>
          ${report.targets.map((t) => html`<li><code>${t.value}</code></li>`)}
        </ul>
      </dd>
      <dt>${w.description}</dt>
      <dd id="report-description" style="white-space: pre-wrap">${report.description}</dd>
      ${
        report.attachments.length === 0
          ? ''
          : html`<dt>${w.attachments}</dt>
              <dd>
                <ul>
                  ${report.attachments.map(
                    (a) => html`<li>${a.fileName} <small>(${a.mediaType}, ${a.sizeBytes} bytes)</small></li>`,
                  )}
                </ul>
              </dd>`
      }
      <dt>${w.tlp}</dt>
      <dd>TLP:${report.requestedTlp}</dd>
    </dl>

    <h2>${w.messages}</h2>
    ${
      messages.length === 0
        ? html`<p>${w.noMessages}</p>`
        : html`<ol id="messages">
            ${messages.map(
              (m) =>
                html`<li>
                  <p>
                    <strong>${m.author === 'analyst' ? w.fromAnalyst : w.fromReporter}</strong>
                    <small
                      ><time datetime="${m.at.toISOString()}"
                        >${m.at.toISOString().slice(0, 16).replace('T', ' ')} UTC</time
                      ></small
                    >
                  </p>
                  <p style="white-space: pre-wrap">${m.body}</p>
                </li>`,
            )}
          </ol>`
    }
    ${props.added ? html`<p role="status">${w.added}</p>` : ''}
    <form method="post" action="${self}?lang=${lang}" enctype="multipart/form-data" novalidate>
      <input type="hidden" name="csrf" value="${csrfToken}" />
      <div class="field">
        <label for="message">${w.addInfo}</label>
        <p class="hint" id="message-hint">${w.addInfoHint}</p>
        ${
          props.messageError === undefined
            ? ''
            : html`<p class="error" id="message-error">${props.messageError[lang]}</p>`
        }
        <textarea
          id="message"
          name="message"
          rows="4"
          ${raw(
            props.messageError === undefined
              ? 'aria-describedby="message-hint"'
              : 'aria-describedby="message-hint message-error" aria-invalid="true"',
          )}
        >
${props.messageValue ?? ''}</textarea>
      </div>
      <button type="submit">${w.addInfoSubmit}</button>
    </form>`;
  return layout({ title: `${w.statusTitle} ${report.trackingId}`, instanceName, lang, body });
}
