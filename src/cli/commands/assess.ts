import {
  assess,
  assessmentHistory,
  changeSourceReliability,
  decideReview,
  listReviewQueue,
  loadFramework,
  overrideAssessment,
  proposeReliability,
  sourceTrackRecord,
  type Decision,
  type Framework,
  type Outcome,
  type StoredAssessment,
} from '../../assessment/index.ts';
import { AppError, parseTlp, type Tlp, isUuid } from '../../core/index.ts';
import { assessmentInput, loadEventContexts } from '../../pipeline/index.ts';
import type { Store } from '../../platform/db/index.ts';
import { loadOwnerDirectory, OwnerIndex } from '../../routing/index.ts';
import { limitFlag, withStore, type Command, type CommandContext } from '../command.ts';

const languages = ['en', 'nl'] as const;
type Language = (typeof languages)[number];

/** A flag's value as text: parseArgs gives strings (or booleans, or lists of them). */
function flagText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function language(value: unknown): Language {
  if (value === undefined) return 'en';
  const found = languages.find((l) => l === value);
  if (found === undefined) throw new AppError('cli.usage', `--lang ${flagText(value)}: expected en or nl`);
  return found;
}

function frameworkPath(values: Record<string, unknown>, context: CommandContext): string {
  return (values.framework as string | undefined) ?? context.config().assessmentFramework;
}

export const frameworkShowCommand: Command = {
  name: 'framework show',
  summary: 'Print the assessment framework in force: version, changelog and every rule with its explanation',
  usage: '[--lang en|nl] [--framework FILE] [--json]',
  options: { lang: { type: 'string' }, framework: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const framework = await loadFramework(frameworkPath(values, context));
    if (values.json === true) {
      context.io.out(JSON.stringify(framework, null, 2));
      return 0;
    }
    const lang = language(values.lang);
    const io = context.io;
    io.out(`${framework.title[lang]} ${framework.version}`);
    io.out('');
    for (const rule of framework.rules) {
      io.out(`${rule.id}: ${rule.title[lang]}`);
      io.out(`  ${rule.explanation[lang]}`);
    }
    io.out('');
    io.out(lang === 'nl' ? 'Wijzigingen:' : 'Changes:');
    for (const entry of framework.changelog) {
      io.out(`  ${entry.version} (${entry.date}): ${entry.changes.join('; ')}`);
    }
    return 0;
  },
};

export const assessCommand: Command = {
  name: 'assess',
  summary: 'Explain how the framework judges an event (--explain) and show its assessment history',
  usage: '--explain EVENT_ID [--lang en|nl] [--framework FILE] [--json]',
  description: [
    'Prints each rule that fired and why (the values that made it match), the scores, decision, TLP and PAP',
    'the framework in force gives the event now, and every stored assessment of the event (the framework',
    "version's and the analysts' overrides), the current one marked. Stores nothing.",
  ].join('\n'),
  options: {
    explain: { type: 'string' },
    lang: { type: 'string' },
    framework: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async ({ values }, context) => {
    const eventId = values.explain as string | undefined;
    if (eventId === undefined) throw new AppError('cli.usage', 'assess needs --explain EVENT_ID');
    const lang = language(values.lang);
    const framework = await loadFramework(frameworkPath(values, context));
    return withStore(context, async (store) => {
      const { result, history } = await explainEvent(store, context, framework, eventId);
      if (values.json === true) {
        context.io.out(JSON.stringify({ event: eventId, now: result, history }, null, 2));
        return 0;
      }
      const io = context.io;
      io.out(`Event ${eventId}, framework ${framework.version}`);
      io.out('Rules that fired:');
      for (const f of result.fired) io.out(`  ${f.ruleId}: ${f.why}`);
      io.out(
        `Result: decision ${result.decision}, reliability ${result.reliability}, credibility ` +
          `${result.credibility}, severity ${result.severity}, TLP:${result.tlp}, PAP:${result.pap}`,
      );
      io.out('Reasons:');
      for (const r of result.reasons) io.out(`  ${r.ruleId}: ${r.text[lang]}`);
      io.out(history.length === 0 ? 'No assessment stored yet.' : 'Stored assessments:');
      for (const a of history) io.out(`  ${describeStored(a)}`);
      return 0;
    });
  },
};

async function explainEvent(store: Store, context: CommandContext, framework: Framework, eventId: string) {
  const [event] = isUuid(eventId) ? await loadEventContexts(store, [eventId]) : [];
  if (event === undefined) throw new AppError('core.not_found', `No event ${eventId}.`);
  const index = new OwnerIndex(await loadOwnerDirectory(store, context.config().homeCountry));
  const { resolution } = index.resolve(event.event);
  const result = assess(framework, assessmentInput(event, resolution));
  return { result, history: await assessmentHistory(store, eventId) };
}

function describeStored(a: StoredAssessment): string {
  const who = a.assessedBy === 'framework' ? `framework ${a.frameworkVersion}` : a.assessedBy;
  return (
    `#${a.id} ${a.assessedAt.toISOString()} ${who}: ${a.decision}, TLP:${a.tlp}, PAP:${a.pap}` +
    (a.overrideReason === null ? '' : `, reason "${a.overrideReason}"`) +
    (a.outcome === null ? '' : `, outcome ${a.outcome}`) +
    (a.current ? ' (current)' : '')
  );
}

const decisions: readonly Decision[] = ['notify', 'review', 'inform', 'reject'];
const outcomes: readonly Outcome[] = ['confirmed', 'disputed', 'false-positive'];

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new AppError('cli.usage', `--${flag} ${flagText(value)}: expected one of ${allowed.join(', ')}`);
  }
  return found;
}

function tlpFlag(value: unknown): Tlp | undefined {
  if (value === undefined) return undefined;
  const tlp = parseTlp(flagText(value));
  if (tlp === undefined)
    throw new AppError('cli.usage', `--tlp ${flagText(value)}: expected a TLP 2.0 label`);
  return tlp;
}

function required(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('cli.usage', `--${flag} is required`);
  }
  return value;
}

const analystOptions = {
  by: { type: 'string' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function runOverride(
  context: CommandContext,
  eventId: string,
  values: Record<string, unknown>,
  decision: Decision,
  outcome: Outcome | undefined,
): Promise<number> {
  const by = required(values, 'by');
  const reason = required(values, 'reason');
  const tlp = tlpFlag(values.tlp);
  const pap = oneOf('pap', values.pap, ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const);
  return withStore(context, async (store) => {
    const stored = await overrideAssessment(store, {
      eventId,
      by,
      reason,
      decision,
      ...(outcome === undefined ? {} : { outcome }),
      ...(tlp === undefined ? {} : { tlp }),
      ...(pap === undefined ? {} : { pap }),
      reasonText: analystReason(by, reason),
    });
    return printStored(context, eventId, values, stored);
  });
}

function analystReason(by: string, reason: string): { nl: string; en: string } {
  return { nl: `Beoordeeld door ${by}: ${reason}`, en: `Assessed by ${by}: ${reason}` };
}

function printStored(
  context: CommandContext,
  eventId: string,
  values: Record<string, unknown>,
  stored: StoredAssessment,
): number {
  if (values.json === true) context.io.out(JSON.stringify(stored, null, 2));
  else context.io.out(`Event ${eventId}: ${describeStored(stored)}`);
  return 0;
}

async function runReview(
  context: CommandContext,
  eventId: string,
  values: Record<string, unknown>,
  action: 'approve' | 'reject',
): Promise<number> {
  const by = required(values, 'by');
  const reason = required(values, 'reason');
  const outcome = oneOf('outcome', values.outcome, ['disputed', 'false-positive'] as const);
  return withStore(context, async (store) => {
    const stored = await decideReview(store, {
      eventId,
      by,
      action,
      reason,
      ...(outcome === undefined ? {} : { outcome }),
      reasonText: analystReason(by, reason),
    });
    return printStored(context, eventId, values, stored);
  });
}

export const assessOverrideCommand: Command = {
  name: 'assess override',
  summary: "Record an analyst's assessment of an event (a new record: who, why; the history is kept)",
  usage:
    'EVENT_ID --decision notify|review|inform|reject --by NAME --reason TEXT [--outcome confirmed|disputed|false-positive] [--tlp LABEL] [--pap LABEL] [--json]',
  options: {
    ...analystOptions,
    decision: { type: 'string' },
    outcome: { type: 'string' },
    tlp: { type: 'string' },
    pap: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const decision = oneOf('decision', values.decision, decisions);
    if (decision === undefined) throw new AppError('cli.usage', '--decision is required');
    return runOverride(
      context,
      positionals[0] ?? '',
      values,
      decision,
      oneOf('outcome', values.outcome, outcomes),
    );
  },
};

export const reviewListCommand: Command = {
  name: 'review list',
  summary: 'List the events the framework sent to review (a person must look), oldest first',
  usage: '[--limit N] [--lang en|nl] [--json]',
  options: { limit: { type: 'string' }, lang: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const limit = limitFlag(values.limit, 100);
    const lang = language(values.lang);
    return withStore(context, async (store) => {
      const items = await listReviewQueue(store, limit);
      if (values.json === true) {
        context.io.out(JSON.stringify(items, null, 2));
        return 0;
      }
      for (const item of items) {
        context.io.out(
          `${item.eventId} ${item.assessedAt.toISOString()} ${item.classificationType ?? '-'} ` +
            `${item.sourceIp ?? '-'} ${item.feedName ?? '-'} severity ${item.severity}`,
        );
        for (const r of item.reasons) context.io.out(`    ${r.ruleId}: ${r.text[lang]}`);
      }
      context.io.out(`${items.length} events to review`);
      return 0;
    });
  },
};

export const reviewApproveCommand: Command = {
  name: 'review approve',
  summary: 'Approve a reviewed event for warning (decision notify, outcome confirmed)',
  usage: 'EVENT_ID --by NAME --reason TEXT [--json]',
  options: analystOptions,
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) =>
    runReview(context, positionals[0] ?? '', values, 'approve'),
};

export const reviewRejectCommand: Command = {
  name: 'review reject',
  summary: 'Reject a reviewed event (decision reject; outcome disputed or false-positive)',
  usage: 'EVENT_ID --by NAME --reason TEXT [--outcome disputed|false-positive] [--json]',
  options: { ...analystOptions, outcome: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => runReview(context, positionals[0] ?? '', values, 'reject'),
};

export const sourcesShowCommand: Command = {
  name: 'sources show',
  summary: "A source's reliability, its track record and the reliability the record proposes",
  usage: 'NAME [--json]',
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const name = positionals[0] ?? '';
    return withStore(context, async (store) => {
      const source = await store.db
        .selectFrom('sources')
        .select(['name', 'reliability', 'tlp'])
        .where('name', '=', name)
        .executeTakeFirst();
      if (source === undefined) throw new AppError('core.not_found', `No source ${name}.`);
      const track = await sourceTrackRecord(store, name);
      const proposal = proposeReliability(track);
      const out = { source: name, reliability: source.reliability, tlp: source.tlp, track, proposal };
      if (values.json === true) context.io.out(JSON.stringify(out, null, 2));
      else {
        context.io.out(`${name}: reliability ${source.reliability}, TLP:${source.tlp}`);
        context.io.out(
          `track record: ${track.confirmed} confirmed, ${track.disputed} disputed, ${track.falsePositive} false positive`,
        );
        context.io.out(`proposed reliability: ${JSON.stringify(proposal)}`);
      }
      return 0;
    });
  },
};

export const sourcesSetReliabilityCommand: Command = {
  name: 'sources set-reliability',
  summary: "Change a source's reliability (A-F) for assessments from now on; recorded and audited",
  usage: 'NAME LETTER --by NAME --reason TEXT',
  options: { by: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 2, max: 2 },
  run: async ({ values, positionals }, context) => {
    const by = required(values, 'by');
    const reason = required(values, 'reason');
    return withStore(context, async (store) => {
      const { previous, reliability } = await changeSourceReliability(store, {
        source: positionals[0] ?? '',
        reliability: positionals[1] ?? '',
        by,
        reason,
      });
      context.io.out(
        `${positionals[0]}: reliability ${previous} -> ${reliability} (past assessments keep theirs)`,
      );
      return 0;
    });
  },
};
