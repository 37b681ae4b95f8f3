/**
 * The ENISA Reference Security Incident Taxonomy (RSIT, enisaeu/Reference-Security-Incident-Taxonomy-Task-Force;
 * machine-readable in MISP/misp-taxonomies `rsit/machinetag.json`) as IntelMQ 3 spells it: 11 taxonomies and
 * their `classification.type` values. IntelMQ adds five types under `other` (blacklist, dga-domain, malware,
 * proxy, tor) and writes `unauthorized-use-of-resources` where RSIT writes "unauthorised".
 */
export const rsitTaxonomies: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'abusive-content': ['spam', 'harmful-speech', 'violence'],
  'malicious-code': ['infected-system', 'c2-server', 'malware-distribution', 'malware-configuration'],
  'information-gathering': ['scanner', 'sniffing', 'social-engineering'],
  'intrusion-attempts': ['ids-alert', 'brute-force', 'exploit'],
  intrusions: [
    'privileged-account-compromise',
    'unprivileged-account-compromise',
    'application-compromise',
    'system-compromise',
    'burglary',
  ],
  availability: ['dos', 'ddos', 'misconfiguration', 'sabotage', 'outage'],
  'information-content-security': [
    'unauthorised-information-access',
    'unauthorised-information-modification',
    'data-loss',
    'data-leak',
  ],
  fraud: ['unauthorized-use-of-resources', 'copyright', 'masquerade', 'phishing'],
  vulnerable: [
    'weak-crypto',
    'ddos-amplifier',
    'potentially-unwanted-accessible',
    'information-disclosure',
    'vulnerable-system',
  ],
  other: ['blacklist', 'dga-domain', 'malware', 'proxy', 'tor', 'other', 'undetermined'],
  test: ['test'],
});

const taxonomyByType: ReadonlyMap<string, string> = new Map(
  Object.entries(rsitTaxonomies).flatMap(([taxonomy, types]) =>
    types.map((type) => [type, taxonomy] as const),
  ),
);

/**
 * Old `classification.type` values and their current names. The first group is what IntelMQ's
 * harmonization.py `ClassificationType.sanitize` rewrites by itself (its `Unauthorised-information-access`
 * entry is covered by case folding); the second what IntelMQ 3.0 renamed or merged (CHANGELOG 3.0.0, "Data
 * Format"), so events from partners still on IntelMQ 2 are not lost; the last is RSIT's own spelling.
 */
export const legacyClassificationTypes: Readonly<Record<string, string>> = Object.freeze({
  'botnet drone': 'infected-system',
  'infected system': 'infected-system',
  ransomware: 'infected-system',
  'ids alert': 'ids-alert',
  'c&c': 'c2-server',
  c2server: 'c2-server',
  'malware configuration': 'malware-configuration',
  leak: 'data-leak',
  'vulnerable client': 'vulnerable-system',
  'vulnerable service': 'vulnerable-system',
  unknown: 'undetermined',

  'dga domain': 'dga-domain',
  compromised: 'system-compromise',
  'unauthorized-command': 'system-compromise',
  'unauthorized-login': 'system-compromise',
  backdoor: 'system-compromise',
  defacement: 'unauthorised-information-modification',

  'unauthorised-use-of-resources': 'unauthorized-use-of-resources',
});

const legacyTypes: ReadonlyMap<string, string> = new Map(Object.entries(legacyClassificationTypes));

/** The taxonomy a current `classification.type` belongs to; legacy names are normalised first. */
export function taxonomyOfType(type: string): string | undefined {
  const taxonomy = taxonomyByType.get(type);
  if (taxonomy !== undefined) return taxonomy;
  const current = normaliseClassificationType(type);
  return current === undefined ? undefined : taxonomyByType.get(current);
}

/**
 * The current RSIT name of a `classification.type`: case-folded, legacy names rewritten, and (beyond
 * IntelMQ) spaces or underscores read as hyphens (`Malware Distribution`). `undefined` if it is no type.
 */
export function normaliseClassificationType(value: string): string | undefined {
  const folded = value.trim().toLowerCase();
  const found = currentType(folded);
  if (found !== undefined) return found;
  const hyphenated = folded.replace(/[\s_]+/g, '-');
  return hyphenated === folded ? undefined : currentType(hyphenated);
}

function currentType(folded: string): string | undefined {
  if (taxonomyByType.has(folded)) return folded;
  return legacyTypes.get(folded);
}

/**
 * The RSIT name of a `classification.taxonomy`, case-folded, with spaces read as hyphens: IntelMQ rewrites
 * its pre-3.0 names (`abusive content`, `malicious code`, ...) this way. `undefined` if it is no taxonomy.
 */
export function normaliseClassificationTaxonomy(value: string): string | undefined {
  const name = value.trim().toLowerCase().replace(/\s+/g, '-');
  return Object.hasOwn(rsitTaxonomies, name) ? name : undefined;
}
