/**
 * A researcher's report as IDF events, one per affected system, written as Tocsin JSON lines so that it
 * takes the same intake path as every feed (parse, sanitise, id, enrich, store; then owner, assessment,
 * routing). The reporter's identity is not in the events: it stays with the researcher report.
 */
import { damageLevel, likelihoodLevel, likelihoodSum } from '../assessment/index.ts';
import { exploitedQuestion, type ResearcherReportInput, type Target } from './model.ts';

export const feedName = 'Researcher report';

function targetFields(target: Target): Record<string, string> {
  switch (target.kind) {
    case 'ip':
      return { 'source.ip': target.value };
    case 'network':
      return { 'source.network': target.value };
    case 'fqdn':
      return { 'source.fqdn': target.value };
    case 'url': {
      const host = new URL(target.value).hostname.replace(/^\[|\]$/g, '');
      // The host of a URL is what owner resolution can find: an address or a domain.
      const hostField = /^[0-9.]+$/.test(host) || host.includes(':') ? 'source.ip' : 'source.fqdn';
      return { 'source.url': target.value, [hostField]: host };
    }
  }
}

/** The IDF fields of each target's event. */
export function researcherReportEvents(input: ResearcherReportInput): Record<string, unknown>[] {
  const sum = likelihoodSum(input.likelihood);
  const damage = damageLevel(input.damage);
  const exploited = input.likelihood?.[exploitedQuestion] === 4;
  return input.targets.map((target) => ({
    'feed.name': feedName,
    'feed.code': 'web-form',
    'classification.type': input.classificationType,
    ...targetFields(target),
    ...(input.observedAt === undefined
      ? {}
      : { 'time.source': input.observedAt.toISOString().replace(/\.\d{3}Z$/, '+00:00') }),
    'event_description.text': input.description,
    tlp: input.requestedTlp,
    ...(sum === undefined ? {} : { 'extra.reporter_likelihood': likelihoodLevel(sum) }),
    ...(damage === undefined ? {} : { 'extra.reporter_damage': damage }),
    ...(exploited ? { 'extra.known_exploited': true } : {}),
  }));
}

/** The JSON-lines file the intake parses (`--feed jsonl`, flat IDF objects). */
export function researcherReportJsonLines(input: ResearcherReportInput): string {
  return researcherReportEvents(input)
    .map((event) => JSON.stringify(event))
    .join('\n')
    .concat('\n');
}
