export {
  canMove,
  findTicket,
  formatTicketNumber,
  isTicketNumber,
  moveTicket,
  openTicket,
  takeTicketNumbers,
  ticketStates,
  type NewTicket,
  type Ticket,
  type TicketDetails,
  type TicketState,
} from './tickets.repo.ts';
