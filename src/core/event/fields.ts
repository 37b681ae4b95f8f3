import type { FieldSpec, FieldType } from './types.ts';

/*
 * The IDF event fields: every event field of IntelMQ's harmonization.conf (certtools/intelmq, develop
 * d5e3e41) with its type, length and pattern, plus the IntelMQ 3.5 additions (severity, product.*,
 * constituency). Left out on purpose:
 * - `output`: IntelMQ output bots keep a rendering of the event for export there; Tocsin renders when it
 *   exports and never stores one in the event.
 * - `extra`: the whole free-form dictionary. Tocsin keeps it flattened as `extra.<key>` fields (see
 *   types.ts), each of type JSON; `buildEvent` flattens an `extra` object given whole, as IntelMQ does.
 */

type Options = Pick<FieldSpec, 'length' | 'pattern' | 'form' | 'range'>;

// Printable ASCII, as IntelMQ requires of hashes, malware names and application protocols.
const printableAscii = /^[ -~]+$/;
const countryCode = /^[a-zA-Z0-9]{2}$/;
const noTrailingDot = /^.*[^.]$/;
const mispUuid = /^[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}$/;
// IANA protocol keywords (/etc/protocols), as IntelMQ's `iregex` for protocol.transport, case-insensitive.
const transportProtocol =
  /^(ip|icmp|igmp|ggp|ipencap|st2|tcp|cbt|egp|igp|bbn-rcc|nvp(-ii)?|pup|argus|emcon|xnet|chaos|udp|mux|dcn|hmp|prm|xns-idp|trunk-1|trunk-2|leaf-1|leaf-2|rdp|irtp|iso-tp4|netblt|mfe-nsp|merit-inp|sep|3pc|idpr|xtp|ddp|idpr-cmtp|tp\+\+|il|ipv6|sdrp|ipv6-route|ipv6-frag|idrp|rsvp|gre|mhrp|bna|esp|ah|i-nlsp|swipe|narp|mobile|tlsp|skip|ipv6-icmp|ipv6-nonxt|ipv6-opts|cftp|sat-expak|kryptolan|rvd|ippc|sat-mon|visa|ipcv|cpnx|cphb|wsn|pvp|br-sat-mon|sun-nd|wb-mon|wb-expak|iso-ip|vmtp|secure-vmtp|vines|ttp|nsfnet-igp|dgp|tcf|eigrp|ospf|sprite-rpc|larp|mtp|ax.25|ipip|micp|scc-sp|etherip|encap|gmtp|ifmp|pnni|pim|aris|scps|qnx|a\/n|ipcomp|snp|compaq-peer|ipx-in-ip|vrrp|pgm|l2tp|ddx|iatp|st|srp|uti|smp|sm|ptp|isis|fire|crtp|crdup|sscopmce|iplt|sps|pipe|sctp|fc|divert)$/i;

// Each pattern with the words a rejection reason uses for it.
const printable: Options = { pattern: printableAscii, form: 'printable ASCII characters only' };
const countryCodeForm: Options = {
  pattern: countryCode,
  form: 'two letters or digits (an ISO 3166-1 alpha-2 country code)',
};
const uuidForm: Options = { pattern: mispUuid, form: 'a UUID such as 6ba7b810-9dad-11d1-80b4-00c04fd430c8' };
const transportForm: Options = {
  pattern: transportProtocol,
  form: 'an IANA protocol keyword such as tcp, udp or icmp',
};
const fqdnForm: Options = { pattern: noTrailingDot, form: 'a domain name without the final dot' };
const portRange: Options = { range: [0, 65535] };

function spec(name: string, type: FieldType, description: string, options: Options = {}): FieldSpec {
  return Object.freeze({ name, type, description, ...options });
}

/** The fields `source.*` (the affected or reported system) and `destination.*` (its counterpart) share. */
function endpointFields(side: 'source' | 'destination', who: string): FieldSpec[] {
  const f = (key: string, type: FieldType, description: string, options?: Options): FieldSpec =>
    spec(`${side}.${key}`, type, description, options);
  return [
    f('abuse_contact', 'LowercaseString', `Abuse contact address(es) for ${who}, comma-separated.`),
    f('account', 'String', `Account name or e-mail address connected with ${who}.`),
    f('allocated', 'DateTime', `When the BGP prefix of ${who} was allocated.`),
    f('as_name', 'String', `Name of the autonomous system of ${who}.`),
    f('asn', 'ASN', `Autonomous system number of ${who}.`),
    f('domain_suffix', 'FQDN', `Public-suffix-list suffix of the domain of ${who}.`),
    f('fqdn', 'FQDN', `DNS name of ${who}, lower-case, without the final dot.`, { ...fqdnForm }),
    f('geolocation.cc', 'UppercaseString', `ISO 3166-1 alpha-2 country code of ${who}.`, {
      length: 2,
      ...countryCodeForm,
    }),
    f('geolocation.city', 'String', `City of ${who}, from a geolocation service.`),
    f('geolocation.country', 'String', `Country name of ${who}, derived from the country code.`),
    f('geolocation.latitude', 'Float', `Latitude of ${who}, from a geolocation service.`),
    f('geolocation.longitude', 'Float', `Longitude of ${who}, from a geolocation service.`),
    f('geolocation.region', 'String', `Region of ${who}, from a geolocation service.`),
    f('geolocation.state', 'String', `State of ${who}, from a geolocation service.`),
    f('ip', 'IPAddress', `IP address of ${who}.`),
    f('local_hostname', 'String', `Internal host name of ${who} behind NAT, as the source reports it.`),
    f('local_ip', 'IPAddress', `Internal (NATed) IP address of ${who}; private ranges are expected here.`),
    f('network', 'IPNetwork', `BGP prefix (CIDR) containing ${who}, the most specific one known.`),
    f(
      'port',
      'Integer',
      `Port number of ${who}.`,
      side === 'source' ? { length: 5, ...portRange } : portRange,
    ),
    f('registry', 'Registry', `Regional Internet registry that allocated the address of ${who}.`, {
      length: 7,
    }),
    f('reverse_dns', 'FQDN', `Reverse DNS (PTR) name of the IP address of ${who}.`, {
      ...fqdnForm,
    }),
    f('tor_node', 'Boolean', `Whether the IP address of ${who} is a known Tor node.`),
    f('url', 'URL', `URL of ${who}; what it means depends on the classification (e.g. the phishing page).`),
    f('urlpath', 'String', `Path part of the HTTP (or similar) request involving ${who}.`),
  ];
}

const fields: FieldSpec[] = [
  spec(
    'classification.identifier',
    'String',
    'Lower-case name of what exactly was found: the service or software (openntp, accessible-rdp) or the malware (zeus).',
  ),
  spec('classification.taxonomy', 'ClassificationTaxonomy', 'RSIT taxonomy (incident class) of the event.', {
    length: 100,
  }),
  spec(
    'classification.type',
    'ClassificationType',
    'RSIT incident type of the event; decides how it is handled.',
  ),
  spec('comment', 'String', 'Free-text remark by an analyst.'),
  spec('constituency', 'String', 'Constituency the event belongs to, as the CERT that routes it names it.'),
  ...endpointFields('destination', 'the counterpart system'),
  spec(
    'event_description.target',
    'String',
    'Organisation that an attack targeted, where the source names it.',
  ),
  spec('event_description.text', 'String', 'Free-text description of the event.'),
  spec('event_description.url', 'URL', 'Link to a further description of the event.'),
  spec(
    'event_hash',
    'UppercaseString',
    'Hash over selected fields that identifies the event in some IntelMQ setups.',
    {
      length: 40,
      pattern: /^[A-F0-9./]+$/,
      form: 'hexadecimal digits, "." and "/"',
    },
  ),
  spec('feed.accuracy', 'Accuracy', 'How accurate the feed is, from 0 to 100.'),
  spec('feed.code', 'String', 'Short code of the feed.', { length: 100 }),
  spec('feed.documentation', 'String', 'Where the documentation of the feed is (URL or hint).'),
  spec('feed.name', 'String', 'Name of the feed.'),
  spec('feed.provider', 'String', 'Organisation that provides the feed.'),
  spec('feed.url', 'URL', 'URL the feed was fetched from.'),
  spec('malware.hash.md5', 'String', 'MD5 checksum of a file, such as a malware sample.', {
    length: 200,
    ...printable,
  }),
  spec('malware.hash.sha1', 'String', 'SHA-1 checksum of a file, such as a malware sample.', {
    length: 200,
    ...printable,
  }),
  spec('malware.hash.sha256', 'String', 'SHA-256 checksum of a file, such as a malware sample.', {
    length: 200,
    ...printable,
  }),
  spec('malware.name', 'LowercaseString', 'Name of the malware family, lower-case.', {
    ...printable,
  }),
  spec('malware.version', 'String', 'Version of the malware or crime kit.', { ...printable }),
  spec('misp.attribute_uuid', 'LowercaseString', 'UUID of the MISP attribute the event came from.', {
    length: 36,
    ...uuidForm,
  }),
  spec('misp.event_uuid', 'LowercaseString', 'UUID of the MISP event the event came from.', {
    length: 36,
    ...uuidForm,
  }),
  spec('product.full_name', 'String', 'Full name of the affected product, vendor and version included.'),
  spec('product.name', 'String', 'Name of the affected product.'),
  spec('product.vendor', 'String', 'Vendor of the affected product.'),
  spec('product.version', 'String', 'Version of the affected product.'),
  spec(
    'product.vulnerabilities',
    'String',
    'Vulnerabilities of the affected product: lower-case CVE (or other) ids separated by ";".',
  ),
  spec('protocol.application', 'LowercaseString', 'Application protocol, e.g. ssh, http, smtp.', {
    length: 100,
    ...printable,
  }),
  spec('protocol.transport', 'LowercaseString', 'Transport protocol, e.g. tcp, udp, icmp.', {
    length: 11,
    ...transportForm,
  }),
  spec('raw', 'Base64', 'The original record the event was parsed from, base64-encoded.'),
  spec('rtir_id', 'Integer', 'Ticket number in Request Tracker for Incident Response.'),
  spec('screenshot_url', 'URL', 'URL of a rendered image (screenshot) of the reported resource.'),
  spec('severity', 'Severity', "The source's judgement of urgency: critical, high, medium, low or info."),
  ...endpointFields('source', 'the affected system'),
  spec(
    'source.geolocation.cymru_cc',
    'UppercaseString',
    "Country code of the source IP per Team Cymru's IP-to-ASN service.",
    {
      length: 2,
      ...countryCodeForm,
    },
  ),
  spec('source.geolocation.geoip_cc', 'UppercaseString', 'Country code of the source IP per MaxMind GeoIP.', {
    length: 2,
    ...countryCodeForm,
  }),
  spec('status', 'String', 'State of the reported resource, e.g. online or offline.'),
  spec(
    'time.observation',
    'DateTime',
    'When Tocsin (or the partner that forwarded it) first processed the event.',
  ),
  spec('time.source', 'DateTime', 'When the event happened, according to the source.'),
  spec('tlp', 'TLP', 'Traffic Light Protocol level of the event (TLP 2.0 name).'),
];

/** Every IDF event field by name, except the free-form `extra.*` keys (see `fieldSpec`). */
export const eventFields: ReadonlyMap<string, FieldSpec> = new Map(
  fields.map((field) => [field.name, field]),
);

// IntelMQ's rule for every key, `extra.*` included (docs/dev/data-format.md, "Rules for keys").
const keyFormat = /^[a-z_][a-z_0-9]+(\.[a-z_0-9]+)*$/;
const extraDescription = 'Free-form information that no IDF field holds; any JSON value.';
const extraSpecs = new Map<string, FieldSpec>();
// Extra keys come from feed schemas (hundreds), but a hostile JSON feed could invent millions: cache a bounded few.
const maxCachedExtraSpecs = 4096;

/** Whether `name` is an `extra.<key>` field with a valid IntelMQ key. */
export function isExtraField(name: string): boolean {
  return name.startsWith('extra.') && keyFormat.test(name);
}

/**
 * The spec of an IDF field: from the registry, or type JSON for any `extra.<key>` whose name follows
 * IntelMQ's key rule (`^[a-z_][a-z_0-9]+(\.[a-z_0-9]+)*$`). `undefined` for anything else.
 */
export function fieldSpec(name: string): FieldSpec | undefined {
  const known = eventFields.get(name);
  if (known !== undefined || !isExtraField(name)) return known;
  let extra = extraSpecs.get(name);
  if (extra === undefined) {
    extra = spec(name, 'JSON', extraDescription);
    if (extraSpecs.size < maxCachedExtraSpecs) extraSpecs.set(name, extra);
  }
  return extra;
}

/** Whether `name` is an IDF event field (registered, or a well-formed `extra.<key>`). */
export function isKnownField(name: string): boolean {
  return eventFields.has(name) || isExtraField(name);
}
