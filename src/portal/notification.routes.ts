import { Hono, type Context } from 'hono';
import {
  findOutboxMessage,
  findTicket,
  listOutbox,
  outboxCounts,
  recordTicketResponse,
  verifyLink,
  type LinkCheck,
} from '../notification/index.ts';
import type { Store } from '../platform/db/index.ts';
import { requireAdmin, type ApiKeyVariables } from './api-auth.ts';
import { outboxMessagePage, outboxPage } from './pages/outbox.ts';
import { ticketConfirmPage, ticketDonePage, ticketLinkRefusedPage } from './pages/ticket-response.ts';

export interface NotificationRoutesDeps {
  store: Store;
  instanceName: string;
  /** Verifies the links in warnings. */
  secret: string;
  /** How messages leave: shown at the top of /outbox. */
  transport: string;
}

/**
 * The signed links in a warning (`/t/<token>`): GET shows what the click means and asks to confirm (mail
 * scanners follow links, so a GET changes nothing); POST records the response, who (the mailbox the link
 * was sent to, the address and browser) and when. And the outbox for administrators.
 */
export function notificationRoutes({ store, instanceName, secret, transport }: NotificationRoutesDeps) {
  const routes = new Hono<{ Variables: ApiKeyVariables }>();

  async function check(token: string) {
    const result = verifyLink(secret, token);
    if (!result.ok) return { refused: result };
    const ticket = await findTicket(store, result.claims.ticket);
    if (ticket === undefined) return { refused: { ok: false as const, reason: 'malformed' as const } };
    return { claims: result.claims, lang: ticket.language === 'nl' ? ('nl' as const) : ('en' as const) };
  }

  /** 410 with the ticket number to quote for an expired link, 400 for anything else. */
  const refusedPage = (c: Context, refused: Exclude<LinkCheck, { ok: true }>) => {
    const expired = refused.reason === 'expired';
    return c.html(
      ticketLinkRefusedPage({
        instanceName,
        lang: 'en',
        reason: expired ? 'expired' : 'invalid',
        ticket: refused.claims?.ticket,
      }),
      expired ? 410 : 400,
    );
  };

  routes.get('/t/:token', async (c) => {
    const token = c.req.param('token');
    const checked = await check(token);
    if (checked.refused !== undefined) return refusedPage(c, checked.refused);
    return c.html(
      ticketConfirmPage({
        instanceName,
        lang: checked.lang,
        ticket: checked.claims.ticket,
        action: checked.claims.action,
        token,
      }),
    );
  });

  routes.post('/t/:token', async (c) => {
    const token = c.req.param('token');
    const checked = await check(token);
    if (checked.refused !== undefined) return refusedPage(c, checked.refused);
    const form = await c.req.parseBody().catch((): Record<string, unknown> => ({}));
    const comment = typeof form.comment === 'string' ? form.comment : undefined;
    const { moved, state } = await recordTicketResponse(store, {
      ticket: checked.claims.ticket,
      action: checked.claims.action,
      contact: checked.claims.contact,
      comment,
      // The peer's address; a forwarded-for header is the client's word only, kept beside it.
      remoteAddress: [remoteAddress(c.env) ?? 'unknown', forwardedFor(c.req.header('x-forwarded-for'))].join(
        '',
      ),
      userAgent: c.req.header('user-agent'),
    });
    return c.html(
      ticketDonePage({ instanceName, lang: checked.lang, ticket: checked.claims.ticket, moved, state }),
    );
  });

  routes.get('/outbox', requireAdmin(store), async (c) => {
    const state = c.req.query('state');
    const [entries, counts] = await Promise.all([listOutbox(store, 200, state), outboxCounts(store)]);
    return c.html(outboxPage({ instanceName, entries, counts, transport }));
  });

  routes.get('/outbox/:id', requireAdmin(store), async (c) => {
    const message = await findOutboxMessage(store, c.req.param('id'));
    if (message === undefined) return c.notFound();
    return c.html(outboxMessagePage({ instanceName, message }));
  });

  return routes;
}

/** The peer address from @hono/node-server's bindings, when served by it. */
function remoteAddress(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}

function forwardedFor(header: string | undefined): string {
  return header === undefined ? '' : ` (forwarded for ${header.slice(0, 60)})`;
}
