export {
  canMove,
  deliveryStateOf,
  findTicket,
  formatTicketNumber,
  isTicketNumber,
  listTickets,
  moveTicket,
  openTicket,
  pathBetween,
  recordTicketResponse,
  syncDeliveryStates,
  takeTicketNumbers,
  ticketStates,
  type NewTicket,
  type Ticket,
  type TicketDetails,
  type TicketResponse,
  type TicketState,
  type TicketSummary,
} from './tickets.repo.ts';
export {
  classifyDeliveryError,
  retryDelayMs,
  SmtpTransport,
  SmtpWorkerPool,
  type DeliveryOutcome,
  type OutgoingMessage,
  type SmtpTransportOptions,
} from './smtp-transport.ts';
export {
  findOutboxMessage,
  listOutbox,
  outboxCounts,
  queueMessage,
  sendDueMessages,
  type OutboxEntry,
  type OutboxMessage,
  type QueuedMessage,
  type SendOptions,
  type SendResult,
} from './outbox.ts';
export {
  loadNotificationPolicy,
  parseDurationMs,
  quietPeriodFor,
  type NotificationPolicy,
} from './policy.ts';
export {
  frameFor,
  issueFor,
  languages,
  loadTemplates,
  parseTemplate,
  type Language,
  type TemplateSet,
} from './templates.ts';
export {
  composeMessage,
  eventsCsv,
  type ComposedMessage,
  type ComposeInput,
  type NotifyReason,
} from './compose.ts';
export {
  linkActions,
  signLink,
  ticketLinks,
  verifyLink,
  type LinkAction,
  type LinkCheck,
  type LinkClaims,
} from './links.ts';
export {
  dueReason,
  planNotifications,
  type Candidate,
  type DueGroup,
  type Plan,
  type WaitingGroup,
} from './schedule.ts';
export {
  composeDue,
  runNotifications,
  type ComposeResult,
  type NotifierDeps,
  type NotifyRunResult,
} from './notifier.ts';
export { startNotifyLoop, type NotifyLoop } from './notify-loop.ts';
export { createNotifier, createTransport } from './from-config.ts';
export { checkSigningKey, protectMessage, type OpenPgpConfig } from './openpgp.ts';
