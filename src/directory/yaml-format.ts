import { LineCounter, parseDocument, stringify, isNode } from 'yaml';
import { z } from 'zod';
import { formatCsvRow, parseCsv } from './csv.ts';
import {
  constituencies,
  contactRoles,
  emailPattern,
  netobjectStatuses,
  nis2Classes,
  nis2Sectors,
  netobjectKindOf,
  parseNetobject,
  slugPattern,
  tlpLevels,
  type ContactEntry,
  type DeskEntry,
  type Directory,
  type DirectoryProblem,
  type NationalCertEntry,
  type NetobjectEntry,
  type OrganisationEntry,
} from './model.ts';

/**
 * The directory's file formats. YAML is nested (an organisation holds its network objects, contacts and
 * what it serves); CSV is one file with a `kind` column, one row per record, so that a spreadsheet can hold
 * a whole directory. Both parse to the same `Directory` plus the location of every record, so that a
 * problem found later (a duplicate, an unknown reference) still names file, record and field.
 */

/** Where a record came from: `organisations[2] (energie) line 14` or `line 7 (netobject of energie)`. */
export interface RecordLocation {
  file: string;
  record: string;
  /** Field names inside the record, in the terms of its format (`netobjects[1].cidr`, `netobject`). */
  field: (name: string) => string;
}

/** A parsed directory with a location for each record (by object identity). */
export interface ParsedDirectory {
  directory: Directory;
  locations: WeakMap<object, RecordLocation>;
  problems: DirectoryProblem[];
}

// -------------------------------------------------------------------------------------------------------
// Schemas (YAML keys; CSV columns carry the same names, flattened)

const optionalText = z.string().trim().min(1).optional();
const country = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166 two-letter country code')
  .transform((value) => value.toUpperCase());
const language = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}$/, 'expected an ISO 639 language code (nl, en)')
  .transform((value) => value.toLowerCase());
const slug = z.string().regex(slugPattern, 'expected a lower-case id of letters, digits, ".", "_" and "-"');
const email = z.string().trim().regex(emailPattern, 'expected an e-mail address');

const netobjectSchema = z
  .strictObject({
    asn: z.union([z.number().int(), z.string()]).optional(),
    cidr: z.string().optional(),
    domain: z.string().optional(),
    status: z.enum(netobjectStatuses).default('claimed'),
    name: optionalText,
  })
  .transform((input, ctx): NetobjectEntry => {
    const given = (['asn', 'cidr', 'domain'] as const).filter((key) => input[key] !== undefined);
    const [kind] = given;
    if (kind === undefined || given.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of asn, cidr, domain', path: [] });
      return z.NEVER;
    }
    const parsed = parseNetobject(input[kind] ?? '', kind);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed, path: [kind] });
      return z.NEVER;
    }
    return { ...parsed, status: input.status, ...(input.name === undefined ? {} : { name: input.name }) };
  });

const contactSchema = z.strictObject({
  email,
  name: optionalText,
  roles: z.array(z.enum(contactRoles)).min(1, 'give at least one role'),
  language: language.optional(),
  openpgp_key: z
    .string()
    .trim()
    .regex(/^-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----$/, {
      message: 'expected an ASCII-armoured OpenPGP public key block',
    })
    .optional(),
  active: z.boolean().default(true),
});

const organisationFields = {
  id: slug,
  name: z.string().trim().min(1),
  registry_id: z.union([z.string().trim().min(1), z.number().int().transform(String)]).optional(),
  constituency: z.enum(constituencies).optional(),
  nis2_class: z.enum(nis2Classes).optional(),
  nis2_sector: z.enum(nis2Sectors).optional(),
  nis2_subsector: optionalText,
  country: country.optional(),
  languages: z.array(language).default([]),
  tlp_ceiling: z.enum(tlpLevels).optional(),
};

const servesSchema = z.strictObject({
  organisations: z.array(slug).default([]),
  sectors: z.array(z.enum(nis2Sectors)).default([]),
});

const organisationSchema = z.strictObject({
  ...organisationFields,
  netobjects: z.array(netobjectSchema).default([]),
  contacts: z.array(contactSchema).default([]),
  serves: servesSchema.optional(),
});

const nationalCertSchema = z.strictObject({ country, organisation: slug });

const deskSchema = z.strictObject({
  id: slug,
  name: z.string().trim().min(1),
  identity: z.strictObject({ name: z.string().trim().min(1), email }),
  serves: z.array(z.enum(constituencies)).default([]),
});

const directorySchema = z.strictObject({
  organisations: z.array(organisationSchema).default([]),
  national_certs: z.array(nationalCertSchema).default([]),
  desks: z.array(deskSchema).default([]),
});

type OrganisationInput = z.output<typeof organisationSchema>;
type ContactInput = z.output<typeof contactSchema>;

function toOrganisation(input: OrganisationInput): OrganisationEntry {
  return {
    id: input.id,
    name: input.name,
    ...defined({
      registryId: input.registry_id,
      constituency: input.constituency,
      nis2Class: input.nis2_class,
      nis2Sector: input.nis2_sector,
      nis2Subsector: input.nis2_subsector,
      country: input.country,
      tlpCeiling: input.tlp_ceiling,
    }),
    languages: input.languages,
    netobjects: input.netobjects,
    contacts: input.contacts.map(toContact),
    serves: {
      organisations: input.serves?.organisations ?? [],
      sectors: input.serves?.sectors ?? [],
    },
  };
}

function toContact(input: ContactInput): ContactEntry {
  return {
    email: input.email,
    ...defined({ name: input.name, language: input.language, openpgpKey: input.openpgp_key }),
    roles: [...new Set(input.roles)],
    active: input.active,
  };
}

function toDesk(input: z.output<typeof deskSchema>): DeskEntry {
  return { id: input.id, name: input.name, identity: input.identity, serves: input.serves };
}

// -------------------------------------------------------------------------------------------------------
// YAML

/** Reads a directory YAML file; every problem is listed (not only the first), each naming record and field. */
export function parseDirectoryYaml(text: string, file: string): ParsedDirectory {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locations = new WeakMap<object, RecordLocation>();
  const empty: Directory = { organisations: [], nationalCerts: [], desks: [] };
  if (document.errors.length > 0) {
    return {
      directory: empty,
      locations,
      problems: document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          file,
          ...(position === undefined ? {} : { record: `line ${position.line}` }),
          reason: `not valid YAML: ${error.message.split('\n')[0] ?? error.message}`,
        };
      }),
    };
  }
  const data: unknown = document.toJS() ?? {};
  const lineOf = (path: (string | number)[]): string => {
    const node: unknown = document.getIn(path, true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    return offset === undefined ? '' : ` line ${lineCounter.linePos(offset).line}`;
  };
  const recordLabel = (section: string, index: number, id: unknown): string =>
    `${section}[${index}]${typeof id === 'string' ? ` (${id})` : ''}${lineOf([section, index])}`;
  const idAt = (section: string, index: number): unknown => {
    const records = (data as Record<string, unknown> | null)?.[section];
    const record: unknown = Array.isArray(records) ? records[index] : undefined;
    return typeof record === 'object' && record !== null ? (record as Record<string, unknown>).id : undefined;
  };

  const parsed = directorySchema.safeParse(data);
  if (!parsed.success) {
    return {
      directory: empty,
      locations,
      problems: parsed.error.issues.map((issue) => {
        const [section, index, ...rest] = issue.path;
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        const field = formatPath([...rest.map((part) => (typeof part === 'symbol' ? '' : part))]);
        const record =
          typeof section === 'string' && typeof index === 'number'
            ? recordLabel(section, index, section === 'national_certs' ? undefined : idAt(section, index))
            : typeof section === 'string'
              ? section
              : undefined;
        return {
          file,
          ...(record === undefined ? {} : { record }),
          ...(field === '' && keys[0] === undefined
            ? {}
            : { field: [field, ...keys.filter((key) => key !== undefined)].filter(Boolean).join('.') }),
          reason:
            issue.code === 'unrecognized_keys' ? `unknown field${keys.length > 1 ? 's' : ''}` : issue.message,
        };
      }),
    };
  }

  const directory: Directory = {
    organisations: parsed.data.organisations.map(toOrganisation),
    nationalCerts: parsed.data.national_certs,
    desks: parsed.data.desks.map(toDesk),
  };
  const locate = (
    section: string,
    index: number,
    id: string | undefined,
    prefix: string,
  ): RecordLocation => ({
    file,
    record: recordLabel(section, index, id),
    field: (name) => (prefix === '' ? name : name === '' ? prefix : `${prefix}.${name}`),
  });
  directory.organisations.forEach((organisation, index) => {
    locations.set(organisation, locate('organisations', index, organisation.id, ''));
    organisation.netobjects.forEach((netobject, n) => {
      locations.set(netobject, locate('organisations', index, organisation.id, `netobjects[${n}]`));
    });
    organisation.contacts.forEach((contact, n) => {
      locations.set(contact, locate('organisations', index, organisation.id, `contacts[${n}]`));
    });
    locations.set(organisation.serves, locate('organisations', index, organisation.id, 'serves'));
  });
  directory.nationalCerts.forEach((cert, index) => {
    locations.set(cert, locate('national_certs', index, cert.country, ''));
  });
  directory.desks.forEach((desk, index) => {
    locations.set(desk, locate('desks', index, desk.id, ''));
  });
  return { directory, locations, problems: [] };
}

function formatPath(parts: (string | number)[]): string {
  return parts.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`),
    '',
  );
}

/** The directory as YAML, in the shape `parseDirectoryYaml` reads; empty optional fields are left out. */
export function formatDirectoryYaml(directory: Directory): string {
  const document = {
    organisations: directory.organisations.map((organisation) =>
      defined({
        id: organisation.id,
        name: organisation.name,
        registry_id: organisation.registryId,
        constituency: organisation.constituency,
        nis2_class: organisation.nis2Class,
        nis2_sector: organisation.nis2Sector,
        nis2_subsector: organisation.nis2Subsector,
        country: organisation.country,
        languages: organisation.languages.length > 0 ? organisation.languages : undefined,
        tlp_ceiling: organisation.tlpCeiling,
        netobjects:
          organisation.netobjects.length > 0
            ? organisation.netobjects.map((netobject) =>
                defined({
                  [netobject.kind]: netobject.value,
                  status: netobject.status,
                  name: netobject.name,
                }),
              )
            : undefined,
        contacts:
          organisation.contacts.length > 0
            ? organisation.contacts.map((contact) =>
                defined({
                  email: contact.email,
                  name: contact.name,
                  roles: contact.roles,
                  language: contact.language,
                  openpgp_key: contact.openpgpKey,
                  active: contact.active,
                }),
              )
            : undefined,
        serves:
          organisation.serves.organisations.length + organisation.serves.sectors.length > 0
            ? defined({
                organisations:
                  organisation.serves.organisations.length > 0
                    ? organisation.serves.organisations
                    : undefined,
                sectors: organisation.serves.sectors.length > 0 ? organisation.serves.sectors : undefined,
              })
            : undefined,
      }),
    ),
    national_certs: directory.nationalCerts,
    desks: directory.desks,
  };
  return `# Tocsin directory (tocsin directory export)\n${stringify(document, { lineWidth: 0 })}`;
}

// -------------------------------------------------------------------------------------------------------
// CSV

export const csvColumns = [
  'kind',
  'id',
  'organisation',
  'name',
  'registry_id',
  'constituency',
  'nis2_class',
  'nis2_sector',
  'nis2_subsector',
  'country',
  'languages',
  'tlp_ceiling',
  'netobject',
  'status',
  'email',
  'roles',
  'language',
  'openpgp_key',
  'active',
  'serves_organisation',
  'serves_sector',
  'identity_name',
  'identity_email',
  'constituencies',
] as const;
type CsvColumn = (typeof csvColumns)[number];

export const csvKinds = ['organisation', 'netobject', 'contact', 'serves', 'national-cert', 'desk'] as const;
type CsvKind = (typeof csvKinds)[number];

/** The columns each kind of row uses (besides `kind`); another non-empty cell is a problem. */
const csvKindColumns: Record<CsvKind, readonly CsvColumn[]> = {
  organisation: [
    'id',
    'name',
    'registry_id',
    'constituency',
    'nis2_class',
    'nis2_sector',
    'nis2_subsector',
    'country',
    'languages',
    'tlp_ceiling',
  ],
  netobject: ['organisation', 'netobject', 'status', 'name'],
  contact: ['organisation', 'email', 'name', 'roles', 'language', 'openpgp_key', 'active'],
  serves: ['organisation', 'serves_organisation', 'serves_sector'],
  'national-cert': ['country', 'organisation'],
  desk: ['id', 'name', 'identity_name', 'identity_email', 'constituencies'],
};

/** Lists in CSV cells are separated by spaces (`nl en`, `abuse 24x7`). */
function list(cell: string | undefined): string[] | undefined {
  const items = (cell ?? '').split(/[\s,]+/).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function cellOrUndefined(cell: string | undefined): string | undefined {
  return cell === undefined || cell.trim() === '' ? undefined : cell;
}

/** Reads a directory CSV (header row first, a `kind` column, rows in any order). */
export function parseDirectoryCsv(text: string, file: string): ParsedDirectory {
  const locations = new WeakMap<object, RecordLocation>();
  const problems: DirectoryProblem[] = [];
  const directory: Directory = { organisations: [], nationalCerts: [], desks: [] };
  const { rows, problem } = parseCsv(text);
  if (problem !== undefined) problems.push({ file, record: `line ${problem.line}`, reason: problem.reason });
  const [header, ...records] = rows;
  if (header === undefined) return { directory, locations, problems };
  const known = new Set<string>(csvColumns);
  const columnIndex = new Map<string, number>();
  header.cells.forEach((name, index) => {
    const column = name.trim();
    if (!known.has(column))
      problems.push({ file, record: 'line 1 (header)', field: column, reason: 'unknown column' });
    else columnIndex.set(column, index);
  });
  if (!columnIndex.has('kind'))
    problems.push({ file, record: 'line 1 (header)', field: 'kind', reason: 'the kind column is missing' });
  if (problems.length > 0) return { directory, locations, problems };

  const organisations = new Map<string, OrganisationEntry>();
  // Rows that belong to an organisation are attached after all rows are read, in any order.
  const pending: {
    organisation: string;
    attach: (organisation: OrganisationEntry) => void;
    at: RecordLocation;
  }[] = [];
  for (const row of records) {
    const cell = (column: CsvColumn): string | undefined => {
      const index = columnIndex.get(column);
      return index === undefined ? undefined : cellOrUndefined(row.cells[index]);
    };
    const kind = cell('kind')?.trim();
    const label = (what: string): string => `line ${row.line} (${what})`;
    if (kind === undefined || !(csvKinds as readonly string[]).includes(kind)) {
      problems.push({
        file,
        record: label(kind ?? 'no kind'),
        field: 'kind',
        reason: `expected one of ${csvKinds.join(', ')}`,
      });
      continue;
    }
    const rowKind = kind as CsvKind;
    const owner = cell('organisation');
    const id = cell('id');
    const what =
      rowKind === 'organisation' || rowKind === 'desk'
        ? `${rowKind} ${id ?? '?'}`
        : rowKind === 'national-cert'
          ? `national-cert ${cell('country') ?? '?'}`
          : `${rowKind} of ${owner ?? '?'}`;
    const at: RecordLocation = { file, record: label(what), field: (name) => name };
    for (const column of csvColumns) {
      if (column !== 'kind' && !csvKindColumns[rowKind].includes(column) && cell(column) !== undefined)
        problems.push({ file, record: at.record, field: column, reason: `not used in a ${rowKind} row` });
    }
    const fail = (issues: z.core.$ZodIssue[], columnOf: (key: string) => string): void => {
      for (const issue of issues) {
        const key = issue.path.map(String).join('.');
        problems.push({ file, record: at.record, field: columnOf(key), reason: issue.message });
      }
    };
    const needOwner = (): string | undefined => {
      if (owner === undefined)
        problems.push({ file, record: at.record, field: 'organisation', reason: 'required' });
      return owner;
    };
    switch (rowKind) {
      case 'organisation': {
        const parsed = organisationSchema.safeParse(
          defined({
            id,
            name: cell('name'),
            registry_id: cell('registry_id'),
            constituency: cell('constituency'),
            nis2_class: cell('nis2_class'),
            nis2_sector: cell('nis2_sector'),
            nis2_subsector: cell('nis2_subsector'),
            country: cell('country'),
            languages: list(cell('languages')),
            tlp_ceiling: cell('tlp_ceiling'),
          }),
        );
        if (!parsed.success) {
          fail(parsed.error.issues, (key) => key.replace(/\.\d+$/, ''));
          break;
        }
        const organisation = toOrganisation(parsed.data);
        if (organisations.has(organisation.id)) {
          problems.push({
            file,
            record: at.record,
            field: 'id',
            reason: `organisation ${organisation.id} appears more than once`,
          });
          break;
        }
        organisations.set(organisation.id, organisation);
        directory.organisations.push(organisation);
        locations.set(organisation, at);
        locations.set(organisation.serves, at);
        break;
      }
      case 'netobject': {
        const organisation = needOwner();
        const value = cell('netobject');
        const parsed = netobjectSchema.safeParse(
          defined({
            [netobjectKindOf(value ?? '')]: value,
            status: cell('status'),
            name: cell('name'),
          }),
        );
        if (!parsed.success) {
          fail(parsed.error.issues, (key) =>
            key === '' || key === 'asn' || key === 'cidr' || key === 'domain' ? 'netobject' : key,
          );
          break;
        }
        if (organisation === undefined) break;
        const netobject = parsed.data;
        locations.set(netobject, at);
        pending.push({ organisation, at, attach: (o) => o.netobjects.push(netobject) });
        break;
      }
      case 'contact': {
        const organisation = needOwner();
        const active = cell('active')?.trim().toLowerCase();
        const parsed = contactSchema.safeParse(
          defined({
            email: cell('email'),
            name: cell('name'),
            roles: list(cell('roles')) ?? [],
            language: cell('language'),
            openpgp_key: cell('openpgp_key'),
            active:
              active === undefined
                ? undefined
                : active === 'true'
                  ? true
                  : active === 'false'
                    ? false
                    : active,
          }),
        );
        if (!parsed.success) {
          fail(parsed.error.issues, (key) => key.replace(/\.\d+$/, ''));
          break;
        }
        if (organisation === undefined) break;
        const contact = toContact(parsed.data);
        locations.set(contact, at);
        pending.push({ organisation, at, attach: (o) => o.contacts.push(contact) });
        break;
      }
      case 'serves': {
        const organisation = needOwner();
        const parsed = servesSchema.safeParse({
          organisations: list(cell('serves_organisation')) ?? [],
          sectors: list(cell('serves_sector')) ?? [],
        });
        if (!parsed.success) {
          fail(parsed.error.issues, (key) =>
            key.startsWith('organisations') ? 'serves_organisation' : 'serves_sector',
          );
          break;
        }
        if (parsed.data.organisations.length + parsed.data.sectors.length === 0) {
          problems.push({
            file,
            record: at.record,
            field: 'serves_organisation',
            reason: 'give serves_organisation or serves_sector',
          });
          break;
        }
        if (organisation === undefined) break;
        pending.push({
          organisation,
          at,
          attach: (o) => {
            o.serves.organisations.push(...parsed.data.organisations);
            o.serves.sectors.push(...parsed.data.sectors);
          },
        });
        break;
      }
      case 'national-cert': {
        const parsed = nationalCertSchema.safeParse(
          defined({ country: cell('country'), organisation: cell('organisation') }),
        );
        if (!parsed.success) {
          fail(parsed.error.issues, (key) => key);
          break;
        }
        const cert: NationalCertEntry = parsed.data;
        locations.set(cert, at);
        directory.nationalCerts.push(cert);
        break;
      }
      case 'desk': {
        const parsed = deskSchema.safeParse(
          defined({
            id,
            name: cell('name'),
            identity: defined({ name: cell('identity_name'), email: cell('identity_email') }),
            serves: list(cell('constituencies')),
          }),
        );
        if (!parsed.success) {
          fail(parsed.error.issues, (key) =>
            key.startsWith('identity.')
              ? key.replace('.', '_')
              : key.startsWith('serves')
                ? 'constituencies'
                : key,
          );
          break;
        }
        const desk = toDesk(parsed.data);
        locations.set(desk, at);
        directory.desks.push(desk);
        break;
      }
    }
  }
  for (const { organisation, attach, at } of pending) {
    const target = organisations.get(organisation);
    if (target === undefined)
      problems.push({
        file,
        record: at.record,
        field: 'organisation',
        reason: `no organisation ${organisation} in this file`,
      });
    else attach(target);
  }
  return { directory, locations, problems };
}

/** The directory as one CSV: a header, then per organisation its row, network objects, contacts, links. */
export function formatDirectoryCsv(directory: Directory): string {
  const row = (kind: CsvKind, cells: Partial<Record<CsvColumn, string | undefined>>): string =>
    formatCsvRow(csvColumns.map((column) => (column === 'kind' ? kind : (cells[column] ?? ''))));
  let out = formatCsvRow(csvColumns);
  for (const organisation of directory.organisations) {
    out += row('organisation', {
      id: organisation.id,
      name: organisation.name,
      registry_id: organisation.registryId,
      constituency: organisation.constituency,
      nis2_class: organisation.nis2Class,
      nis2_sector: organisation.nis2Sector,
      nis2_subsector: organisation.nis2Subsector,
      country: organisation.country,
      languages: organisation.languages.join(' '),
      tlp_ceiling: organisation.tlpCeiling,
    });
    for (const netobject of organisation.netobjects)
      out += row('netobject', {
        organisation: organisation.id,
        netobject: netobject.value,
        status: netobject.status,
        name: netobject.name,
      });
    for (const contact of organisation.contacts)
      out += row('contact', {
        organisation: organisation.id,
        email: contact.email,
        name: contact.name,
        roles: contact.roles.join(' '),
        language: contact.language,
        openpgp_key: contact.openpgpKey,
        active: String(contact.active),
      });
    for (const served of organisation.serves.organisations)
      out += row('serves', { organisation: organisation.id, serves_organisation: served });
    for (const sector of organisation.serves.sectors)
      out += row('serves', { organisation: organisation.id, serves_sector: sector });
  }
  for (const cert of directory.nationalCerts)
    out += row('national-cert', { country: cert.country, organisation: cert.organisation });
  for (const desk of directory.desks)
    out += row('desk', {
      id: desk.id,
      name: desk.name,
      identity_name: desk.identity.name,
      identity_email: desk.identity.email,
      constituencies: desk.serves.join(' '),
    });
  return out;
}

/** Drops undefined properties, so records compare and serialise without `key: undefined`. */
function defined<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
