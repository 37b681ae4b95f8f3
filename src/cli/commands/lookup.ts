import { join } from 'node:path';
import { sanitiseField } from '../../core/index.ts';
import type { Event } from '../../core/index.ts';
import { loadIpTable, type IpInfo } from '../../enrichment/index.ts';
import {
  loadOwnerDirectory,
  loadRoutingProfile,
  OwnerIndex,
  routeEvent,
  type Resolution,
  type RoutingProfile,
} from '../../routing/index.ts';
import type { CliIo, Command } from '../command.ts';

interface LookupAnswer {
  query: string;
  kind: 'ip' | 'domain' | 'invalid';
  /** The address or domain as Tocsin normalises it. */
  normalised: string | null;
  asn: number | null;
  as_name: string | null;
  network: string | null;
  cc: string | null;
  /** Who must act, by owner resolution against the directory; null when nobody was found. */
  owner: string | null;
  /** The layer of owner resolution that answered: end-user, network-owner, national-cert or unresolved. */
  layer: Resolution['layer'] | null;
  netobject: string | null;
  constituency: string | null;
  /** Why no owner was found. */
  reason: string | null;
  /** The desks and recipients the routing profile would warn (nothing is stored). */
  directives: {
    desk: string;
    channel: string;
    recipient: string;
    on_behalf_of: string | null;
    rule: string;
  }[];
  error?: string;
}

export const lookupCommand: Command = {
  name: 'lookup',
  summary: 'Look up IP addresses or domains: AS number, holder, network, country, owner, desk and recipients',
  usage: 'IP|DOMAIN... [--json]',
  description: [
    'AS, holder, network and country come from the bundled IP data (see README, Data and attributions),',
    'cached in the data directory after the first run; owner, layer and constituency from the directory;',
    'desk and recipients from the routing profile, as `tocsin route` would make them (nothing is stored).',
    'A domain is validated and normalised; it is not resolved over DNS.',
    'Exit 0 when every query was an IP address or a domain name, 1 otherwise.',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  run: async ({ values, positionals }, context) => {
    const config = context.config();
    const table = await loadIpTable({ cacheDir: join(config.dataDir, 'ip-table') });
    const profile = loadRoutingProfile(config.routingProfile);
    const store = await context.openStore();
    let owners: OwnerIndex;
    try {
      owners = new OwnerIndex(await loadOwnerDirectory(store, config.homeCountry));
    } finally {
      await store.close();
    }
    const answers = positionals.map((query) => answer(query, (ip) => table.lookup(ip), owners, profile));
    if (values.json === true) context.io.out(JSON.stringify(answers, null, 2));
    else print(context.io, answers);
    return answers.some((a) => a.kind === 'invalid') ? 1 : 0;
  },
};

function answer(
  query: string,
  lookup: (ip: string) => IpInfo | undefined,
  owners: OwnerIndex,
  profile: RoutingProfile,
): LookupAnswer {
  const blank = {
    query,
    asn: null,
    as_name: null,
    network: null,
    cc: null,
    owner: null,
    layer: null,
    netobject: null,
    constituency: null,
    reason: null,
  } as const;
  const ip = sanitiseField('source.ip', query);
  if (ip.ok && typeof ip.value === 'string') {
    const info = lookup(ip.value);
    const found = {
      ...blank,
      kind: 'ip' as const,
      normalised: ip.value,
      asn: info?.asn ?? null,
      as_name: info?.asName ?? null,
      network: info?.network ?? null,
      cc: info?.cc ?? null,
    };
    const event: Event = { 'source.ip': ip.value };
    if (info?.asn !== undefined) event['source.asn'] = info.asn;
    if (info?.cc !== undefined) event['source.geolocation.cc'] = info.cc;
    return { ...found, ...ownerOf(event, owners, profile) };
  }
  const fqdn = sanitiseField('source.fqdn', query);
  if (fqdn.ok && typeof fqdn.value === 'string') {
    return {
      ...blank,
      kind: 'domain',
      normalised: fqdn.value,
      ...ownerOf({ 'source.fqdn': fqdn.value }, owners, profile),
    };
  }
  return {
    ...blank,
    kind: 'invalid',
    normalised: null,
    directives: [],
    error: 'not an IP address or a domain name',
  };
}

function ownerOf(
  event: Event,
  owners: OwnerIndex,
  profile: RoutingProfile,
): Pick<LookupAnswer, 'owner' | 'layer' | 'netobject' | 'constituency' | 'reason' | 'directives'> {
  const { resolution } = owners.resolve(event);
  const routed = routeEvent(profile, { eventId: 'lookup', event, resolution });
  const directives = routed.directives.map((d) => ({
    desk: d.desk,
    channel: d.channel,
    recipient: d.recipient,
    on_behalf_of: d.onBehalfOf ?? null,
    rule: d.rule,
  }));
  switch (resolution.layer) {
    case 'end-user':
    case 'network-owner':
      return {
        owner: resolution.organisation.id,
        layer: resolution.layer,
        netobject: resolution.netobject,
        constituency: resolution.organisation.constituency ?? null,
        reason: null,
        directives,
      };
    case 'national-cert':
      return {
        owner: resolution.cert.id,
        layer: resolution.layer,
        netobject: null,
        constituency: 'foreign-cert',
        reason: null,
        directives,
      };
    case 'unresolved':
      return {
        owner: null,
        layer: 'unresolved',
        netobject: null,
        constituency: null,
        reason: resolution.reason,
        directives,
      };
  }
}

function print(io: CliIo, answers: readonly LookupAnswer[]): void {
  for (const a of answers) {
    if (a.kind === 'invalid') {
      io.err(`${a.query}: ${a.error ?? 'invalid'}`);
      continue;
    }
    const owner =
      a.owner === null
        ? `owner unknown (${a.reason ?? 'unresolved'})`
        : `owner ${a.owner} (${a.layer ?? ''}${a.netobject === null ? '' : ` by ${a.netobject}`}${a.constituency === null ? '' : `, ${a.constituency}`})`;
    const to = a.directives
      .map(
        (d) =>
          `${d.desk} ${d.channel} to ${d.recipient}${d.on_behalf_of === null ? '' : ` for ${d.on_behalf_of}`}`,
      )
      .join('; ');
    const route = to === '' ? 'no warning' : `warned: ${to}`;
    if (a.kind === 'domain') {
      io.out(`${a.query}: domain ${a.normalised ?? ''}; ${owner}; ${route}`);
      continue;
    }
    const as = a.asn === null ? 'no AS' : `AS${a.asn}${a.as_name === null ? '' : ` ${a.as_name}`}`;
    io.out(
      `${a.query}: ${as}; network ${a.network ?? 'unknown'}; country ${a.cc ?? 'unknown'}; ${owner}; ${route}`,
    );
  }
}
