import { AppError } from '../../core/index.ts';
import {
  addAnalystMessage,
  findByTrackingId,
  forgetReporters,
  listReportMessages,
  listResearcherReports,
  researcherReportStatus,
} from '../../reporting/index.ts';
import { loadRoutingProfile } from '../../routing/index.ts';
import { limitFlag, withStore, type Command } from '../command.ts';

export const reportsListCommand: Command = {
  name: 'reports list',
  summary: "Researchers' reports from the web form, newest first",
  usage: '[--limit N] [--json]',
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const limit = limitFlag(values.limit, 50);
    return withStore(context, async (store) => {
      const reports = await listResearcherReports(store, limit);
      if (values.json === true) {
        context.io.out(JSON.stringify(reports, null, 2));
        return 0;
      }
      if (reports.length === 0) context.io.out('No researcher reports.');
      for (const r of reports) {
        context.io.out(
          `${r.trackingId}  ${r.createdAt.toISOString()}  ${r.classificationType}  ${r.targets} system(s)  ` +
            `${r.anonymous ? 'anonymous' : 'with contact'}  ${r.messages} message(s)  report ${r.reportId}`,
        );
      }
      return 0;
    });
  },
};

export const reportsShowCommand: Command = {
  name: 'reports show',
  summary: "A researcher's report: stage, systems, assessment, messages (contact details are not shown)",
  usage: 'TRACKING_ID [--json]',
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const trackingId = (positionals[0] ?? '').toUpperCase();
    return withStore(context, async (store) => {
      const report = await findByTrackingId(store, trackingId);
      if (report === undefined) throw new AppError('core.not_found', `No researcher report ${trackingId}.`);
      const status = await researcherReportStatus(store, report);
      // The reporter's identity stays out of what a command prints: it is not needed to handle the finding.
      const { reporterEmail, reporterName: _name, ...shown } = report;
      const view = {
        ...shown,
        contact: reporterEmail !== null,
        stage: status.stage,
        progress: status.progress,
      };
      if (values.json === true) {
        context.io.out(JSON.stringify({ ...view, messages: status.messages }, null, 2));
        return 0;
      }
      const io = context.io;
      io.out(
        `${report.trackingId}: ${status.stage} (report ${report.reportId}, ${report.createdAt.toISOString()})`,
      );
      io.out(
        `  ${report.classificationType}, TLP:${report.requestedTlp}, ${view.contact ? 'with contact' : 'anonymous'}`,
      );
      for (const t of report.targets) io.out(`  line ${t.line}: ${t.kind} ${t.value}`);
      const decisions = Object.entries(status.progress.decisions).map(([d, n]) => `${d} ${n}`);
      io.out(
        `  assessed ${status.progress.assessed}/${status.progress.events}: ${decisions.join(', ') || '-'}`,
      );
      io.out(`  organisations warned: ${status.progress.organisationsWarned}`);
      for (const a of report.attachments)
        io.out(`  attachment ${a.fileName} (${a.mediaType}, ${a.sizeBytes} bytes)`);
      for (const m of await listReportMessages(store, report.id)) {
        io.out(`  ${m.at.toISOString()} ${m.author}: ${m.body.replace(/\s+/g, ' ')}`);
      }
      return 0;
    });
  },
};

export const reportsMessageCommand: Command = {
  name: 'reports message',
  summary: 'Write to a researcher: shown on their status page, and mailed if they left an address',
  usage: 'TRACKING_ID --text TEXT',
  options: { text: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const text = typeof values.text === 'string' ? values.text : '';
    if (text.trim() === '')
      throw new AppError('cli.usage', '--text is required: the message to the reporter');
    const mailFrom = loadRoutingProfile(context.config().routingProfile).identity;
    return withStore(context, async (store) => {
      const { report, mailed } = await addAnalystMessage(store, positionals[0] ?? '', text, mailFrom);
      context.io.out(
        `Message added to ${report.trackingId}${mailed ? '; the reporter is told by mail (outbox)' : ''}.`,
      );
      return 0;
    });
  },
};

export const reportsForgetCommand: Command = {
  name: 'reports forget',
  summary:
    "Erase reporters' contact details once their reports are handled (the disclosure policy's promise)",
  usage: '(TRACKING_ID | --older-than DAYS) --by NAME --reason TEXT [--json]',
  description: [
    "Sets the reporter's name, e-mail address and OpenPGP key to nothing for one report, or for every report",
    'received more than DAYS days ago. The report, its systems, its assessment and its status link stay; the',
    'erasure is recorded in the audit log with who and why. Run it on a schedule (e.g. --older-than 90).',
  ].join('\n'),
  options: {
    'older-than': { type: 'string' },
    by: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 1 },
  run: async ({ values, positionals }, context) => {
    const by = typeof values.by === 'string' ? values.by : '';
    const reason = typeof values.reason === 'string' ? values.reason : '';
    if (by.trim() === '' || reason.trim() === '') {
      throw new AppError('cli.usage', '--by NAME and --reason TEXT are required: the erasure is audited');
    }
    const olderThan = values['older-than'];
    const trackingId = positionals[0];
    if ((trackingId === undefined) === (olderThan === undefined)) {
      throw new AppError('cli.usage', 'name one TRACKING_ID or give --older-than DAYS (not both)');
    }
    let which: { trackingId: string } | { before: Date };
    if (trackingId !== undefined) {
      which = { trackingId };
    } else {
      const days = Number(olderThan);
      if (!Number.isInteger(days) || days < 0) {
        throw new AppError('cli.usage', `--older-than ${String(olderThan)}: expected a whole number of days`);
      }
      which = { before: new Date(Date.now() - days * 86_400_000) };
    }
    return withStore(context, async (store) => {
      const erased = await forgetReporters(store, which, { actor: by, reason });
      if (values.json === true) {
        context.io.out(JSON.stringify({ erased }));
        return 0;
      }
      context.io.out(
        erased.length === 0
          ? 'No contact details to erase.'
          : `Contact details erased for ${erased.length} report(s): ${erased.join(', ')}.`,
      );
      return 0;
    });
  },
};
