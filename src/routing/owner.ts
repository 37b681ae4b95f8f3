import type { Event } from '../core/index.ts';
import { parseIPv4, parseIPv6 } from '../core/net/ip-address.ts';
import type { OrganisationFacts, Resolution } from './route.ts';

/**
 * Owner resolution: who must act for an event, most specific first (DOMAIN §8: own directory, then the
 * network holder's abuse contact, then the national CERT by country).
 *
 * 1. End user: an approved, manually registered netobject of a registered organisation — the longest CIDR
 *    holding `source.ip`, else the domain of `source.fqdn` (or of `source.url`) or its nearest parent, else
 *    the AS number (`source.asn`).
 * 2. Network owner: the registered organisation holding the AS, else the registry import's abuse contact for
 *    the address (longest imported CIDR, then the imported AS).
 * 3. An address abroad (`source.geolocation.cc` not the home country) with neither: that country's CERT.
 * 4. Otherwise unresolved, with the reason.
 * Claimed (not yet approved) netobjects are never used. Every layer tried is recorded for `route --explain`.
 */

export interface NetobjectRecord {
  organisationId: string | null;
  kind: 'asn' | 'cidr' | 'domain';
  /** Canonical: `AS64496`, `192.0.2.0/24`, `2001:db8::/32`, `example.nl`. */
  value: string;
  status: 'claimed' | 'approved';
  /** `manual` or `import:<name>`. */
  source: string;
  /** The abuse mailbox a registry gives for it (imports). */
  abuseEmail?: string | null | undefined;
}

export interface OwnerDirectory {
  organisations: readonly OrganisationFacts[];
  netobjects: readonly NetobjectRecord[];
  /** National CERTs by ISO country code (upper case). */
  nationalCerts: ReadonlyMap<string, { id: string; name: string }>;
  /** The country whose constituency this instance serves: addresses there are never sent abroad. */
  homeCountry: string;
}

export interface LayerTrace {
  layer: string;
  outcome: 'found' | 'nothing';
  detail: string;
}

export interface OwnerResult {
  resolution: Resolution;
  trace: LayerTrace[];
}

interface Entry {
  organisation: OrganisationFacts;
  value: string;
}

/** Maps from network to entries per prefix length, with the lengths present, longest first. */
interface PrefixTable<K> {
  byLength: Map<number, Map<K, Entry>>;
  lengths: number[];
}

const lanes = new Uint32Array(4);

/** An index of the directory for resolving many events: built once, then each lookup is a few map probes. */
export class OwnerIndex {
  readonly #homeCountry: string;
  readonly #nationalCerts: ReadonlyMap<string, { id: string; name: string }>;
  readonly #v4 = newPrefixTable<number>();
  readonly #v6 = newPrefixTable<bigint>();
  readonly #domains = new Map<string, Entry>();
  readonly #asns = new Map<number, Entry>();
  readonly #importedV4 = newPrefixTable<number>();
  readonly #importedV6 = newPrefixTable<bigint>();
  readonly #importedAsns = new Map<number, Entry>();

  constructor(directory: OwnerDirectory) {
    this.#homeCountry = directory.homeCountry.toUpperCase();
    this.#nationalCerts = directory.nationalCerts;
    const organisations = new Map(directory.organisations.map((o) => [o.id, o]));
    // Manual entries first, so that they win over an import of the same value.
    const ordered = [...directory.netobjects].sort(
      (a, b) => Number(b.source === 'manual') - Number(a.source === 'manual'),
    );
    for (const record of ordered) {
      if (record.status !== 'approved') continue;
      const manual = record.source === 'manual';
      const registered =
        record.organisationId === null ? undefined : organisations.get(record.organisationId);
      const organisation =
        manual && registered?.constituency !== undefined
          ? registered
          : manual
            ? undefined
            : importedHolder(record, registered);
      if (organisation === undefined) continue;
      const entry = { organisation, value: record.value };
      if (record.kind === 'domain') {
        if (manual) setOnce(this.#domains, record.value, entry);
      } else if (record.kind === 'asn') {
        const asn = Number(record.value.slice(2));
        setOnce(manual ? this.#asns : this.#importedAsns, asn, entry);
      } else {
        const slash = record.value.indexOf('/');
        const address = record.value.slice(0, slash);
        const length = Number(record.value.slice(slash + 1));
        if (address.includes(':')) {
          const key = ipv6Key(address, length);
          if (key !== undefined) addPrefix(manual ? this.#v6 : this.#importedV6, length, key, entry);
        } else {
          const key = ipv4Key(address, length);
          if (key !== undefined) addPrefix(manual ? this.#v4 : this.#importedV4, length, key, entry);
        }
      }
    }
    for (const table of [this.#v4, this.#v6, this.#importedV4, this.#importedV6])
      table.lengths.sort((a, b) => b - a);
  }

  /** With `explain`, every layer tried is recorded with why (for `route --explain`); else the trace is empty. */
  resolve(event: Event, explain = false): OwnerResult {
    // Optional chaining skips building the explanation when nobody asked for one.
    const trace: LayerTrace[] | undefined = explain ? [] : undefined;
    const ip = typeof event['source.ip'] === 'string' ? event['source.ip'] : undefined;
    const fqdn = domainOf(event);
    const asn = typeof event['source.asn'] === 'number' ? event['source.asn'] : undefined;
    const cc =
      typeof event['source.geolocation.cc'] === 'string'
        ? event['source.geolocation.cc'].toUpperCase()
        : undefined;

    const networkOwner = (): Entry | undefined =>
      (asn === undefined ? undefined : this.#asns.get(asn)) ??
      (ip === undefined ? undefined : this.#longest(ip, this.#importedV4, this.#importedV6)) ??
      (asn === undefined ? undefined : this.#importedAsns.get(asn));

    const endUser = (found: Entry, how: string): OwnerResult => {
      trace?.push({
        layer: 'end user',
        outcome: 'found',
        detail: `${how} ${found.value} of ${found.organisation.name}`,
      });
      const owner = networkOwner();
      const distinct =
        owner !== undefined && owner.organisation.id !== found.organisation.id ? owner : undefined;
      return {
        resolution: {
          layer: 'end-user',
          organisation: found.organisation,
          netobject: found.value,
          networkOwner: distinct?.organisation,
        },
        trace: trace ?? [],
      };
    };

    if (ip !== undefined) {
      const found = this.#longest(ip, this.#v4, this.#v6);
      if (found !== undefined) return endUser(found, 'address in registered network');
      trace?.push({ layer: 'end user', outcome: 'nothing', detail: `no registered network holds ${ip}` });
    }
    if (fqdn !== undefined) {
      for (let domain: string | undefined = fqdn; domain !== undefined; domain = parentOf(domain)) {
        const found = this.#domains.get(domain);
        if (found !== undefined)
          return endUser(found, domain === fqdn ? 'registered domain' : `parent domain of ${fqdn}:`);
      }
      trace?.push({
        layer: 'end user',
        outcome: 'nothing',
        detail: `no registered domain for ${fqdn} or its parents`,
      });
    }
    if (asn !== undefined) {
      const found = this.#asns.get(asn);
      if (found !== undefined) return endUser(found, 'registered AS');
      trace?.push({ layer: 'end user', outcome: 'nothing', detail: `AS${asn} is not registered` });
    }
    if (ip === undefined && fqdn === undefined && asn === undefined) {
      trace?.push({
        layer: 'end user',
        outcome: 'nothing',
        detail: 'the event names no address, domain or AS',
      });
    }

    const owner = networkOwner();
    if (owner !== undefined) {
      trace?.push({
        layer: 'network owner',
        outcome: 'found',
        detail: `${owner.value} held by ${owner.organisation.name}`,
      });
      return {
        resolution: { layer: 'network-owner', organisation: owner.organisation, netobject: owner.value },
        trace: trace ?? [],
      };
    }
    trace?.push({
      layer: 'network owner',
      outcome: 'nothing',
      detail: 'no registered or imported holder of the address or its AS',
    });

    if (cc !== undefined && cc !== this.#homeCountry) {
      const cert = this.#nationalCerts.get(cc);
      if (cert !== undefined) {
        trace?.push({ layer: 'national CERT', outcome: 'found', detail: `${cert.name} for ${cc}` });
        return { resolution: { layer: 'national-cert', country: cc, cert }, trace: trace ?? [] };
      }
      trace?.push({
        layer: 'national CERT',
        outcome: 'nothing',
        detail: `no national CERT registered for ${cc}`,
      });
      return {
        resolution: { layer: 'unresolved', reason: `abroad (${cc}) and no national CERT registered for it` },
        trace: trace ?? [],
      };
    }
    trace?.push({
      layer: 'national CERT',
      outcome: 'nothing',
      detail: cc === undefined ? 'the country is unknown' : `${cc} is the home country`,
    });
    return {
      resolution: {
        layer: 'unresolved',
        reason:
          cc === undefined
            ? 'no registered owner, no network holder and no country'
            : `no registered owner and no network holder in ${cc}`,
      },
      trace: trace ?? [],
    };
  }

  #longest(ip: string, v4: PrefixTable<number>, v6: PrefixTable<bigint>): Entry | undefined {
    if (ip.includes(':')) {
      if (!parseIPv6(ip, lanes)) return undefined;
      const value = laneValue();
      for (const length of v6.lengths) {
        const found = v6.byLength.get(length)?.get(maskV6(value, length));
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const address = parseIPv4(ip);
    if (address < 0) return undefined;
    for (const length of v4.lengths) {
      const found = v4.byLength.get(length)?.get(maskV4(address, length));
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** A registry import's holder: its organisation, or the abuse mailbox standing in for one. */
function importedHolder(
  record: NetobjectRecord,
  organisation: OrganisationFacts | undefined,
): OrganisationFacts | undefined {
  if (organisation !== undefined) return organisation;
  const email = record.abuseEmail ?? undefined;
  if (email === undefined) return undefined;
  return { id: `abuse:${email}`, name: email, linkOrganisations: [] };
}

function newPrefixTable<K>(): PrefixTable<K> {
  return { byLength: new Map(), lengths: [] };
}

function addPrefix<K>(table: PrefixTable<K>, length: number, key: K, entry: Entry): void {
  let map = table.byLength.get(length);
  if (map === undefined) {
    map = new Map();
    table.byLength.set(length, map);
    table.lengths.push(length);
  }
  if (!map.has(key)) map.set(key, entry);
}

function setOnce<K>(map: Map<K, Entry>, key: K, entry: Entry): void {
  if (!map.has(key)) map.set(key, entry);
}

function maskV4(address: number, length: number): number {
  return length === 0 ? 0 : (address & (0xffffffff << (32 - length))) >>> 0;
}

function ipv4Key(address: string, length: number): number | undefined {
  const n = parseIPv4(address);
  return n < 0 || length > 32 ? undefined : maskV4(n, length);
}

function laneValue(): bigint {
  return (
    (BigInt(lanes[0] ?? 0) << 96n) |
    (BigInt(lanes[1] ?? 0) << 64n) |
    (BigInt(lanes[2] ?? 0) << 32n) |
    BigInt(lanes[3] ?? 0)
  );
}

const all128 = (1n << 128n) - 1n;

function maskV6(value: bigint, length: number): bigint {
  return length === 0 ? 0n : value & (all128 ^ ((1n << BigInt(128 - length)) - 1n));
}

function ipv6Key(address: string, length: number): bigint | undefined {
  if (length > 128 || !parseIPv6(address, lanes)) return undefined;
  return maskV6(laneValue(), length);
}

/** The domain an event is about: `source.fqdn`, else the host of `source.url`; lower case, no final dot. */
function domainOf(event: Event): string | undefined {
  const fqdn = event['source.fqdn'];
  if (typeof fqdn === 'string' && fqdn !== '') return fqdn.toLowerCase().replace(/\.$/, '');
  const url = event['source.url'];
  if (typeof url !== 'string') return undefined;
  try {
    const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
    return host === '' || host.startsWith('[') || /^[0-9.]+$/.test(host) ? undefined : host;
  } catch {
    return undefined;
  }
}

function parentOf(domain: string): string | undefined {
  const dot = domain.indexOf('.');
  return dot === -1 ? undefined : domain.slice(dot + 1);
}
