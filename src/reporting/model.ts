/**
 * The reporting point's web form: what a researcher's report holds (DOMAIN §7, coordinated vulnerability
 * disclosure) and the words the form, the receipt and the status page share.
 */
import { rsitTaxonomies, tlpLevels, type Tlp } from '../core/index.ts';

export type Language = 'nl' | 'en';
export const languages: readonly Language[] = ['nl', 'en'];

export type TargetKind = 'ip' | 'network' | 'fqdn' | 'url';

/** One affected system as the reporter gave it, on its line of the targets field. */
export interface Target {
  line: number;
  kind: TargetKind;
  value: string;
}

export type DamageAnswer = 'low' | 'medium' | 'high';

/** A checked evidence file: its name neutralised, its type sniffed from the bytes. */
export interface Attachment {
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  data: Uint8Array;
}

/** A validated submission of the form. */
export interface ResearcherReportInput {
  language: Language;
  classificationType: string;
  targets: Target[];
  description: string;
  steps: string;
  observedAt: Date | undefined;
  /** All 10 likelihood answers (1..4), or none. */
  likelihood: number[] | undefined;
  /** All 5 damage answers, or none. */
  damage: DamageAnswer[] | undefined;
  requestedTlp: Tlp;
  reporterName: string | undefined;
  reporterEmail: string | undefined;
  /** The reporter's OpenPGP public key, armored, as checked by openpgp.readKey. */
  reporterPgpKey: string | undefined;
  attachments: Attachment[];
}

/** Limits of the form, published on the form itself and in docs/reporting-point.md. */
export const limits = {
  attachmentBytes: 10 * 1024 * 1024,
  attachments: 5,
  targets: 100,
  descriptionChars: 20_000,
  stepsChars: 20_000,
  messageChars: 10_000,
  /** Uncompressed bytes a zip attachment may expand to, all members together. */
  zipUncompressedBytes: 100 * 1024 * 1024,
  /** Largest uncompressed/compressed ratio of a zip member (zip bombs reach thousands). */
  zipRatio: 100,
  zipEntries: 1000,
} as const;

export const requestableTlps: readonly Tlp[] = tlpLevels;

/** RSIT types a researcher may choose, grouped by taxonomy; the test taxonomy is left out. */
export const classificationChoices: readonly { taxonomy: string; types: readonly string[] }[] =
  Object.entries(rsitTaxonomies)
    .filter(([taxonomy]) => taxonomy !== 'test')
    .map(([taxonomy, types]) => ({ taxonomy, types }));

export const classificationTypes: ReadonlySet<string> = new Set(
  classificationChoices.flatMap((c) => c.types),
);

type Text = Readonly<Record<Language, string>>;

export const taxonomyLabels: Readonly<Record<string, Text>> = {
  vulnerable: { en: 'Vulnerable system', nl: 'Kwetsbaar systeem' },
  intrusions: { en: 'Intrusion (compromised)', nl: 'Inbraak (gecompromitteerd)' },
  'malicious-code': { en: 'Malicious code', nl: 'Kwaadaardige code' },
  'information-content-security': { en: 'Information security', nl: 'Informatiebeveiliging' },
  'intrusion-attempts': { en: 'Intrusion attempts', nl: 'Inbraakpogingen' },
  'information-gathering': { en: 'Information gathering', nl: 'Informatie verzamelen' },
  availability: { en: 'Availability', nl: 'Beschikbaarheid' },
  fraud: { en: 'Fraud', nl: 'Fraude' },
  'abusive-content': { en: 'Abusive content', nl: 'Schadelijke inhoud' },
  other: { en: 'Other', nl: 'Overig' },
};

/**
 * The NCSC likelihood (kans) statements: each answered 1 (no) .. 4 (yes), phrased so that "yes" makes misuse
 * more likely; the framework sums the 10 answers (< 19 low, 19..27 medium, >= 28 high; docs/assessment.md).
 */
export const likelihoodQuestions: readonly Text[] = [
  { en: 'The vulnerability is publicly known.', nl: 'De kwetsbaarheid is publiek bekend.' },
  { en: 'Code to exploit it is publicly available.', nl: 'Code om haar te misbruiken is openbaar.' },
  {
    en: 'It is being exploited, as far as you know.',
    nl: 'Ze wordt misbruikt, voor zover u weet.',
  },
  { en: 'It can be exploited remotely, over the internet.', nl: 'Misbruik kan op afstand, via internet.' },
  { en: 'It can be exploited without logging in.', nl: 'Misbruik kan zonder in te loggen.' },
  {
    en: 'It can be exploited without any action of a user.',
    nl: 'Misbruik kan zonder handeling van een gebruiker.',
  },
  { en: 'Exploiting it takes little skill or effort.', nl: 'Misbruik vraagt weinig kennis of moeite.' },
  { en: 'The default configuration is vulnerable.', nl: 'De standaardconfiguratie is kwetsbaar.' },
  {
    en: 'The affected product or configuration is widespread.',
    nl: 'Het getroffen product of de configuratie komt veel voor.',
  },
  { en: 'Technical details are public.', nl: 'Technische details zijn openbaar.' },
];

/** The index of the "being exploited" statement: answer 4 (yes) marks the event known to be exploited. */
export const exploitedQuestion = 2;

export const likelihoodScale: readonly Text[] = [
  { en: '1 – no', nl: '1 – nee' },
  { en: '2 – rather not', nl: '2 – eerder niet' },
  { en: '3 – rather yes', nl: '3 – eerder wel' },
  { en: '4 – yes', nl: '4 – ja' },
];

/** The NCSC damage (schade) questions: the framework takes the highest of the 5 answers. */
export const damageQuestions: readonly Text[] = [
  { en: 'Access to confidential data', nl: 'Toegang tot vertrouwelijke gegevens' },
  { en: 'Changing or destroying data', nl: 'Wijzigen of vernietigen van gegevens' },
  { en: 'Disrupting the service (availability)', nl: 'Verstoren van de dienst (beschikbaarheid)' },
  { en: 'Taking over the system', nl: 'Overnemen van het systeem' },
  {
    en: 'Harm beyond the system (people, other organisations, physical processes)',
    nl: 'Schade buiten het systeem (mensen, andere organisaties, fysieke processen)',
  },
];

export const damageScale: Readonly<Record<DamageAnswer, Text>> = {
  low: { en: 'low', nl: 'laag' },
  medium: { en: 'medium', nl: 'gemiddeld' },
  high: { en: 'high', nl: 'hoog' },
};

/** `R-YYYYMMDD-XXXXXX`: the day (UTC) and six characters of a 29-character alphabet without look-alikes. */
export const trackingIdPattern = /^R-[0-9]{8}-[0-9A-Z]{6}$/;
