import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface LayoutProps {
  title: string;
  instanceName: string;
  lang?: 'en' | 'nl';
  body: Html;
}

/**
 * The frame of every server-rendered page. Pages use `hono/html` tagged templates (values are escaped)
 * rather than JSX, because Node runs the `.ts` sources directly and type stripping does not transform JSX.
 */
export function layout({ title, instanceName, lang = 'en', body }: LayoutProps): Html {
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${instanceName}</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            margin: 0 auto;
            max-width: 48rem;
            padding: 1rem 1.5rem;
            color: #1b1b1b;
          }
          header {
            border-bottom: 3px solid #b3261e;
            margin-bottom: 1.5rem;
          }
          header a {
            color: inherit;
            text-decoration: none;
            font-weight: 700;
            font-size: 1.25rem;
          }
          a {
            color: #0b57d0;
          }
          dt {
            font-weight: 600;
          }
          dd {
            margin: 0 0 0.75rem 0;
          }
          footer {
            margin-top: 3rem;
            font-size: 0.875rem;
            color: #555;
          }
        </style>
      </head>
      <body>
        <header>
          <p><a href="/">${instanceName}</a></p>
        </header>
        <main>${body}</main>
        <footer>Tocsin — open-source cyber-threat reporting and warning platform.</footer>
      </body>
    </html>`;
}
