import { describe, expect, it } from 'vitest';
import {
  legacyClassificationTypes,
  normaliseClassificationTaxonomy,
  normaliseClassificationType,
  rsitTaxonomies,
  taxonomyOfType,
} from './taxonomy.ts';

describe('rsitTaxonomies', () => {
  it('has the 11 RSIT taxonomies and the 44 types IntelMQ allows, each in one taxonomy', () => {
    expect(Object.keys(rsitTaxonomies).sort()).toEqual([
      'abusive-content',
      'availability',
      'fraud',
      'information-content-security',
      'information-gathering',
      'intrusion-attempts',
      'intrusions',
      'malicious-code',
      'other',
      'test',
      'vulnerable',
    ]);
    const types = Object.values(rsitTaxonomies).flat();
    expect(types).toHaveLength(44);
    expect(new Set(types).size).toBe(44);
  });

  it.each([
    ['infected-system', 'malicious-code'],
    ['vulnerable-system', 'vulnerable'],
    ['ddos-amplifier', 'vulnerable'],
    ['misconfiguration', 'availability'],
    ['dga-domain', 'other'],
    ['blacklist', 'other'],
    ['unauthorized-use-of-resources', 'fraud'],
    ['data-leak', 'information-content-security'],
    ['test', 'test'],
    ['botnet drone', 'malicious-code'],
    ['Vulnerable Service', 'vulnerable'],
  ])('puts %s under %s', (type, taxonomy) => {
    expect(taxonomyOfType(type)).toBe(taxonomy);
  });

  it('knows no taxonomy for an unknown type', () => {
    expect(taxonomyOfType('heartbleed')).toBeUndefined();
  });
});

describe('normaliseClassificationType', () => {
  // IntelMQ's harmonization.py ClassificationType.sanitize rewrites (docs/dev/data-format.md).
  it.each([
    ['botnet drone', 'infected-system'],
    ['infected system', 'infected-system'],
    ['ransomware', 'infected-system'],
    ['ids alert', 'ids-alert'],
    ['c&c', 'c2-server'],
    ['c2server', 'c2-server'],
    ['malware configuration', 'malware-configuration'],
    ['Unauthorised-information-access', 'unauthorised-information-access'],
    ['leak', 'data-leak'],
    ['vulnerable client', 'vulnerable-system'],
    ['vulnerable service', 'vulnerable-system'],
    ['unknown', 'undetermined'],
  ])('rewrites IntelMQ legacy %j to %s', (legacy, current) => {
    expect(normaliseClassificationType(legacy)).toBe(current);
  });

  it.each([
    ['dga domain', 'dga-domain'],
    ['compromised', 'system-compromise'],
    ['unauthorized-login', 'system-compromise'],
    ['unauthorized-command', 'system-compromise'],
    ['backdoor', 'system-compromise'],
    ['defacement', 'unauthorised-information-modification'],
    ['unauthorised-use-of-resources', 'unauthorized-use-of-resources'],
    [' Botnet Drone ', 'infected-system'],
    ['Malware Distribution', 'malware-distribution'],
    ['brute_force', 'brute-force'],
    ['PHISHING', 'phishing'],
  ])('rewrites %j (IntelMQ 3.0 renames, RSIT spelling, case and separators) to %s', (legacy, current) => {
    expect(normaliseClassificationType(legacy)).toBe(current);
  });

  it('keeps every current type as it is', () => {
    for (const type of Object.values(rsitTaxonomies).flat())
      expect(normaliseClassificationType(type)).toBe(type);
  });

  it('maps every legacy name to a current type', () => {
    const current = new Set(Object.values(rsitTaxonomies).flat());
    for (const [legacy, type] of Object.entries(legacyClassificationTypes)) {
      expect(current.has(type), legacy).toBe(true);
      expect(current.has(legacy), legacy).toBe(false);
    }
  });

  it.each(['', 'dropzone', 'heartbleed', 'vulnerable', 'c2'])('rejects %j', (value) => {
    expect(normaliseClassificationType(value)).toBeUndefined();
  });
});

describe('normaliseClassificationTaxonomy', () => {
  it.each([
    ['abusive content', 'abusive-content'],
    ['Malicious Code', 'malicious-code'],
    ['information gathering', 'information-gathering'],
    ['intrusion attempts', 'intrusion-attempts'],
    ['information content security', 'information-content-security'],
    ['VULNERABLE', 'vulnerable'],
  ])('reads %j as %s', (value, taxonomy) => {
    expect(normaliseClassificationTaxonomy(value)).toBe(taxonomy);
  });

  it.each(['', 'vulnerable-system', 'constructor', 'toString', '__proto__'])('rejects %j', (value) => {
    expect(normaliseClassificationTaxonomy(value)).toBeUndefined();
  });
});
