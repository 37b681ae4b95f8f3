/**
 * Server-side validation of the report form: every field gets its own message (in the reporter's language),
 * so the page can tie each message to its field. Shapes are checked with zod; targets line by line with the
 * IDF sanitisers, so what passes here is what the event will hold; the OpenPGP key with openpgp.readKey.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { sanitiseField, tlpLevels } from '../core/index.ts';
import { checkAttachment, neutraliseFileName } from './attachments.ts';
import {
  classificationTypes,
  damageQuestions,
  likelihoodQuestions,
  limits,
  type Attachment,
  type Language,
  type ResearcherReportInput,
  type Target,
} from './model.ts';

export type Text = { en: string; nl: string };

/** One message per field name (the form control's name and id); the first problem of a field counts. */
export type FieldErrors = Record<string, Text>;

export type FormValue = string | File;
/** The parsed multipart body: a field may repeat (attachments). */
export type FormFields = Record<string, FormValue | FormValue[]>;

export type Validation = { ok: true; value: ResearcherReportInput } | { ok: false; errors: FieldErrors };

const messages = {
  required: { en: 'This field is required.', nl: 'Dit veld is verplicht.' },
  type: { en: 'Choose the kind of problem from the list.', nl: 'Kies het soort probleem uit de lijst.' },
  description: {
    en: 'Describe what you found (at most 20,000 characters).',
    nl: 'Beschrijf wat u hebt gevonden (hoogstens 20.000 tekens).',
  },
  steps: { en: 'At most 20,000 characters.', nl: 'Hoogstens 20.000 tekens.' },
  tlp: { en: 'Choose a TLP label from the list.', nl: 'Kies een TLP-label uit de lijst.' },
  email: {
    en: 'Enter an e-mail address such as name@example.org, or leave it empty to report anonymously.',
    nl: 'Vul een e-mailadres in zoals naam@voorbeeld.nl, of laat het leeg om anoniem te melden.',
  },
  name: { en: 'At most 200 characters.', nl: 'Hoogstens 200 tekens.' },
  consent: {
    en: 'Agree to the disclosure policy to send the report.',
    nl: 'Ga akkoord met het meldbeleid om de melding te versturen.',
  },
  observedAt: {
    en: 'Enter a date and time such as 2026-11-30 14:05 (UTC), or leave it empty.',
    nl: 'Vul een datum en tijd in zoals 2026-11-30 14:05 (UTC), of laat het leeg.',
  },
  future: { en: 'This time lies in the future.', nl: 'Dit tijdstip ligt in de toekomst.' },
  likelihood: {
    en: 'Answer all ten statements, or none of them.',
    nl: 'Beantwoord alle tien stellingen, of geen enkele.',
  },
  damage: {
    en: 'Answer all five questions, or none of them.',
    nl: 'Beantwoord alle vijf vragen, of geen enkele.',
  },
  noTargets: {
    en: 'Name at least one affected system: an IP address, network, domain name or URL, one per line.',
    nl: 'Noem minstens één getroffen systeem: een IP-adres, netwerk, domeinnaam of URL, één per regel.',
  },
  tooManyTargets: {
    en: `At most ${limits.targets} systems in one report.`,
    nl: `Hoogstens ${limits.targets} systemen in één melding.`,
  },
  tooManyFiles: {
    en: `At most ${limits.attachments} attachments.`,
    nl: `Hoogstens ${limits.attachments} bijlagen.`,
  },
} satisfies Record<string, Text>;

// Optional text fields arrive as "" from an empty control: empty means absent.
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? undefined : v))
    .optional();

const formSchema = z.object({
  type: z.string().refine((v) => classificationTypes.has(v)),
  description: z.string().trim().min(1).max(limits.descriptionChars),
  steps: z.string().trim().max(limits.stepsChars).default(''),
  tlp: z.enum(tlpLevels),
  name: optionalText(200),
  email: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.email().max(254).optional())
    .optional(),
  consent: z.literal('yes'),
});

const fieldMessages: Record<string, Text> = {
  type: messages.type,
  description: messages.description,
  steps: messages.steps,
  tlp: messages.tlp,
  name: messages.name,
  email: messages.email,
  consent: messages.consent,
};

/** Addresses nobody outside the network can reach or warn about; documentation ranges stay allowed. */
const unreachable = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  unreachable.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  unreachable.addSubnet(net, prefix, 'ipv6');
}

function isUnreachable(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && unreachable.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Researchers often defang what they paste (hxxp, [.]); the form takes it back. */
function refang(text: string): string {
  return text
    .replace(/^hxxp(s?):\/\//i, 'http$1://')
    .replace(/\[\.\]|\(\.\)|\{\.\}/g, '.')
    .replace(/\[:\]/g, ':');
}

/**
 * The affected systems, one per line (blank lines skipped). A line that is none of IP address, CIDR
 * network, domain name or URL is named with its number; so is a private or otherwise unreachable address.
 */
export function parseTargets(text: string): { targets: Target[]; error?: Text } {
  const targets: Target[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const given = (lines[i] ?? '').trim();
    if (given === '') continue;
    const line = i + 1;
    const shown = JSON.stringify(given.length > 80 ? `${given.slice(0, 77)}...` : given);
    const candidate = refang(given);
    const target = classifyTarget(candidate);
    if (target === undefined) {
      return {
        targets,
        error: {
          en: `Line ${line}: ${shown} is not an IP address, network (CIDR), domain name or URL.`,
          nl: `Regel ${line}: ${shown} is geen IP-adres, netwerk (CIDR), domeinnaam of URL.`,
        },
      };
    }
    if (target.unreachable) {
      return {
        targets,
        error: {
          en: `Line ${line}: ${shown} is a private or reserved address that cannot be reached from the internet; give the public address.`,
          nl: `Regel ${line}: ${shown} is een privé- of gereserveerd adres dat vanaf internet niet bereikbaar is; geef het publieke adres.`,
        },
      };
    }
    if (seen.has(target.value)) continue;
    seen.add(target.value);
    if (targets.length === limits.targets) return { targets, error: messages.tooManyTargets };
    targets.push({ line, kind: target.kind, value: target.value });
  }
  return targets.length === 0 ? { targets, error: messages.noTargets } : { targets };
}

function classifyTarget(
  text: string,
): { kind: Target['kind']; value: string; unreachable: boolean } | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const result = sanitiseField('source.url', text);
    if (!result.ok || typeof result.value !== 'string') return undefined;
    const host = new URL(result.value).hostname.replace(/^\[|\]$/g, '');
    return { kind: 'url', value: result.value, unreachable: isUnreachable(host) };
  }
  const slash = text.indexOf('/');
  if (slash > 0 && isIP(text.slice(0, slash)) !== 0) {
    const result = sanitiseField('source.network', text);
    if (!result.ok || typeof result.value !== 'string') return undefined;
    return { kind: 'network', value: result.value, unreachable: isUnreachable(text.slice(0, slash)) };
  }
  if (isIP(text) !== 0) {
    const result = sanitiseField('source.ip', text);
    if (!result.ok || typeof result.value !== 'string') return undefined;
    return { kind: 'ip', value: result.value, unreachable: isUnreachable(result.value) };
  }
  // A bare name needs a dot: "localhost" or a typo is no domain a warning can go to.
  if (!text.includes('.')) return undefined;
  const result = sanitiseField('source.fqdn', text);
  if (!result.ok || typeof result.value !== 'string') return undefined;
  return { kind: 'fqdn', value: result.value, unreachable: false };
}

/** `YYYY-MM-DDTHH:MM` from a datetime-local control (or with a space), read as UTC; an ISO time with a zone too. */
export function parseObservedAt(text: string, now: Date): { at?: Date; error?: Text } {
  const value = text.trim();
  if (value === '') return {};
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  const at = local
    ? new Date(
        Date.UTC(
          Number(local[1]),
          Number(local[2]) - 1,
          Number(local[3]),
          Number(local[4]),
          Number(local[5]),
          Number(local[6] ?? '0'),
        ),
      )
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      ? new Date(value)
      : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) return { error: messages.observedAt };
  if (
    local &&
    at.toISOString().slice(0, 16) !== `${local[1]}-${local[2]}-${local[3]}T${local[4]}:${local[5]}`
  ) {
    return { error: messages.observedAt };
  }
  // A few minutes of clock difference between the reporter and us are no reason to refuse.
  if (at.getTime() > now.getTime() + 10 * 60 * 1000) return { error: messages.future };
  return { at };
}

/** The first string of a field (a repeated text field keeps its first value). */
export function textOf(fields: FormFields, name: string): string | undefined {
  const value = fields[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function filesOf(fields: FormFields, name: string): File[] {
  const value = fields[name];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  // A file control left empty still sends one part, with no name and no bytes.
  return all.filter((v): v is File => typeof v !== 'string' && (v.name !== '' || v.size > 0));
}

function answers<T>(
  fields: FormFields,
  prefix: string,
  count: number,
  parse: (v: string) => T | undefined,
): { values?: T[]; firstMissing?: number } {
  const values: (T | undefined)[] = [];
  for (let i = 1; i <= count; i++) {
    const text = (textOf(fields, `${prefix}_${i}`) ?? '').trim();
    values.push(text === '' ? undefined : parse(text));
  }
  const given = values.filter((v) => v !== undefined);
  if (given.length === 0) return {};
  if (given.length === count) return { values: given };
  return { firstMissing: values.findIndex((v) => v === undefined) + 1 };
}

async function checkPgpKey(armored: string): Promise<Text | undefined> {
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(armored)) {
    return {
      en: 'This is a private key. Never send your private key: paste only your public key.',
      nl: 'Dit is een privésleutel. Stuur nooit uw privésleutel: plak alleen uw publieke sleutel.',
    };
  }
  // Loaded on first use: openpgp is large, and most commands and requests never need it.
  const { readKey } = await import('openpgp');
  try {
    const key = await readKey({ armoredKey: armored });
    if (key.isPrivate()) {
      return {
        en: 'This is a private key. Never send your private key: paste only your public key.',
        nl: 'Dit is een privésleutel. Stuur nooit uw privésleutel: plak alleen uw publieke sleutel.',
      };
    }
    try {
      await key.getEncryptionKey();
    } catch {
      return {
        en: 'This key cannot encrypt (no valid encryption subkey, or it has expired or been revoked).',
        nl: 'Met deze sleutel kan niet worden versleuteld (geen geldige versleutelingssubsleutel, of verlopen of ingetrokken).',
      };
    }
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      en: `This is not a readable OpenPGP public key (armored, starting with -----BEGIN PGP PUBLIC KEY BLOCK-----): ${detail}`,
      nl: `Dit is geen leesbare publieke OpenPGP-sleutel (in ASCII-armor, beginnend met -----BEGIN PGP PUBLIC KEY BLOCK-----): ${detail}`,
    };
  }
}

/** Validates a submitted form; every field's first problem is reported, not only the first field's. */
export async function validateReportForm(
  fields: FormFields,
  language: Language,
  now: Date = new Date(),
): Promise<Validation> {
  const errors: FieldErrors = {};
  const shape = formSchema.safeParse({
    type: textOf(fields, 'type') ?? '',
    description: textOf(fields, 'description') ?? '',
    steps: textOf(fields, 'steps') ?? '',
    tlp: textOf(fields, 'tlp') ?? '',
    name: textOf(fields, 'name') ?? '',
    email: textOf(fields, 'email') ?? '',
    consent: textOf(fields, 'consent'),
  });
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      const field = String(issue.path[0] ?? '');
      if (errors[field] !== undefined) continue;
      const given = (textOf(fields, field) ?? '').trim();
      const required = ['type', 'description', 'tlp'].includes(field) && given === '';
      errors[field] = required ? messages.required : (fieldMessages[field] ?? messages.required);
    }
  }

  const parsedTargets = parseTargets(textOf(fields, 'targets') ?? '');
  if (parsedTargets.error !== undefined) errors.targets = parsedTargets.error;

  const observed = parseObservedAt(textOf(fields, 'observed_at') ?? '', now);
  if (observed.error !== undefined) errors.observed_at = observed.error;

  const likelihood = answers(fields, 'likelihood', likelihoodQuestions.length, (v) =>
    /^[1-4]$/.test(v) ? Number(v) : undefined,
  );
  if (likelihood.firstMissing !== undefined) {
    errors[`likelihood_${likelihood.firstMissing}`] = messages.likelihood;
  }
  const damage = answers(fields, 'damage', damageQuestions.length, (v) =>
    v === 'low' || v === 'medium' || v === 'high' ? v : undefined,
  );
  if (damage.firstMissing !== undefined) errors[`damage_${damage.firstMissing}`] = messages.damage;

  const armored = (textOf(fields, 'pgp_key') ?? '').trim();
  if (armored !== '') {
    const problem = await checkPgpKey(armored);
    if (problem !== undefined) errors.pgp_key = problem;
  }

  const files = filesOf(fields, 'attachments');
  const attachments: Attachment[] = [];
  if (files.length > limits.attachments) {
    errors.attachments = messages.tooManyFiles;
  } else {
    for (const file of files) {
      if (file.size > limits.attachmentBytes) {
        const name = neutraliseFileName(file.name);
        errors.attachments = {
          en: `${name}: the file is larger than 10 MB.`,
          nl: `${name}: het bestand is groter dan 10 MB.`,
        };
        break;
      }
      const checked = await checkAttachment(file.name, new Uint8Array(await file.arrayBuffer()));
      if (!checked.ok) {
        errors.attachments = checked.reason;
        break;
      }
      attachments.push(checked.attachment);
    }
  }

  if (!shape.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const data = shape.data;
  return {
    ok: true,
    value: {
      language,
      classificationType: data.type,
      targets: parsedTargets.targets,
      description: data.description,
      steps: data.steps,
      observedAt: observed.at,
      likelihood: likelihood.values,
      damage: damage.values,
      requestedTlp: data.tlp,
      reporterName: data.name,
      reporterEmail: data.email,
      reporterPgpKey: armored === '' ? undefined : armored,
      attachments,
    },
  };
}
