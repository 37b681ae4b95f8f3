import { AppError } from '../../core/index.ts';
import { composeDue, createNotifier, createTransport, runNotifications } from '../../notification/index.ts';
import { withStore, type Command } from '../command.ts';

export const notifyRunCommand: Command = {
  name: 'notify run',
  summary:
    'Compose the warnings that are due and send what the outbox holds; --dry-run shows what would go to whom',
  usage: '[--dry-run] [--json] [--now ISO]',
  description: [
    'Directives whose event is to be notified are grouped by desk, recipient, template and aggregation key;',
    'a group is due once its feed has been quiet for the quiet period (TOCSIN_NOTIFICATION_CONFIG) and the same',
    'aggregate was not told within its interval, unless it relapsed or its severity rose. Each due group',
    'becomes a ticket and one message per mailbox of the recipient. With SMTP_URL set the due messages are then',
    'delivered; without it they stay in the database outbox (/outbox). --dry-run writes nothing: it prints',
    'each message that would be made (recipient, mailboxes, events, subject). --now sets the clock (tests,',
    'and to see what will be due later).',
  ].join('\n'),
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, now: { type: 'string' } },
  run: async ({ values }, context) => {
    const config = context.config();
    const nowText = values.now as string | undefined;
    const now = nowText === undefined ? new Date() : new Date(nowText);
    if (Number.isNaN(now.getTime()))
      throw new AppError('cli.usage', `--now ${nowText ?? ''}: expected an ISO 8601 time`);
    return withStore(context, async (store) => {
      const deps = createNotifier(config, store);
      const io = context.io;
      if (values['dry-run'] === true) {
        const plan = await composeDue(deps, { now, dryRun: true });
        if (values.json === true) {
          io.out(
            JSON.stringify({
              tickets: plan.tickets.map((t) => ({
                recipient: t.recipient,
                desk: t.desk,
                template: t.template,
                reason: t.reason,
                tlp: t.tlp,
                events: t.items.length,
                messages: t.messages.map((m) => ({
                  to: m.to,
                  subject: m.subject,
                  attachments: m.attachments.map((a) => a.filename),
                })),
              })),
              waiting: plan.waiting,
              unreachable: plan.unreachable,
            }),
          );
          return 0;
        }
        io.out(
          `Dry run at ${now.toISOString()}: ${plan.tickets.length} warnings would be made; nothing is written.`,
        );
        for (const t of plan.tickets) {
          io.out(
            `  ${t.recipient} (${t.desk}, ${t.template}, ${t.reason}, TLP:${t.tlp}): ${t.items.length} events`,
          );
          for (const m of t.messages) {
            const attached =
              m.attachments.length > 0 ? ` + ${m.attachments.map((a) => a.filename).join(', ')}` : '';
            io.out(`    to ${m.to}: ${m.subject}${attached}`);
          }
        }
        for (const w of plan.waiting) {
          io.out(`  waiting until ${w.until.toISOString()} (${w.why}): ${w.recipient}, ${w.events} events`);
        }
        for (const u of plan.unreachable)
          io.out(`  no mailbox for ${u.recipient}: ${u.events} events stay due`);
        return 0;
      }
      const transport = createTransport(config);
      try {
        const result = await runNotifications(
          deps,
          transport === undefined ? undefined : (m) => transport.send(m),
          { now, limit: 10_000 },
        );
        if (values.json === true) {
          io.out(JSON.stringify(result));
          return 0;
        }
        io.out(
          `${result.tickets} tickets, ${result.messages} messages queued; ${result.waiting} groups waiting; ${result.unreachable} recipients without a mailbox.`,
        );
        io.out(
          result.delivery === undefined
            ? 'No SMTP_URL: the messages stay in the database outbox (see /outbox).'
            : `Delivery: ${result.delivery.sent} sent, ${result.delivery.retrying} to retry, ${result.delivery.failed} failed, ${result.delivery.bounced} bounced.`,
        );
        return 0;
      } finally {
        transport?.close();
      }
    });
  },
};
