export {
  discardMail,
  judgeSender,
  processMail,
  queueReports,
  releaseMail,
  type MailIntakeDeps,
  type MailOutcome,
  type ReceivedMail,
  type ReportSink,
} from './process-mail.ts';
export { findMail, listMail, readMailRaw, type MailRecord, type MailStatus } from './mail.repo.ts';
export { defaultMailLimits, readMail, type MailLimits } from './parse-mail.ts';
export { findSender, loadSenders, parseSenders, type SenderList } from './senders.ts';
export { startMailListener, type MailListener, type MailListenerOptions } from './smtp-listener.ts';
export { startImapPoller, type ImapPoller, type ImapPollerOptions } from './imap-poller.ts';
