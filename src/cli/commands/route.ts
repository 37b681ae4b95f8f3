import { AppError, isUuid } from '../../core/index.ts';
import { loadFramework } from '../../assessment/index.ts';
import { readEvent } from '../../intake/index.ts';
import { processStoredEvents } from '../../pipeline/index.ts';
import {
  listDirectives,
  loadOwnerDirectory,
  loadRoutingProfile,
  OwnerIndex,
  routeEvent,
} from '../../routing/index.ts';
import { limitFlag, type Command } from '../command.ts';

export const routeCommand: Command = {
  name: 'route',
  summary:
    'Resolve the owner of every stored event, assess it, and make directives for those to notify; --explain shows why',
  usage: '[--explain EVENT_ID] [--profile FILE] [--json]',
  description: [
    'Owner resolution uses the directory (registered netobjects, then the network holder, then the national',
    'CERT); each event not yet assessed is judged by the assessment framework (TOCSIN_ASSESSMENT_FRAMEWORK);',
    'an event whose assessment in force says notify is routed: the routing profile (TOCSIN_ROUTING_PROFILE,',
    'or --profile) turns its owner into directives. Events to review, inform or reject get no directive.',
    'Routing again records the owner anew and creates no directive twice (unique per event, recipient and',
    'template). --explain EVENT_ID stores nothing: it prints each layer tried, each rule tried and why, and',
    'the directives the event gets.',
  ].join('\n'),
  options: { explain: { type: 'string' }, profile: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const config = context.config();
    const profile = loadRoutingProfile((values.profile as string | undefined) ?? config.routingProfile);
    const store = await context.openStore();
    try {
      const index = new OwnerIndex(await loadOwnerDirectory(store, config.homeCountry));
      const explain = values.explain as string | undefined;
      if (explain === undefined) {
        const framework = await loadFramework(config.assessmentFramework);
        const result = await processStoredEvents({ store, index, profile, framework });
        if (values.json === true) {
          context.io.out(
            JSON.stringify({ profile: profile.profile, framework: framework.version, ...result }),
          );
        } else {
          const list = (counts: Record<string, number>) =>
            Object.entries(counts)
              .filter(([, n]) => n > 0)
              .map(([key, n]) => `${key} ${n}`)
              .join(', ') || 'none';
          context.io.out(
            `Processed ${result.events} events: owners (${list(result.layers)}); ` +
              `${result.assessed} newly assessed with framework ${framework.version}, decisions (${list(result.decisions)}); ` +
              `routed with ${profile.profile}: ${result.directives.created} new directives, ` +
              `${result.directives.existing} already there.`,
          );
        }
        return 0;
      }
      const record = isUuid(explain) ? await readEvent(store, explain) : undefined;
      if (record === undefined) throw new AppError('core.not_found', `No event ${explain}.`);
      const event = record.data;
      const owner = index.resolve(event, true);
      const routing = routeEvent(profile, { eventId: explain, event, resolution: owner.resolution }, true);
      if (values.json === true) {
        context.io.out(
          JSON.stringify(
            {
              event: explain,
              profile: profile.profile,
              owner: owner.resolution,
              layers: owner.trace,
              ...routing,
            },
            null,
            2,
          ),
        );
        return 0;
      }
      const io = context.io;
      io.out(`Event ${explain}`);
      io.out(`Owner resolution:`);
      for (const step of owner.trace)
        io.out(`  ${step.layer}: ${step.outcome === 'found' ? 'found' : '-'} ${step.detail}`);
      io.out(`Routing (${profile.profile} v${profile.version}):`);
      for (const step of routing.trace) io.out(`  ${step.rule}: ${step.outcome}: ${step.reason}`);
      if (routing.directives.length === 0) io.out(`No directives: ${routing.unrouted ?? 'none made'}`);
      for (const d of routing.directives) {
        io.out(
          `Directive: ${d.desk} ${d.channel} to ${d.recipient} (${d.recipientRole}${d.onBehalfOf ? ` for ${d.onBehalfOf}` : ''}), ` +
            `template ${d.template}, every ${d.interval}, key ${d.aggregationKey}` +
            (d.justification ? `\n  justification: ${d.justification}` : ''),
        );
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const directivesListCommand: Command = {
  name: 'directives list',
  summary: 'List directives (warnings to make), newest first',
  usage: '[--limit N] [--json]',
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const limit = limitFlag(values.limit, 1000);
    const store = await context.openStore();
    try {
      const directives = await listDirectives(store, limit);
      if (values.json === true) context.io.out(JSON.stringify(directives, null, 2));
      else {
        for (const d of directives) {
          context.io.out(
            `${d.createdAt.toISOString()} ${d.desk} ${d.channel} ${d.recipient}${d.onBehalfOf ? ` (for ${d.onBehalfOf})` : ''} ${d.template} event ${d.eventId} rule ${d.rule}`,
          );
        }
        context.io.out(`${directives.length} directives`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
