import { join } from 'node:path';
import { sanitiseField } from '../../core/index.ts';
import { loadIpTable, type IpInfo } from '../../enrichment/index.ts';
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
  /** Who must act; filled by the directory's owner resolution (not built yet), null until then. */
  owner: null;
  error?: string;
}

export const lookupCommand: Command = {
  name: 'lookup',
  summary: 'Look up IP addresses or domains: AS number, AS holder, network and country',
  usage: 'IP|DOMAIN... [--json]',
  description: [
    'Answers from the bundled IP data (see README, Data and attributions); the table is cached in the data',
    'directory after the first run. Owner, constituency and desk come with the directory (not built yet):',
    '"owner" is null until then. A domain is validated and normalised; it is not resolved over DNS.',
    'Exit 0 when every query was an IP address or a domain name, 1 otherwise.',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  run: async ({ values, positionals }, context) => {
    const table = await loadIpTable({ cacheDir: join(context.config().dataDir, 'ip-table') });
    const answers = positionals.map((query) => answer(query, (ip) => table.lookup(ip)));
    if (values.json === true) context.io.out(JSON.stringify(answers, null, 2));
    else print(context.io, answers);
    return answers.some((a) => a.kind === 'invalid') ? 1 : 0;
  },
};

function answer(query: string, lookup: (ip: string) => IpInfo | undefined): LookupAnswer {
  const blank = { query, asn: null, as_name: null, network: null, cc: null, owner: null } as const;
  const ip = sanitiseField('source.ip', query);
  if (ip.ok && typeof ip.value === 'string') {
    const info = lookup(ip.value);
    return {
      ...blank,
      kind: 'ip',
      normalised: ip.value,
      asn: info?.asn ?? null,
      as_name: info?.asName ?? null,
      network: info?.network ?? null,
      cc: info?.cc ?? null,
    };
  }
  const fqdn = sanitiseField('source.fqdn', query);
  if (fqdn.ok && typeof fqdn.value === 'string') return { ...blank, kind: 'domain', normalised: fqdn.value };
  return { ...blank, kind: 'invalid', normalised: null, error: 'not an IP address or a domain name' };
}

function print(io: CliIo, answers: readonly LookupAnswer[]): void {
  for (const a of answers) {
    if (a.kind === 'invalid') {
      io.err(`${a.query}: ${a.error ?? 'invalid'}`);
      continue;
    }
    if (a.kind === 'domain') {
      io.out(`${a.query}: domain ${a.normalised ?? ''}; owner: unknown (no directory yet)`);
      continue;
    }
    const as = a.asn === null ? 'no AS' : `AS${a.asn}${a.as_name === null ? '' : ` ${a.as_name}`}`;
    io.out(`${a.query}: ${as}; network ${a.network ?? 'unknown'}; country ${a.cc ?? 'unknown'}`);
  }
}
