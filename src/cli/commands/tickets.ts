import { AppError } from '../../core/index.ts';
import { findTicket, listTickets, ticketStates, type TicketState } from '../../notification/index.ts';
import { limitFlag, withStore, type Command } from '../command.ts';

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

export const ticketsListCommand: Command = {
  name: 'tickets list',
  summary:
    'Tickets, newest first: number, state, recipient, desk, TLP, events; --state and --recipient filter',
  usage: '[--state STATE] [--recipient ID] [--limit N] [--json]',
  options: {
    state: { type: 'string' },
    recipient: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async ({ values }, context) => {
    const state = values.state as string | undefined;
    if (state !== undefined && !(ticketStates as readonly string[]).includes(state)) {
      throw new AppError('cli.usage', `--state ${state}: expected one of ${ticketStates.join(', ')}`);
    }
    const limit = limitFlag(values.limit, 100);
    return withStore(context, async (store) => {
      const tickets = await listTickets(store, {
        state: state as TicketState | undefined,
        recipient: values.recipient as string | undefined,
        limit,
      });
      if (values.json === true) {
        context.io.out(JSON.stringify(tickets, null, 2));
        return 0;
      }
      if (tickets.length === 0) context.io.out('No tickets.');
      for (const t of tickets) {
        context.io.out(
          `${t.id}  ${t.state.padEnd(12)} ${t.recipient}  ${t.desk}  TLP:${t.tlp}  ${t.events} events  ` +
            `${t.severity}, ${t.reason}  ${t.createdAt.toISOString()}`,
        );
      }
      return 0;
    });
  },
};
