import { AppError } from '../../core/index.ts';
import { findTicket } from '../../notification/index.ts';
import { withStore, type Command } from '../command.ts';

export const ticketsShowCommand: Command = {
  name: 'tickets show',
  summary: 'A ticket: its recipient, desk, TLP, events and every change of state',
  usage: 'TICKET [--json]',
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const id = positionals[0] ?? '';
    return withStore(context, async (store) => {
      const ticket = await findTicket(store, id);
      if (ticket === undefined) throw new AppError('core.not_found', `No ticket ${id}.`);
      if (values.json === true) {
        context.io.out(JSON.stringify(ticket, null, 2));
        return 0;
      }
      const io = context.io;
      io.out(`Ticket ${ticket.id}: ${ticket.state}`);
      io.out(
        `  ${ticket.desk} to ${ticket.recipient}, template ${ticket.template}, TLP:${ticket.tlp}, ${ticket.language}`,
      );
      io.out(`  ${ticket.events.length} events: ${ticket.events.join(', ')}`);
      for (const t of ticket.transitions) {
        io.out(
          `  ${t.at.toISOString()} ${t.from ?? '-'} -> ${t.to} by ${t.actor}${t.detail ? `: ${t.detail}` : ''}`,
        );
      }
      return 0;
    });
  },
};
