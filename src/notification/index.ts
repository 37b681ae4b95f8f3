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
export {
  classifyDeliveryError,
  retryDelayMs,
  SmtpTransport,
  type DeliveryOutcome,
  type OutgoingMessage,
  type SmtpTransportOptions,
} from './smtp-transport.ts';
export {
  listOutbox,
  queueMessage,
  sendDueMessages,
  type OutboxEntry,
  type QueuedMessage,
  type SendOptions,
  type SendResult,
} from './outbox.ts';
