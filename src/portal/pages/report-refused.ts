import { html } from 'hono/html';
import type { Language } from '../../reporting/index.ts';
import { layout } from './layout.ts';
import { reportWords } from './report-words.ts';

/** The page of a refused request (403 CSRF, 404 status link, 413, 429): what happened and the way on. */
export function reportRefusedPage(props: {
  lang: Language;
  instanceName: string;
  title: string;
  message: string;
}) {
  const w = reportWords[props.lang];
  return layout({
    title: props.title,
    instanceName: props.instanceName,
    lang: props.lang,
    body: html`<h1>${props.title}</h1>
      <p>${props.message}</p>
      <p><a href="/report?lang=${props.lang}">${w.backToForm}</a></p>`,
  });
}
